"""Display spectrograms (core.app.spectrogram): window sizes, frequency scales, levels."""

from __future__ import annotations

import librosa
import numpy as np
import pytest

from core.app.spectrogram import (DEPTH_DB, SCALES, WINDOWS, audio_spectrogram, band_edges,
                                  spectrogram_of)
from core.errors import Cancelled

SR = 22050


def _tone(hz: float, seconds: float = 4.0, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("n_fft", WINDOWS)
@pytest.mark.parametrize("hz", [220.0, 1000.0, 5000.0])
def test_a_tone_is_loudest_in_its_band(scale, n_fft, hz):
    spec = spectrogram_of(_tone(hz), SR, n_fft=n_fft, scale=scale)
    assert (spec.scale, spec.n_fft) == (scale, n_fft)
    loudest = int(np.argmax(spec.image.mean(axis=0)))
    lo, hi = spec.edges[loudest], spec.edges[loudest + 1]
    # within the window's main lobe (two FFT bins) of the tone, and where its tick goes
    assert abs((lo + hi) / 2 - hz) <= 2 * SR / n_fft + (hi - lo)
    assert abs(float(spec.band_of(hz)) - loudest) <= 2 * SR / n_fft / (hi - lo) + 1
    assert spec.image.max() == 0.0 and spec.image.min() >= -DEPTH_DB


def test_band_edges_per_scale():
    log, mel, linear = (band_edges(s, SR) for s in ("log", "mel", "linear"))
    assert np.allclose(log[1:] / log[:-1], log[1] / log[0])  # evenly spaced in log
    assert np.allclose(mel, librosa.mel_frequencies(n_mels=161, fmin=40.0, fmax=SR / 2))
    assert linear[0] == 0.0 and np.allclose(np.diff(linear), SR / 2 / 160)
    assert all(e[-1] == pytest.approx(SR / 2) for e in (log, mel, linear))
    with pytest.raises(ValueError, match="frequency scale"):
        band_edges("bark", SR)
    with pytest.raises(ValueError, match="window"):
        spectrogram_of(_tone(440.0), SR, n_fft=0)


def test_a_longer_window_resolves_two_close_tones():
    """Window size is a real choice: 4096 samples separate 200 and 230 Hz on the linear
    scale, where 1024 samples blur them into one band."""
    y = _tone(200.0) + _tone(230.0)

    def dip(n_fft):
        spec = spectrogram_of(y, SR, n_fft=n_fft, scale="linear", bands=2000)
        profile = spec.image.mean(axis=0)
        a, b, mid = (int(spec.band_of(f)) for f in (200.0, 230.0, 215.0))
        return min(profile[a], profile[b]) - profile[mid]

    assert dip(4096) > 6.0 > dip(1024)


def test_levels_are_relative_to_the_loudest_cell():
    """The same music 12 dB quieter is the same image: one colour, one level in every
    track (relative to its loudest), for any window and scale."""
    y = _tone(440.0) + _tone(3000.0, amplitude=0.05)
    for scale in SCALES:
        loud = spectrogram_of(y, SR, scale=scale)
        quiet = spectrogram_of(y / 4, SR, scale=scale)
        assert np.allclose(loud.image, quiet.image, atol=0.05)


def test_columns_short_input_and_stereo_mix():
    long = spectrogram_of(np.zeros(SR * 600, np.float32), SR, n_fft=1024)
    assert long.image.shape == (2000, 160) and long.duration == 600.0
    short = spectrogram_of(np.zeros(100, np.float32), SR, n_fft=2048)
    assert short.image.shape == (1, 160) and np.all(short.image == -DEPTH_DB)
    left = _tone(440.0)
    stereo = np.stack([left, np.zeros_like(left)], axis=1)
    mixed = audio_spectrogram(stereo, SR, n_fft=1024, scale="mel")
    assert np.allclose(mixed.image, spectrogram_of(left / 2, SR, n_fft=1024, scale="mel").image)
    stages = []
    audio_spectrogram(left, SR, progress=lambda f, s: stages.append((f, s)))
    assert stages[-1] == (1.0, "spectrogram")
    with pytest.raises(Cancelled):
        audio_spectrogram(left, SR, cancelled=lambda: True)
