"""The learnt metrical-level decision (core.analysis.octave) and windows kept on the
track's level (estimate_tempo(level=...))."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from core.analysis import octave, tempo as rhythm
from core.analysis.features import compute_frame_features

FPS = 22050 / 512


def pulses(bpm: float, seconds: float) -> np.ndarray:
    """An onset envelope with one unit impulse per beat."""
    env = np.zeros(int(seconds * FPS), np.float32)
    env[np.round(np.arange(0, env.size, 60.0 * FPS / bpm)).astype(int)] = 1.0
    return env


def test_a_slow_chorale_is_not_read_at_double_tempo(tmp_path):
    """Kit item chorale-002 (rendered at 65.8 BPM in quarter notes): the tempogram's
    choice is the eighth-note level (132 BPM); the learnt decision finds the beat."""
    pytest.importorskip("fluidsynth")
    pytest.importorskip("music21")
    from tools import build_keykit

    if not build_keykit.SOUNDFONT.is_file():
        pytest.skip("no General MIDI SoundFont")
    assert build_keykit.main(["--out", str(tmp_path), "--chorales", "3",
                              "--progressions", "0"]) == 0
    answer = json.loads((tmp_path / "items" / "chorale-002.json").read_text())
    y, _ = sf.read(tmp_path / answer["audio"], dtype="float32")
    env = rhythm.onset_envelope(compute_frame_features(y).mel)
    tempogram = rhythm.global_tempo(env, level_model=False).bpm
    decided = rhythm.global_tempo(env)
    assert tempogram == pytest.approx(2 * answer["tempo"], rel=0.04)
    assert decided.bpm == pytest.approx(answer["tempo"], rel=0.04)
    assert decided.candidates[0] == decided.bpm and sum(decided.weights) == pytest.approx(1)
    assert all(abs(c / decided.bpm - 1) > 0.04 for c in decided.candidates[1:])


def test_a_plain_pulse_keeps_its_tempo():
    for bpm in (62.0, 96.0, 128.0, 175.0):
        assert rhythm.global_tempo(pulses(bpm, 30)).bpm == pytest.approx(bpm, rel=0.02)


def test_candidates_and_features():
    grid = np.geomspace(15.0, 600.0, 400)
    salience = np.exp(-0.5 * (np.log2(grid / 120.0) / 0.05) ** 2)
    cands, x = octave.candidate_features(120.0, grid, salience, onset_rate=4.0)
    assert cands.tolist() == pytest.approx([40.0, 60.0, 80.0, 120.0, 180.0, 240.0])
    assert x.shape == (6, len(octave.WEIGHTS))
    assert x[:, 8].tolist() == [0, 0, 0, 1, 0, 0]
    assert x[3, 2] == pytest.approx(1.0, abs=0.01) and x[0, 2] < 1e-6
    assert octave.choose_level(120.0, grid, salience, 4.0) in cands


def test_windows_move_to_the_tracks_level():
    env = np.concatenate([pulses(80.0, 20), pulses(160.0, 20), pulses(120.0, 20)])
    window = int(10 * FPS)
    starts = np.arange(0, env.size - window + 1, window)
    free, _ = rhythm.estimate_tempo(env, starts=starts, ends=starts + window)
    kept, conf = rhythm.estimate_tempo(env, starts=starts, ends=starts + window,
                                       level=80.0)
    assert free[2] == pytest.approx(160.0, rel=0.04)  # the fast part, on its own
    assert kept[:4] == pytest.approx([80.0] * 4, rel=0.04)  # same pulse, track's level
    assert free[4:] == pytest.approx([120.0] * 2, rel=0.04)
    assert kept[4:] == pytest.approx(free[4:])  # 3/2 of the level: a tempo change, kept
    assert np.all(conf >= 0)
