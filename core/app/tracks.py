"""Opening a track for playback and display: what the A lane draws and the player plays.

Owns the waveform data made from audio (:class:`Envelope` peaks), the decoded track
(:class:`LoadedTrack`, made by :func:`load_track` with growing waveforms sent as it
decodes) and which files an opened folder contributes (:func:`expand_paths`,
:data:`AUDIO_SUFFIXES`).  A loaded track carries its spectrogram at the default window
and scale (:mod:`core.app.spectrogram`).  The views draw these; no widget computes
anything from audio.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from core.app.listen import playback_audio
from core.app.spectrogram import Spectrogram, spectrogram_of
from core.progress import CancelledFn, ProgressFn, Reporter

__all__ = ["Envelope", "LoadedTrack", "envelope_of", "load_track", "expand_paths",
           "AUDIO_SUFFIXES"]

PartialFn = Callable[[object], None]

#: Files a dropped or opened folder contributes (anything else in it is skipped).
AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif",
                            ".aiff", ".m4a", ".aac", ".wma", ".caf", ".w64"})
#: Upper bound on waveform bins per track: enough detail, cheap to redraw and to ship.
_MAX_BINS = 400_000
_PARTIAL_EVERY = 1.0  # seconds between progressive waveform updates (each is a repaint)


@dataclass(frozen=True)
class Envelope:
    """Min/max peaks of audio in bins of ``bin_frames`` frames: what a waveform lane draws.

    ``mins``/``maxs`` cover the decoded part; ``duration`` is the whole track's length
    in seconds (known from the header before decoding ends), so a partial envelope can
    be drawn on the final time axis.
    """

    sr: int
    bin_frames: int
    mins: np.ndarray  # (n_bins,) float32
    maxs: np.ndarray  # (n_bins,) float32
    duration: float

    @property
    def covered(self) -> float:
        """Seconds of audio the peaks describe."""
        return len(self.mins) * self.bin_frames / self.sr

    def xy(self) -> tuple[np.ndarray, np.ndarray]:
        """Interleaved (time, value) points: min then max per bin (a filled-looking trace)."""
        n = len(self.mins)
        x = np.repeat((np.arange(n) + 0.5) * (self.bin_frames / self.sr), 2)
        y = np.empty(2 * n, np.float32)
        y[0::2], y[1::2] = self.mins, self.maxs
        return x, y


@dataclass(frozen=True)
class LoadedTrack:
    """An original decoded for playback plus what its lanes draw."""

    path: str
    audio: np.ndarray  # (frames, 2) float32 at ``sr`` (the player's rate when given)
    sr: int
    native_sr: int
    channels: int
    duration: float
    envelope: Envelope
    spectrogram: Spectrogram | None  # at the default window size and scale



def _bin_frames(frames: int) -> int:
    """A power of two >= 32 keeping a track under :data:`_MAX_BINS` bins."""
    b = 32
    while frames / b > _MAX_BINS:
        b *= 2
    return b


class _Peaks:
    """Accumulates min/max per bin over blocks of any length (keeps the remainder)."""

    def __init__(self, bin_frames: int):
        self.bin = bin_frames
        self.mins: list[np.ndarray] = []
        self.maxs: list[np.ndarray] = []
        self._lo = self._hi = np.zeros(0, np.float32)

    def add(self, block: np.ndarray, *, last: bool = False) -> None:
        block = np.asarray(block, np.float32)
        if block.ndim == 1:
            block = block[:, None]
        # Element-wise over channels, then contiguous reductions: strided ones are 10x slower.
        lo, hi = block[:, 0].copy(), block[:, 0].copy()
        for c in range(1, block.shape[1]):
            np.minimum(lo, block[:, c], out=lo)
            np.maximum(hi, block[:, c], out=hi)
        lo, hi = np.concatenate([self._lo, lo]), np.concatenate([self._hi, hi])
        n = len(lo) // self.bin * self.bin
        if n:
            self.mins.append(lo[:n].reshape(-1, self.bin).min(axis=1))
            self.maxs.append(hi[:n].reshape(-1, self.bin).max(axis=1))
        self._lo, self._hi = lo[n:], hi[n:]
        if last and len(self._lo):
            self.mins.append(self._lo[None].min(axis=1))
            self.maxs.append(self._hi[None].max(axis=1))
            self._lo = self._hi = np.zeros(0, np.float32)

    def envelope(self, sr: int, duration: float) -> Envelope:
        cat = (lambda parts: np.concatenate(parts) if parts else np.zeros(0, np.float32))
        return Envelope(sr, self.bin, cat(self.mins), cat(self.maxs), duration)


def envelope_of(audio: np.ndarray, sr: int) -> Envelope:
    """Peaks of audio already in memory, shape (frames,) or (frames, channels)."""
    peaks = _Peaks(_bin_frames(len(audio)))
    peaks.add(np.asarray(audio, np.float32), last=True)
    return peaks.envelope(sr, len(audio) / sr)


def _open_blocks(path: str):
    """The core decoder for ``path`` (native rate, float32 blocks)."""
    from core.analysis.audio import open_blocks

    return open_blocks(path)


def load_track(path: str | os.PathLike, *, playback_sr: int | None = None,
               partial: PartialFn | None = None, progress: ProgressFn | None = None,
               cancelled: CancelledFn | None = None) -> LoadedTrack:
    """Decode ``path`` for playback and display, sending growing waveforms as it goes.

    Parameters
    ----------
    playback_sr : int, optional
        Resample the playback copy to this rate (the output stream's), so the player
        never resamples on the GUI thread.
    partial : callable, optional
        Called with an :class:`Envelope` of what is decoded so far, about every 1 s
        (the first after the first block), so the waveform shows while decoding.

    Raises
    ------
    core.errors.AudioError
        The file cannot be read (message says why).
    core.errors.Cancelled
    """
    from core.analysis import audio as core_audio

    rep = Reporter(progress, cancelled)
    path = os.fspath(path)
    name = Path(path).name
    rep(0.0, "opening")
    src = _open_blocks(path)
    rate, expected = src.sample_rate, max(int(src.frames), 1)
    peaks = _Peaks(_bin_frames(expected))
    parts: list[np.ndarray] = []
    done, last_sent = 0, 0.0
    try:
        for block in src.blocks:
            rep(min(done / expected, 0.99) * 0.8, "reading waveform")
            core_audio.check_block(block, done, rate, name)
            peaks.add(block)
            parts.append(block)
            done += len(block)
            now = time.monotonic()
            if partial is not None and now - last_sent >= _PARTIAL_EVERY:
                partial(peaks.envelope(rate, max(expected, done) / rate))
                last_sent = now
    finally:
        close = getattr(src.blocks, "close", None)
        if close:
            close()
    core_audio.check_length(done, rate, name)
    peaks.add(np.zeros((0, 1), np.float32), last=True)
    env = peaks.envelope(rate, done / rate)
    if partial is not None:
        partial(env)
    data = np.concatenate(parts) if len(parts) > 1 else parts[0]
    del parts
    channels = data.shape[1]
    rep(0.85, "spectrogram")
    mono = data.mean(axis=1) if channels > 1 else data[:, 0]
    spec = spectrogram_of(mono, rate)
    del mono
    rep(0.92, "preparing playback")
    play, play_sr = playback_audio(data, rate, playback_sr)
    rep(1.0, "loaded")
    return LoadedTrack(path, play, play_sr, rate, channels, done / rate, env, spec)


def expand_paths(paths: list[str | os.PathLike]) -> list[str]:
    """Files as given, folders replaced by the audio files inside them (sorted, recursive)."""
    out: list[str] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += sorted(os.fspath(f) for f in p.rglob("*")
                          if f.is_file() and f.suffix.lower() in AUDIO_SUFFIXES)
        else:
            out.append(os.fspath(p))
    return list(dict.fromkeys(out))
