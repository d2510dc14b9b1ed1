"""What an analysis says at a time (core.analysis.query), without Qt."""

from __future__ import annotations

import numpy as np
import pytest

from core.analysis.query import (Run, cell_edges, moment_at, runs, segment_at, window_at,
                                 window_cells)
from core.record import (Analysis, GlobalEstimates, Segment, Settings, TrackInfo, Versions,
                         WindowTable)


def _analysis(n: int = 6, *, labelled: bool = True) -> Analysis:
    """Windows of 10 s every 2 s over a 20 s track; segments A [0, 8), B [8, 20)."""
    starts = tuple(2.0 * i for i in range(n))
    windows = WindowTable(
        start=starts, end=tuple(s + 10.0 for s in starts), feature_names=("x",),
        features=tuple((0.0,) for _ in starts), tempo=tuple(100.0 + i for i in range(n)),
        tempo_confidence=(0.5,) * n, tonic=("C",) * n, mode=("major",) * n,
        key_confidence=tuple(0.1 * i for i in range(n)))
    a = Analysis(
        track=TrackInfo("t.wav", "0" * 64, 44100, 2, 20 * 44100, 20.0, "WAV", "PCM_16", "x"),
        settings=Settings(), versions=Versions("t", "l", "n", "s", "p"), windows=windows,
        segments=(Segment(0.0, 8.0, "A", 100.0, "C", "major"),
                  Segment(8.0, 20.0, "B", 104.0, "G", "major")),
        globals=GlobalEstimates(102.0, 0.5, (), "C", "major", 0.5, (), ()))
    if not labelled:
        return a
    labels = {"genre": tuple("pop" if i < 3 else "rock" for i in range(n)),
              "mood": ("calm",) * n}
    return a.with_labels(labels, {"genre": tuple(0.5 + 0.05 * i for i in range(n))}, "m")


def test_cells_tile_the_track_halfway_between_window_centres():
    edges = window_cells(_analysis())
    np.testing.assert_allclose(edges, [0.0, 6.0, 8.0, 10.0, 12.0, 14.0, 20.0])
    assert len(cell_edges([], [], 5.0)) == 0
    np.testing.assert_allclose(cell_edges([0.0], [10.0], 4.0), [0.0, 5.0])  # past the end


def test_the_window_at_a_time_is_the_one_whose_cell_holds_it():
    edges = window_cells(_analysis())
    assert [window_at(edges, t) for t in (-1.0, 0.0, 5.9, 6.0, 13.9, 14.0, 19.0, 99.0)] == \
        [0, 0, 0, 1, 4, 5, 5, 5]
    assert window_at(np.zeros(0), 3.0) == -1


def test_the_segment_at_a_time_holds_it_start_inclusive():
    a = _analysis()
    assert [segment_at(a, t) for t in (-0.1, 0.0, 7.99, 8.0, 19.9, 20.0)] == \
        [-1, 0, 0, 1, 1, -1]


def test_a_moment_names_segment_window_and_labels():
    a = _analysis()
    m = moment_at(a, 9.0)
    assert (m.time, m.segment_index, m.segment.label) == (9.0, 1, "B")
    w = m.window
    assert (w.index, w.count, w.start, w.end, w.tempo) == (2, 6, 4.0, 14.0, 102.0)
    assert (w.tonic, w.mode, w.key_confidence) == ("C", "major", pytest.approx(0.2))
    # Targets in TARGETS order; a target without probabilities has None.
    assert w.labels == (("genre", "pop", 0.6), ("mood", "calm", None))
    assert moment_at(a, 9.0, edges=window_cells(a)) == m
    outside = moment_at(a, 25.0)
    assert outside.segment is None and outside.segment_index == -1
    assert outside.window.index == 5
    assert moment_at(_analysis(labelled=False), 1.0).window.labels == ()


def test_a_moment_without_windows_has_no_window():
    m = moment_at(_analysis(0), 3.0)
    assert m.window is None and m.segment_index == 0


def test_runs_merge_equal_neighbouring_cells_with_their_mean_weight():
    edges = np.array([0.0, 1.0, 2.0, 4.0, 5.0])
    assert runs(["a", "a", "b", "a"], edges, [1.0, 0.5, 0.2, 0.4]) == [
        Run(0.0, 2.0, "a", 0.75), Run(2.0, 4.0, "b", 0.2), Run(4.0, 5.0, "a", 0.4)]
    assert runs([], edges) == []

