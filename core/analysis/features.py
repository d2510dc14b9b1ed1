"""Frame-level features, computed once per track, and their aggregation into windows.

Everything frame-level comes from two transforms of the mono analysis signal, with the
sample rate, FFT size and hop of the analysis :class:`~core.record.Settings` (22.05 kHz,
2048 and 512 by default):

* one STFT -> mel power (:data:`N_MELS` bands), MFCC, spectral centroid / bandwidth /
  rolloff / flatness / contrast, RMS, and a coarse harmonic-percussive split;
* one constant-Q transform (:data:`CQT_BINS` bins from C1, same hop) -> chroma (key)
  and the beat-synchronous features of the form segmentation.  Its bins follow the
  recording's tuning (:mod:`core.analysis.tuning`, estimated first in the CQT's thread)
  when that is 10 cents or more away from A440.

Both are computed block by block with exact context (the STFT with ``n_fft // 2``
samples either side, the CQT with a few seconds), so a long track costs memory in
proportion to its *features*, not to an STFT of the whole signal.  Window statistics
are differences of cumulative sums: every window costs O(1), whatever its length.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from core.analysis.tuning import applied_tuning, estimate_tuning
from core.progress import Reporter
from core.record import Settings

__all__ = ["FrameFeatures", "WindowGrid", "compute_frame_features", "window_grid",
           "window_mean", "window_std", "N_MELS", "N_MFCC", "CQT_BINS", "CQT_FMIN_NOTE",
           "BLOCK_FRAMES", "CQT_BLOCK_FRAMES"]

logger = logging.getLogger(__name__)

# The transforms' shapes: fixed, unlike the settings an analysis records.
N_MELS = 128
N_MFCC = 20
CQT_BINS = 84
CQT_FMIN_NOTE = "C1"
#: STFT frames per block: ~47 s at the default settings; bounds memory and cancel latency.
BLOCK_FRAMES = 2048
#: CQT frames per block: the CQT's filter set-up is per call, so fewer, larger blocks.
CQT_BLOCK_FRAMES = 8192


@dataclass(frozen=True)
class FrameFeatures:
    """All frame-level arrays of one track; shape ``(..., n_frames)``, float32.

    Plain data computed once by :func:`compute_frame_features`; read by the rhythm,
    tonality, structure and window stages, and by views (spectrogram lane).
    """

    settings: Settings     # the analysis settings the frames were made with (sr, n_fft, hop)
    mel: np.ndarray        # (N_MELS, T) power
    mfcc: np.ndarray       # (N_MFCC, T)
    spectral: np.ndarray   # (6, T): centroid, bandwidth, rolloff, flatness, rms, zcr
    contrast: np.ndarray   # (7, T)
    harmonic: np.ndarray   # (T,) harmonic share of mel energy, 0..1
    cqt: np.ndarray        # (CQT_BINS, T) magnitude
    tuning: float = 0.0    # semitones the CQT bins are shifted from A440 (applied_tuning)

    @property
    def n_frames(self) -> int:
        return self.mel.shape[1]

    def frame_times(self) -> np.ndarray:
        """Centre time in seconds of every frame."""
        return np.arange(self.n_frames) * (self.settings.hop_length / self.settings.sr)


SPECTRAL_ROWS = ("centroid", "bandwidth", "rolloff", "flatness", "rms", "zcr")


# ----------------------------------------------------------------------------- blocks
def _padded_slice(y: np.ndarray, start: int, stop: int) -> np.ndarray:
    """``y[start:stop]`` with zeros where the range leaves the signal."""
    out = np.zeros(stop - start, dtype=np.float32)
    a, b = max(start, 0), min(stop, len(y))
    if b > a:
        out[a - start:b - start] = y[a:b]
    return out


def _stft_block(y: np.ndarray, f0: int, f1: int, p: Settings, mel_fb: np.ndarray
                ) -> tuple[np.ndarray, ...]:
    """Frame features for frames ``[f0, f1)`` of the centred STFT of ``y``."""
    import librosa

    half = p.n_fft // 2
    seg = _padded_slice(y, f0 * p.hop_length - half, (f1 - 1) * p.hop_length + half)
    frames = librosa.util.frame(seg, frame_length=p.n_fft, hop_length=p.hop_length)
    window = librosa.filters.get_window("hann", p.n_fft, fftbins=True).astype(np.float32)
    mag = np.abs(np.fft.rfft(frames * window[:, None], axis=0)).astype(np.float32)
    power = mag ** 2
    mel = mel_fb @ power
    sr = p.sr
    centroid = librosa.feature.spectral_centroid(S=mag, sr=sr, n_fft=p.n_fft)
    spectral = np.vstack([
        centroid,  # the bandwidth's too: librosa would compute it again
        librosa.feature.spectral_bandwidth(S=mag, sr=sr, n_fft=p.n_fft, centroid=centroid),
        librosa.feature.spectral_rolloff(S=mag, sr=sr, n_fft=p.n_fft),
        librosa.feature.spectral_flatness(S=mag),
        librosa.feature.rms(S=mag, frame_length=p.n_fft),
        np.mean(np.abs(np.diff(np.signbit(frames), axis=0)), axis=0, keepdims=True),
    ]).astype(np.float32)
    contrast = librosa.feature.spectral_contrast(S=mag, sr=sr, n_fft=p.n_fft).astype(np.float32)
    return mel.astype(np.float32), spectral, contrast


def _cqt_all(y: np.ndarray, p: Settings, n_frames: int, block_frames: int,
             reporter: Reporter) -> tuple[np.ndarray, float]:
    """Magnitude CQT of the whole signal in blocks with context, and its tuning."""
    import librosa

    tuning = applied_tuning(estimate_tuning(y, p.sr))
    fmin = librosa.note_to_hz(CQT_FMIN_NOTE) * 2.0 ** (tuning / 12.0)
    ctx = 128  # frames of context either side (~3 s) > the longest CQT filter
    out = np.empty((CQT_BINS, n_frames), dtype=np.float32)
    for f0 in range(0, n_frames, block_frames):
        reporter(f0 / n_frames, "constant-Q")
        f1 = min(f0 + block_frames, n_frames)
        a = max(f0 - ctx, 0)
        seg = y[a * p.hop_length:min((f1 + ctx) * p.hop_length, len(y))]
        c = np.abs(librosa.cqt(seg, sr=p.sr, hop_length=p.hop_length, fmin=fmin,
                               n_bins=CQT_BINS, bins_per_octave=12))
        out[:, f0:f1] = c[:, f0 - a:f1 - a]
    return out, tuning


def _harmonic_share(mel: np.ndarray) -> np.ndarray:
    """Harmonic fraction of mel energy per frame from a coarse median-filter HPSS.

    Median filtering the full-resolution mel costs ~0.3 s per 2 minutes; pooling to
    64 bands x 2 frames first makes it 4x cheaper and the ratio barely changes.
    """
    from scipy.ndimage import median_filter

    t = mel.shape[1]
    pad = t % 2
    m = np.pad(mel, ((0, 0), (0, pad)))
    coarse = m.reshape(mel.shape[0] // 2, 2, -1, 2).sum(axis=(1, 3))
    harm = median_filter(coarse, size=(1, 9), mode="nearest")
    perc = median_filter(coarse, size=(9, 1), mode="nearest")
    h_energy = (harm ** 2 / (harm ** 2 + perc ** 2 + 1e-20) * coarse).sum(axis=0)
    share = h_energy / (coarse.sum(axis=0) + 1e-20)
    return np.repeat(share, 2)[:t].astype(np.float32)


def compute_frame_features(y: np.ndarray, *, settings: Settings = Settings(),
                           block_frames: int = BLOCK_FRAMES,
                           cqt_block_frames: int = CQT_BLOCK_FRAMES,
                           reporter: Reporter | None = None) -> FrameFeatures:
    """Compute every frame-level feature of ``y`` once.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        Mono float32 signal at ``settings.sr``.
    settings : Settings
        The analysis settings; the frames use ``sr``, ``n_fft`` and ``hop_length``.
    block_frames, cqt_block_frames : int
        Frames per STFT and per CQT block: memory and cancel latency, not the results.
    reporter : Reporter, optional
        Progress over the blocks; cancellation between blocks.

    Returns
    -------
    FrameFeatures
        Frames are centred (frame ``t`` at ``t * hop_length`` samples) exactly as
        ``librosa.stft(y, center=True)`` would place them.
    """
    import librosa

    reporter = reporter or Reporter()
    p = settings
    n_frames = 1 + len(y) // p.hop_length  # of a centred transform (librosa's convention)
    mel_fb = librosa.filters.mel(sr=p.sr, n_fft=p.n_fft, n_mels=N_MELS).astype(np.float32)
    mel = np.empty((N_MELS, n_frames), np.float32)
    spectral = np.empty((len(SPECTRAL_ROWS), n_frames), np.float32)
    contrast = np.empty((7, n_frames), np.float32)
    # The CQT runs on the second core while this thread does the STFT blocks (both
    # spend their time in FFTs that release the GIL).  Only this thread reports
    # progress; the CQT thread checks for cancellation between its blocks.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cqt") as pool:
        cqt_future = pool.submit(_cqt_all, y, p, n_frames, cqt_block_frames,
                                 Reporter(cancelled=reporter.cancelled))
        for f0 in range(0, n_frames, block_frames):
            reporter(0.9 * f0 / n_frames, "spectral features")
            f1 = min(f0 + block_frames, n_frames)
            mel[:, f0:f1], spectral[:, f0:f1], contrast[:, f0:f1] = _stft_block(
                y, f0, f1, p, mel_fb)
        reporter(0.9, "constant-Q")
        cqt, tuning = cqt_future.result()
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel), n_mfcc=N_MFCC).astype(np.float32)
    reporter(1.0, "frame features")
    return FrameFeatures(p, mel, mfcc, spectral, contrast, _harmonic_share(mel), cqt, tuning)


# ----------------------------------------------------------------------------- windows
@dataclass(frozen=True)
class WindowGrid:
    """Analysis windows: start/end in seconds and the frames each covers.

    Windows are ``length`` seconds long every ``stride`` seconds from 0.  When the
    stride grid leaves a tail uncovered, one last window is aligned to the end of
    the track (so every window is full length and every second is covered).  A
    track shorter than ``length`` gets a single window over all of it.
    """

    starts: np.ndarray
    ends: np.ndarray
    start_frames: np.ndarray
    end_frames: np.ndarray
    length: float
    stride: float

    def __len__(self) -> int:
        return len(self.starts)


def window_grid(duration: float, n_frames: int, *, sr: int, hop_length: int,
                length: float = 10.0, stride: float = 2.0) -> WindowGrid:
    """Build the window grid of a ``duration``-second track with ``n_frames`` frames."""
    eps = 1e-6
    if duration <= length + eps:
        starts = np.array([0.0])
        ends = np.array([duration])
    else:
        starts = np.arange(0.0, duration - length + eps, stride)
        if starts[-1] + length < duration - eps:
            starts = np.append(starts, duration - length)
        ends = starts + length
    fps = sr / hop_length
    f0 = np.clip(np.ceil(starts * fps - eps).astype(int), 0, n_frames - 1)
    f1 = np.clip(np.ceil(ends * fps - eps).astype(int), f0 + 1, n_frames)
    return WindowGrid(starts, ends, f0, f1, length, stride)


def _cumsum0(x: np.ndarray) -> np.ndarray:
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    return np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x, axis=1)], axis=1)


def window_mean(x: np.ndarray, grid: WindowGrid) -> np.ndarray:
    """Mean of frame-level ``x`` (shape (d, T) or (T,)) over each window -> (n, d)."""
    c = _cumsum0(x)
    n = (grid.end_frames - grid.start_frames)[:, None]
    return (c[:, grid.end_frames] - c[:, grid.start_frames]).T / n


def window_std(x: np.ndarray, grid: WindowGrid) -> np.ndarray:
    """Standard deviation of frame-level ``x`` over each window -> (n, d)."""
    mean = window_mean(x, grid)
    sq = window_mean(np.atleast_2d(np.asarray(x, np.float64)) ** 2, grid)
    return np.sqrt(np.maximum(sq - mean ** 2, 0.0))
