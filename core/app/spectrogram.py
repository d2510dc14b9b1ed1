"""Display spectrograms: the images the spectrogram lanes of A (the original) and B (a
render) draw.

Owns :class:`Spectrogram` (a dB image on a time x frequency-band grid, plain data) and
the two ways to make one: :func:`spectrogram_of` from a mono signal and
:func:`audio_spectrogram`, the task a view runs off its GUI thread for any
(frames, channels) audio with the user's window size and frequency scale.

Levels are relative to the track's loudest cell (0 dB), but the reference never drops
more than :data:`FLOOR_DB` below a full-scale sine: quiet music still fills the
colours and silence stays at the bottom.  So, for one display floor and gain, the same
colour means the same level in every track, in A and in B.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.progress import CancelledFn, ProgressFn, Reporter

__all__ = ["Spectrogram", "spectrogram_of", "audio_spectrogram", "band_edges", "WINDOWS",
           "SCALES", "FLOOR_DB", "DEPTH_DB"]

#: Window sizes (samples) a view may ask for; 2048 is the one tracks are loaded with.
WINDOWS = (1024, 2048, 4096)
#: Frequency scales of the bands: log-spaced, mel-spaced (librosa's Slaney mel) or linear.
SCALES = ("log", "mel", "linear")
#: How far below a full-scale sine the reference may sit (quieter tracks are not
#: stretched to full colour: silence stays at the floor).
FLOOR_DB = 80.0
#: The image keeps levels down to this many dB below the reference: below every floor
#: and gain a view accepts, so a deeper floor shows more detail instead of a flat bottom
#: and silence always gets the bottom colour.
DEPTH_DB = 200.0
_COLUMNS = 2000  # at most this many time frames (the hop grows with the track)
_BANDS = 160
_FMIN = 40.0  # lowest band edge of the log and mel scales (the linear one starts at 0 Hz)


@dataclass(frozen=True)
class Spectrogram:
    """A power image in dB (0 dB = the reference of the module docstring), for display.

    ``image`` has shape (n_frames, n_bands): axis 0 is time, axis 1 frequency, as
    pyqtgraph's column-major ImageItem expects; band ``i`` covers ``edges[i]`` to
    ``edges[i + 1]`` Hz on the ``scale`` the bands were spaced by, computed with
    ``n_fft``-sample windows.  Values lie in [-:data:`DEPTH_DB`, 0].
    """

    image: np.ndarray
    duration: float
    edges: np.ndarray  # (n_bands + 1,) Hz, increasing
    scale: str = "log"
    n_fft: int = 2048

    @property
    def fmin(self) -> float:
        return float(self.edges[0])

    @property
    def fmax(self) -> float:
        return float(self.edges[-1])

    def band_of(self, hz) -> np.ndarray:
        """Position of the frequencies ``hz`` on the band axis (0 to n_bands, fractional),
        where a view puts a tick; clipped to the image."""
        return np.interp(np.asarray(hz, float), self.edges, np.arange(len(self.edges)))


def band_edges(scale: str, sr: int, *, bands: int = _BANDS, fmin: float = _FMIN) -> np.ndarray:
    """``bands + 1`` band edges in Hz up to the Nyquist frequency on ``scale``.

    Raises
    ------
    ValueError
        ``scale`` is not one of :data:`SCALES`.
    """
    fmax = sr / 2
    if scale == "log":
        return np.geomspace(fmin, fmax, bands + 1)
    if scale == "mel":
        import librosa

        return librosa.mel_frequencies(n_mels=bands + 1, fmin=fmin, fmax=fmax)
    if scale == "linear":
        return np.linspace(0.0, fmax, bands + 1)
    raise ValueError(f"frequency scale {scale!r}: one of {', '.join(SCALES)}")


def spectrogram_of(mono: np.ndarray, sr: int, *, n_fft: int = 2048, scale: str = "log",
                   columns: int = _COLUMNS, bands: int = _BANDS,
                   fmin: float = _FMIN) -> Spectrogram:
    """A display spectrogram of ``mono`` with at most ``columns`` frames.

    Parameters
    ----------
    mono : np.ndarray, shape (n,)
        The signal.
    sr : int
        Its sampling rate.
    n_fft : int
        Window length in samples (Hann window); the hop is at least a quarter of it
        and grows with the track so there are at most ``columns`` frames.
    scale : str
        How the ``bands`` are spaced (:data:`SCALES`); each band is the mean power of
        the FFT bins it covers (at least one).

    Raises
    ------
    ValueError
        ``scale`` is unknown or ``n_fft`` is not a positive number of samples.
    """
    if int(n_fft) < 16:
        raise ValueError(f"window of {n_fft} samples: at least 16")
    n_fft = int(n_fft)
    edges = band_edges(scale, sr, bands=bands, fmin=fmin)
    n = len(mono)
    duration = n / sr
    if n < n_fft:
        return Spectrogram(np.full((1, bands), -DEPTH_DB, np.float32), duration, edges, scale,
                           n_fft)
    window = np.hanning(n_fft).astype(np.float32)
    hop = max(n_fft // 4, (n - n_fft) // columns + 1)
    starts = np.arange(0, n - n_fft + 1, hop)
    view = np.lib.stride_tricks.sliding_window_view(np.asarray(mono, np.float32), n_fft)
    spectrum = np.fft.rfft(view[starts] * window, axis=1)
    power = spectrum.real ** 2 + spectrum.imag ** 2
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    idx = np.clip(np.searchsorted(freqs, edges), 1, len(freqs) - 1)
    csum = np.concatenate([np.zeros((len(power), 1)), np.cumsum(power, axis=1)], axis=1)
    hi = np.maximum(idx[1:], idx[:-1] + 1)
    banded = (csum[:, hi] - csum[:, idx[:-1]]) / (hi - idx[:-1])
    # 1e-30: exact silence lands under DEPTH_DB, which clips it.
    db = 10.0 * np.log10(np.maximum(banded, 1e-30))
    # A full-scale sine puts (sum(window) / 2) ** 2 into its band; the reference stays
    # within FLOOR_DB of it, so quiet music still fills the range and silence does not.
    full_scale = 20.0 * np.log10(float(window.sum()) / 2.0)
    db -= max(float(db.max()), full_scale - FLOOR_DB)
    return Spectrogram(np.maximum(db, -DEPTH_DB).astype(np.float32), duration, edges, scale,
                       n_fft)


def audio_spectrogram(audio: np.ndarray, sr: int, *, n_fft: int = 2048, scale: str = "log",
                      progress: ProgressFn | None = None,
                      cancelled: CancelledFn | None = None) -> Spectrogram:
    """:func:`spectrogram_of` the mono mix of ``audio`` (shape (frames,) or (frames,
    channels)): the task a view runs off its GUI thread for A or B.

    Raises
    ------
    ValueError
        As :func:`spectrogram_of`.
    core.errors.Cancelled
    """
    rep = Reporter(progress, cancelled)
    rep(0.0, "spectrogram")
    audio = np.asarray(audio, np.float32)
    mono = audio.mean(axis=1) if audio.ndim == 2 and audio.shape[1] > 1 else audio.reshape(
        len(audio), -1)[:, 0]
    rep(0.2, "spectrogram")
    spec = spectrogram_of(mono, int(sr), n_fft=n_fft, scale=scale)
    rep(1.0, "spectrogram")
    return spec
