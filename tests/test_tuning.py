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

# I - vi - IV - V - I, bass note then a close triad an octave and more above
_PROGRESSION = [(48, (0, 4, 7)), (45, (0, 3, 7)), (41, (0, 4, 7)), (43, (0, 4, 7)),
                (48, (0, 4, 7))]


def progression(cents: float, *, tonic: int = 0, seconds_per_chord: float = 1.5
                ) -> np.ndarray:
    """A cadence in ``tonic`` major, every pitch ``cents`` sharp; bass plus a triad."""
    shift = cents / 100.0
    parts = []
    for bass, triad in _PROGRESSION * 3:
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
def test_detuned_recording_keeps_its_key(cents):
    """Notes 40-odd cents off fall between two A440 bins; the tuned CQT puts them back."""
    for tonic in (2, 9):  # D major and A major
        frames = compute_frame_features(progression(cents, tonic=tonic))
        key = estimate_global_key(chroma_from_cqt(frames.cqt)).key
        assert (key.pitch_class, key.mode) == (tonic, "major"), (cents, tonic, str(key))
        assert frames.tuning == pytest.approx(cents / 100.0, abs=0.03)
