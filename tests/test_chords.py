"""Tests for core.analysis.chords: chords per beat, stored, exported and scored."""

from __future__ import annotations

import json
from dataclasses import replace

import jams
import mir_eval
import numpy as np
import pytest

from core.analysis.audio import audio_from_array
from core.analysis.chords import (CHORD_LABELS, NO_CHORD, bass_chroma, chord_likelihoods,
                                  chord_templates, estimate_chords, span_edges)
from core.analysis.pipeline import analyze_audio
from core.errors import FormatError
from core.evaluation.reference import chord_scores
from core.io.export import to_jams, write_chords, write_jams
from core.record import Chord, analysis_from_dict, dumps
from tests.fixtures.signals import PITCH_CLASSES, SR, midi_hz, tone

# (root above the tonic, minor?): I vi IV V | i VI III VII
MAJOR = [(0, False), (9, True), (5, False), (7, False)]
MINOR = [(0, True), (8, False), (3, False), (10, False)]


def progression(tonic: int, cycle, bpm: float, *, beats_per_chord: int = 4,
                seconds: float = 24.0, rng=None) -> tuple[np.ndarray, list]:
    """Triads (bass + close voicing, 4 partials) with a kick on every beat, and the
    reference chords ``(start, end, label)``."""
    beat = 60.0 / bpm
    span = beats_per_chord * beat
    n = int(seconds * SR)
    y, reference = np.zeros(n), []
    t_kick = np.arange(int(0.08 * SR)) / SR
    kick = np.sin(2 * np.pi * 55 * t_kick) * np.exp(-t_kick * 40)
    i = 0
    while i * span < seconds:
        root, minor = cycle[i % len(cycle)]
        pc = (tonic + root) % 12
        notes = [36 + pc, 60 + pc, 60 + pc + (3 if minor else 4), 60 + pc + 7]
        part = tone([midi_hz(m) for m in notes], span)
        start = int(i * span * SR)
        end = min(n, start + len(part))
        y[start:end] += part[:end - start]
        reference.append((i * span, min((i + 1) * span, seconds),
                          f"{PITCH_CLASSES[pc]}:{'min' if minor else 'maj'}"))
        i += 1
    for k in range(int(seconds / beat) + 1):
        s = int(k * beat * SR)
        e = min(n, s + kick.size)
        y[s:e] += 0.6 * kick[:e - s]
    if rng is not None:
        y += 0.01 * rng.standard_normal(n)
    return (0.3 * y / np.abs(y).max()).astype(np.float32), reference


def _analysed(y: np.ndarray, name: str):
    return analyze_audio(audio_from_array(y, SR, name=name))


@pytest.mark.parametrize("tonic, cycle, bpm, per_chord", [
    (2, MAJOR, 100.0, 4),   # D major, a chord a bar
    (9, MINOR, 132.0, 2),   # A minor, a chord every two beats
])
def test_rendered_progression_is_recognised(tonic, cycle, bpm, per_chord, rng) -> None:
    y, reference = progression(tonic, cycle, bpm, beats_per_chord=per_chord, rng=rng)
    analysis = _analysed(y, "progression")
    estimate = [(c.start, c.end, c.label) for c in analysis.chords]
    scores = chord_scores(estimate, reference)
    assert scores["majmin"] >= 0.8, (scores, estimate[:8])
    assert scores["root"] >= scores["majmin"]
    # The smoothing keeps a chord for its whole span: about one run per chord.
    assert len(analysis.chords) <= 1.5 * len(reference)


def test_chords_tile_the_track_and_validate_as_mir_eval_labels(rng) -> None:
    y, _ = progression(0, MAJOR, 120.0, seconds=12.0, rng=rng)
    analysis = _analysed(y, "tiles")
    chords = analysis.chords
    assert chords[0].start == 0.0
    assert chords[-1].end == pytest.approx(analysis.duration, abs=512 / SR)
    assert all(a.end == b.start for a, b in zip(chords[:-1], chords[1:]))
    assert all(a.label != b.label for a, b in zip(chords[:-1], chords[1:]))
    assert all(0.0 <= c.confidence <= 1.0 for c in chords)
    mir_eval.chord.validate([c.label for c in chords], [c.label for c in chords])


@pytest.mark.parametrize("kind", ["silence", "noise", "clicks"])
def test_unpitched_material_gives_no_chord(kind: str, rng) -> None:
    n = 12 * SR
    if kind == "silence":
        y = np.zeros(n, np.float32)
    elif kind == "noise":
        y = (0.2 * rng.standard_normal(n)).astype(np.float32)
    else:
        y = np.zeros(n, np.float32)
        y[:: SR // 2] = 0.9  # a click every half second: beats, no pitch
    analysis = _analysed(y, kind)
    assert [c.label for c in analysis.chords] == [NO_CHORD]
    assert analysis.chords[0].end == pytest.approx(analysis.duration, abs=512 / SR)


def test_estimate_chords_on_chroma_with_and_without_beats() -> None:
    """A C major then an A minor chroma, beats every 20 frames: two runs at the change;
    without beats the fixed grid finds the same change."""
    chroma = np.zeros((12, 200))
    chroma[[0, 4, 7], :100] = 1.0
    chroma[[9, 0, 4], 100:] = 1.0
    chroma[2, 50:52] = 3.0  # a passing D on one beat must not make the chord flicker
    for beats in (np.arange(20, 200, 20), np.zeros(0, int)):
        chords = estimate_chords(chroma, beats, sr=SR, hop_length=512)
        assert [c.label for c in chords] == ["C:maj", "A:min"]
        assert chords[1].start == pytest.approx(100 * 512 / SR, abs=0.25)
    assert estimate_chords(np.zeros((12, 0)), np.zeros(0, int)) == ()
    with pytest.raises(ValueError, match="12, T"):
        estimate_chords(np.zeros((7, 10)), np.zeros(0, int))


def test_templates_likelihoods_and_edges() -> None:
    t = chord_templates()
    assert t.shape == (24, 12)
    np.testing.assert_allclose(np.linalg.norm(t, axis=1), 1.0)
    assert len(CHORD_LABELS) == 25 and CHORD_LABELS[-1] == NO_CHORD
    assert CHORD_LABELS[9 + 12] == "A:min"
    prob = chord_likelihoods(np.c_[t[7], np.ones(12)], np.array([True, False]))
    np.testing.assert_allclose(prob.sum(axis=0), 1.0)
    assert CHORD_LABELS[prob[:, 0].argmax()] == "G:maj"
    assert CHORD_LABELS[prob[:, 1].argmax()] == NO_CHORD
    np.testing.assert_array_equal(span_edges(np.array([0, 10, 10, 30]), 25, sr=SR,
                                             hop_length=512), [0, 10, 25])


# --------------------------------------------------------------- record and exports


@pytest.fixture
def chorded(small_analysis):
    return replace(small_analysis, chords=(Chord(0.0, 2.0, "N", 0.98),
                                           Chord(2.0, 12.5, "C:maj", 0.7),
                                           Chord(12.5, 30.0, "A:min", 0.61)))


def test_chords_round_trip_in_the_analysis_json(chorded) -> None:
    again = analysis_from_dict(json.loads(dumps(chorded)))
    assert again == chorded
    assert isinstance(again.chords[1], Chord)


def test_old_analysis_json_without_chords_loads(small_analysis) -> None:
    doc = json.loads(dumps(small_analysis))
    assert "chords" not in doc  # as written before chords existed
    assert analysis_from_dict(doc).chords == ()


def test_bad_chord_label_is_reported_with_its_path(chorded) -> None:
    doc = json.loads(dumps(chorded))
    doc["chords"][1]["label"] = "H:maj"
    with pytest.raises(FormatError, match=r"\$\.chords\[1\]\.label"):
        analysis_from_dict(doc)


def test_jams_chord_annotation_round_trips_and_validates(chorded, tmp_path) -> None:
    path = tmp_path / "t.jams"
    write_jams(chorded, path)
    jam = jams.load(str(path), validate=True)
    ann = jam.search(namespace="chord")[0]
    assert [o.value for o in ann.data] == ["N", "C:maj", "A:min"]
    assert ann.data[2].time == 12.5 and ann.data[2].duration == 17.5
    assert "core.analysis.chords" in ann.annotation_metadata.annotation_tools
    ann.validate()
    assert not to_jams(replace(chorded, chords=())).search(namespace="chord")


def test_chord_label_track(chorded, tmp_path) -> None:
    path = tmp_path / "t.chords.txt"
    write_chords(chorded, path)
    lines = path.read_text().splitlines()
    assert lines[1] == "2.000000\t12.500000\tC:maj"
    assert len(lines) == 3


def test_chord_scores_against_a_reference() -> None:
    ref = [(0.0, 2.0, "C:maj"), (2.0, 4.0, "A:min")]
    assert chord_scores(ref, ref) == {"root": 1.0, "majmin": 1.0}
    half = chord_scores([(0.0, 2.0, "C:maj"), (2.0, 4.0, "A:maj")], ref)
    assert half == {"root": 1.0, "majmin": 0.5}
    short = chord_scores([(0.0, 1.0, "C:maj")], ref)  # the rest is padded with N
    assert short["majmin"] == pytest.approx(0.25)
    with pytest.raises(ValueError, match="no chords"):
        chord_scores(ref, [])


def test_chord_at_answers_for_any_time(chorded, small_analysis) -> None:
    from core.analysis.query import chord_at, moment_at

    assert chord_at(chorded, 5.0).label == "C:maj"
    assert chord_at(chorded, -1.0).label == "N" and chord_at(chorded, 99.0).label == "A:min"
    assert moment_at(chorded, 12.5).chord.label == "A:min"
    assert chord_at(small_analysis, 5.0) is None


def test_estimate_chords_rejects_bad_options() -> None:
    chroma = np.ones((12, 50))
    with pytest.raises(ValueError, match="self_prob"):
        estimate_chords(chroma, np.zeros(0, int), self_prob=1.0)
    with pytest.raises(ValueError, match="bass"):
        estimate_chords(chroma, np.zeros(0, int), bass=np.ones((12, 49)))
    with pytest.raises(ValueError, match="pipeline's CQT"):
        bass_chroma(np.ones((20, 50)))


@pytest.mark.parametrize("bass_pc, label", [(0, "C:maj"), (9, "A:min")])
def test_the_bass_decides_between_relative_chords(bass_pc: int, label: str) -> None:
    """C, E, G and A held (C6 or Am7): the bass note names the chord."""
    chroma = np.zeros((12, 100))
    chroma[[0, 4, 7, 9], :] = 1.0
    bass = np.zeros_like(chroma)
    bass[bass_pc] = 1.0
    chords = estimate_chords(chroma, np.arange(20, 100, 20), bass=bass)
    assert [c.label for c in chords] == [label]
