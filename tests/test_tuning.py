"""core.analysis.tuning: the recording's deviation from A440, and the pipeline's CQT that
follows it (a detuned recording keeps its key; an in-tune one keeps exactly its CQT)."""

from __future__ import annotations

import librosa
import numpy as np
import pytest

from core.analysis.features import compute_frame_features
from core.analysis.key import chroma_from_cqt, estimate_global_key
from core.analysis.tuning import MIN_APPLIED, applied_tuning, estimate_tuning
from tests.fixtures.signals import SR, midi_hz, tone

# Bass note, then a close triad an octave and more above: I - vi - IV - V - I in C major
# and its relative, i - VI - iv - V - i in A minor (harmonic: E major as V).
_PROGRESSIONS = {
    "major": [(48, (0, 4, 7)), (45, (0, 3, 7)), (41, (0, 4, 7)), (43, (0, 4, 7)),
              (48, (0, 4, 7))],
    "minor": [(45, (0, 3, 7)), (41, (0, 4, 7)), (38, (0, 3, 7)), (40, (0, 4, 7)),
              (45, (0, 3, 7))],
}


def progression(cents: float, *, tonic: int = 0, mode: str = "major",
                seconds_per_chord: float = 1.5) -> np.ndarray:
    """A cadence in ``tonic`` (of the major key; the minor one is its relative) ``mode``,
    every pitch ``cents`` sharp."""
    shift = cents / 100.0
    parts = []
    for bass, triad in _PROGRESSIONS[mode] * 3:
        root = bass + tonic
        notes = [root - 12 + shift] + [root + 12 + iv + shift for iv in triad]
        parts.append(tone([midi_hz(m) for m in notes], seconds_per_chord))
    return (0.3 * np.concatenate(parts)).astype(np.float32)


@pytest.mark.parametrize("cents", [-45.0, -25.0, 0.0, 12.0, 38.0])
def test_estimate_tuning_finds_the_detuning(cents):
    assert estimate_tuning(progression(cents), SR) * 100.0 == pytest.approx(cents, abs=3.0)


def test_no_evidence_means_no_tuning():
    rng = np.random.default_rng(0)
    assert estimate_tuning(np.zeros(SR * 5, np.float32), SR) == 0.0
    assert estimate_tuning(np.zeros(100, np.float32), SR) == 0.0
    assert abs(estimate_tuning(rng.standard_normal(SR * 5).astype(np.float32), SR)) < 0.5


def test_small_tunings_are_not_applied():
    assert applied_tuning(MIN_APPLIED * 0.9) == 0.0
    assert applied_tuning(-MIN_APPLIED * 0.9) == 0.0
    assert applied_tuning(0.4321) == 0.43


def test_in_tune_audio_keeps_the_a440_cqt_exactly():
    y = progression(3.0)
    frames = compute_frame_features(y)
    assert frames.tuning == 0.0
    reference = np.abs(librosa.cqt(y, sr=SR, hop_length=512, fmin=librosa.note_to_hz("C1"),
                                   n_bins=84, bins_per_octave=12))
    np.testing.assert_array_equal(frames.cqt, reference.astype(np.float32))


@pytest.mark.parametrize("cents", [-42.0, 44.0])
@pytest.mark.parametrize("mode", ["major", "minor"])
def test_detuned_relative_keys_keep_their_key(cents, mode):
    """Relative pairs with a clear tonic (D major / B minor, A major / F# minor) played
    40-odd cents off, between two A440 bins; the tuned CQT puts them back."""
    for tonic in (2, 9):
        frames = compute_frame_features(progression(cents, tonic=tonic, mode=mode))
        key = estimate_global_key(chroma_from_cqt(frames.cqt)).key
        expected = tonic if mode == "major" else (tonic + 9) % 12
        assert (key.pitch_class, key.mode) == (expected, mode), (cents, tonic, str(key))
        assert frames.tuning == pytest.approx(cents / 100.0, abs=0.03)


@pytest.mark.parametrize("mode", ["major", "minor"])
def test_in_tune_relative_keys(mode):
    for tonic in (0, 7):  # C major / A minor, G major / E minor
        frames = compute_frame_features(progression(0.0, tonic=tonic, mode=mode))
        key = estimate_global_key(chroma_from_cqt(frames.cqt)).key
        expected = tonic if mode == "major" else (tonic + 9) % 12
        assert (key.pitch_class, key.mode) == (expected, mode), (tonic, str(key))
