"""Vocal suppression (REPET-SIM soft mask): what it keeps, what it drops, where it runs."""

from __future__ import annotations

import numpy as np
import pytest

from core.analysis.audio import audio_from_array
from core.errors import Cancelled
from core.analysis.vocals import suppress_vocals

SR = 22050


def _mix(seconds: float = 24.0, voice_gain: float = 0.1):
    """A repeating 2 s accompaniment loop and a gliding, never-repeating 'voice'."""
    t = np.arange(int(SR * seconds)) / SR
    loop = np.zeros(2 * SR)
    for k in range(4):
        s, n = int(k * 0.5 * SR), int(0.3 * SR)
        tt = np.arange(n) / SR
        loop[s:s + n] += np.exp(-8 * tt) * sum(np.sin(2 * np.pi * f * tt)
                                               for f in (220, 277, 330)) / 3
    acc = 0.5 * np.tile(loop, int(seconds // 2) + 1)[:len(t)]
    f0 = 300 + 80 * np.sin(2 * np.pi * 0.13 * t) + 10 * np.sin(2 * np.pi * 5.5 * t)
    ph = 2 * np.pi * np.cumsum(f0) / SR
    voice = voice_gain * (np.sin(ph) + 0.5 * np.sin(2 * ph) + 0.25 * np.sin(3 * ph))
    return acc.astype(np.float32), voice.astype(np.float32)


def _snr(ref, est):
    """Scale-invariant signal-to-distortion ratio (dB) of ``est`` against ``ref``."""
    ref, est = np.asarray(ref, np.float64), np.asarray(est, np.float64)
    target = (est @ ref) / (ref @ ref) * ref
    return 10 * np.log10(np.sum(target ** 2) / np.sum((est - target) ** 2))


def test_the_repeating_background_comes_closer_to_the_accompaniment():
    acc, voice = _mix()
    mix = acc + voice
    bg = suppress_vocals(mix, SR, block_s=10.0)   # several blocks and cross-fades
    assert bg.shape == mix.shape and bg.dtype == np.float32 and np.isfinite(bg).all()
    assert _snr(acc, bg) > _snr(acc, mix) + 1.5
    assert np.corrcoef(voice, bg)[0, 1] < 0.6 * np.corrcoef(voice, mix)[0, 1]
    # Without a voice the accompaniment stays (it repeats), at the mix's level.
    alone = suppress_vocals(acc, SR, block_s=10.0)
    assert np.corrcoef(acc, alone)[0, 1] > 0.65
    assert np.sqrt(np.mean(alone ** 2)) == pytest.approx(np.sqrt(np.mean(acc ** 2)), rel=1e-3)


def test_silence_short_and_empty_inputs_pass_through():
    assert suppress_vocals(np.zeros(0, np.float32), SR).shape == (0,)
    z = np.zeros(SR * 3, np.float32)
    np.testing.assert_array_equal(suppress_vocals(z, SR), z)
    short = np.random.default_rng(0).standard_normal(SR // 2).astype(np.float32)
    np.testing.assert_allclose(suppress_vocals(short, SR), short, atol=1e-6)


def test_cancel_between_blocks():
    acc, voice = _mix(12.0)
    with pytest.raises(Cancelled):
        suppress_vocals(acc + voice, SR, block_s=4.0, cancelled=lambda: True)


def test_analysis_switch_changes_only_the_classification_features():
    from core.analysis.pipeline import analyze_audio
    from core.record import Settings

    acc, voice = _mix(24.0, voice_gain=0.3)
    audio = audio_from_array(acc + voice, SR, name="voice")
    plain = analyze_audio(audio)
    sup = analyze_audio(audio, settings=Settings(vocal_suppression=True))
    assert sup.settings.vocal_suppression and not plain.settings.vocal_suppression
    assert sup.windows.tempo == plain.windows.tempo            # tempo from the full mix
    assert [s.start for s in sup.segments] == [s.start for s in plain.segments]
    assert sup.windows.tonic == plain.windows.tonic
    f_plain, f_sup = np.asarray(plain.windows.features), np.asarray(sup.windows.features)
    assert not np.allclose(f_plain, f_sup)


def test_the_repeating_model_is_librosas_nn_filter_exactly():
    """The vectorised neighbour median gives librosa's ``nn_filter`` (cosine, width,
    median) to the bit: the same neighbours, the same medians."""
    import librosa

    from core.analysis.vocals import _repeating_model

    acc, voice = _mix(8.0)
    mag = np.abs(librosa.stft(acc + voice, n_fft=1024, hop_length=256))
    width = 20
    ref = librosa.decompose.nn_filter(mag, aggregate=np.median, metric="cosine", width=width)
    np.testing.assert_array_equal(_repeating_model(mag, width=width, chunk=7), ref)
