"""Questions to an analysis about time: what is at a time, how the windows tile the track.

Analysis windows overlap (10 s every 2 s), so "the window at time t" needs a rule: each
window owns a cell reaching halfway to its neighbours' centres (:func:`cell_edges`), the
cells tile the whole track, and a time belongs to the window whose cell holds it.
:func:`moment_at` answers what the analysis says at a time (the segment there, the
window there with its tempo, key and labels, the chord there), :func:`segment_at` which
segment holds a time, :func:`chord_at` which chord run, and :func:`runs` merges neighbouring cells of equal value.  Views format and
draw these answers; nothing here knows about drawing.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from core.record import TARGETS, Analysis, Chord, Segment

__all__ = ["Run", "WindowValues", "Moment", "cell_edges", "window_cells", "runs",
           "window_at", "segment_at", "chord_at", "moment_at"]


@dataclass(frozen=True)
class Run:
    """Consecutive cells with the same value: [start, end) seconds, value, mean weight."""

    start: float
    end: float
    value: str
    weight: float


@dataclass(frozen=True)
class WindowValues:
    """One analysis window's results: ``index`` of ``count`` windows, its span in
    seconds, tempo and key with their confidences, and ``(target, label, probability)``
    per labelled target in :data:`~core.record.TARGETS` order (probability None when
    the model gave none)."""

    index: int
    count: int
    start: float
    end: float
    tempo: float
    tempo_confidence: float
    tonic: str
    mode: str
    key_confidence: float
    labels: tuple[tuple[str, str, float | None], ...]


@dataclass(frozen=True)
class Moment:
    """What an analysis says at ``time``: the segment holding it (None, index -1: none),
    the window whose cell holds it (None when the analysis has no windows) and the chord
    run holding it (None when the analysis has no chords)."""

    time: float
    segment: Segment | None
    segment_index: int
    window: WindowValues | None
    chord: Chord | None = None


def cell_edges(starts: Sequence[float], ends: Sequence[float], duration: float) -> np.ndarray:
    """Edges of non-overlapping cells, one per (overlapping) analysis window.

    Cells meet halfway between neighbouring window centres; the first starts at 0 and
    the last ends at ``duration``, so the cells tile the whole track.
    """
    centres = (np.asarray(starts, float) + np.asarray(ends, float)) / 2
    if len(centres) == 0:
        return np.zeros(0)
    mids = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[0.0], mids, [max(duration, centres[-1])]])


def window_cells(analysis: Analysis) -> np.ndarray:
    """:func:`cell_edges` of ``analysis``'s windows over its duration."""
    w = analysis.windows
    return cell_edges(w.start, w.end, analysis.duration)


def runs(values: Sequence[str], edges: np.ndarray, weights: Sequence[float] | None = None
         ) -> list[Run]:
    """Merge neighbouring cells with equal values into runs."""
    out: list[Run] = []
    w = list(weights) if weights is not None else [1.0] * len(values)
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        out.append(Run(float(edges[i]), float(edges[j + 1]), str(values[i]),
                       float(sum(w[i:j + 1])) / (j + 1 - i)))
        i = j + 1
    return out


def window_at(edges: np.ndarray, t: float) -> int:
    """Index of the cell of ``edges`` holding ``t`` (before the first: 0, after the
    last: the last), -1 when there are no cells."""
    if len(edges) < 2:
        return -1
    return min(max(bisect.bisect_right(edges, t) - 1, 0), len(edges) - 2)


def segment_at(analysis: Analysis, t: float) -> int:
    """Index of the segment holding ``t`` ([start, end)), -1 when none does."""
    starts = [s.start for s in analysis.segments]
    i = bisect.bisect_right(starts, t) - 1
    return i if 0 <= i < len(analysis.segments) and t < analysis.segments[i].end else -1


def chord_at(analysis: Analysis, t: float) -> Chord | None:
    """The chord run holding ``t`` (before the first: the first, after the last: the
    last), None when the analysis has no chords."""
    chords = analysis.chords
    if not chords:
        return None
    i = bisect.bisect_right([c.start for c in chords], t) - 1
    return chords[min(max(i, 0), len(chords) - 1)]


def moment_at(analysis: Analysis, t: float, *, edges: np.ndarray | None = None) -> Moment:
    """What ``analysis`` says at ``t`` seconds.

    Parameters
    ----------
    analysis : Analysis
        The analysis asked.
    t : float
        Seconds; outside the track the first or last window answers.
    edges : numpy.ndarray, optional
        ``window_cells(analysis)`` when the caller keeps it (a view asking on every
        pointer move); computed when not given.

    Returns
    -------
    Moment
        The segment, the window and the chord at ``t``.
    """
    edges = window_cells(analysis) if edges is None else edges
    seg = segment_at(analysis, t)
    i = window_at(edges, t)
    return Moment(float(t), analysis.segments[seg] if seg >= 0 else None, seg,
                  _window_values(analysis, i) if i >= 0 else None, chord_at(analysis, t))


def _window_values(analysis: Analysis, i: int) -> WindowValues:
    w = analysis.windows
    labels = tuple((target, w.labels[target][i],
                    w.probabilities[target][i] if w.probabilities.get(target) else None)
                   for target in TARGETS if target in w.labels)
    return WindowValues(i, len(w), w.start[i], w.end[i], w.tempo[i], w.tempo_confidence[i],
                        w.tonic[i], w.mode[i], w.key_confidence[i], labels)
