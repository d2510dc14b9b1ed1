"""Audio in: decode any supported file, check it, and make the analysis copy.

This module is the public entry: :func:`load_for_analysis`, :func:`load_original`,
:func:`audio_from_array` and :func:`probe`, what they return (:class:`AnalysisAudio`,
:class:`AudioInfo`), the length check and the notes on what we heard while reading.
Decoding itself (soundfile, then FFmpeg through ``av``; blocks; streaming resampling)
is :mod:`core.analysis.decode`; :func:`open_blocks` and :func:`check_block` are
re-exported here for callers that read blocks themselves.

The analysis copy is a mono mix resampled to 22.05 kHz, produced block by block
(decode -> mix -> streaming soxr resample) so a 60-minute file never needs its
44.1 kHz stereo samples in memory at once.  The original is not kept in memory:
:class:`AudioInfo` records where it is and what it is, and :func:`load_original`
reads it again for playback.

Bad input raises a :class:`core.errors.AudioError` subclass whose message names the
file and says what is wrong, in words a user understands.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.analysis.decode import check_block, decode_halves, open_blocks, resample_blocks
from core.errors import EmptyAudioError, TooShortError
from core.progress import Reporter

__all__ = ["AudioInfo", "AnalysisAudio", "load_for_analysis", "load_original", "audio_from_array",
           "probe", "file_sha256", "open_blocks", "check_block", "check_length",
           "MIN_DURATION", "ANALYSIS_SR"]

ANALYSIS_SR = 22050
#: Shortest audio we analyse, in seconds.  Shorter than this there is no tempo,
#: key or form to speak of (one frame of a 2048-point STFT is ~0.1 s).
MIN_DURATION = 1.0


@dataclass(frozen=True)
class AudioInfo:
    """What a source file is: location, content hash and native format.

    Plain data; safe to share between threads.
    """

    path: str
    sha256: str
    sample_rate: int
    channels: int
    frames: int
    format: str
    subtype: str
    decoder: str

    @property
    def duration(self) -> float:
        """Length in seconds of what was actually decoded."""
        return self.frames / self.sample_rate if self.sample_rate else 0.0


@dataclass(frozen=True)
class AnalysisAudio:
    """The mono analysis copy of a file plus what we noticed while reading it.

    ``y`` is read-only float32 at ``sr``; ``notes`` are short user-facing remarks
    such as ``"clipped"`` or ``"DC offset removed"``.
    """

    info: AudioInfo
    y: np.ndarray
    sr: int
    notes: tuple[str, ...] = field(default=())

    @property
    def duration(self) -> float:
        return len(self.y) / self.sr


def file_sha256(path: str | os.PathLike, *, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes (identifies the source of an analysis)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


# ----------------------------------------------------------------------------- checks
def check_length(frames: int, rate: int, name: str) -> None:
    """Raise :class:`EmptyAudioError` / :class:`TooShortError` for too few frames."""
    if frames == 0:
        raise EmptyAudioError(f"{name}: the file contains no audio samples")
    if frames < MIN_DURATION * rate:
        raise TooShortError(
            f"{name}: the audio is only {frames} sample{'s' if frames != 1 else ''} "
            f"({frames / rate:.3f} s) long; at least "
            f"{MIN_DURATION:g} s is needed for analysis")


def _notes(y: np.ndarray, peak: float, clipped: int, total: int) -> list[str]:
    notes = []
    if peak < 1e-4:
        notes.append("silent")
    if total and clipped / total > 1e-3:
        notes.append(f"clipped ({100.0 * clipped / total:.1f}% of samples at full scale)")
    return notes


# ----------------------------------------------------------------------------- public API
def probe(path: str | os.PathLike) -> AudioInfo:
    """Read a file's native format without decoding it (frames are the header's count)."""
    src = open_blocks(os.fspath(path))
    info = AudioInfo(os.fspath(path), "", src.sample_rate, src.channels, src.frames,
                     src.format, src.subtype, src.decoder)
    src.blocks.close()
    return info


def load_for_analysis(path: str | os.PathLike, *, sr: int = ANALYSIS_SR,
                      reporter: Reporter | None = None) -> AnalysisAudio:
    """Decode ``path`` into a mono float32 copy at ``sr`` for analysis.

    Long seekable files are decoded as two halves on two cores.

    Parameters
    ----------
    path : str or path-like
        Any file libsndfile or FFmpeg can decode.
    sr : int
        Target sample rate of the analysis copy.
    reporter : Reporter, optional
        Progress (fraction of the file decoded) and cancellation.

    Returns
    -------
    AnalysisAudio
        ``y`` has shape ``(n,)``; a DC offset is removed and noted.

    Raises
    ------
    UnreadableAudioError, EmptyAudioError, TooShortError, NonFiniteAudioError
        With a message naming the file and the problem.
    core.errors.Cancelled
        If the reporter's ``cancelled`` turns true.
    """
    reporter = reporter or Reporter()
    path = os.fspath(path)
    name = Path(path).name
    src = open_blocks(path)
    try:
        if src.decoder == "soundfile" and src.frames > 60 * src.sample_rate:
            dec = decode_halves(path, src, sr, reporter, name)
        else:
            dec = resample_blocks(src.blocks, rate=src.sample_rate, sr=sr, first_frame=0,
                                  count_from=0, total=src.frames, reporter=reporter, name=name)
    finally:
        src.blocks.close()
    check_length(dec.frames, src.sample_rate, name)
    y = dec.y.astype(np.float32, copy=False)
    notes = _notes(y, dec.peak, dec.clipped, dec.frames * src.channels)
    if src.frames and dec.frames < src.frames:
        notes.append(f"truncated ({dec.frames} of {src.frames} frames decoded)")
    offset = float(y.mean())
    if abs(offset) > 1e-3:
        y -= offset
        notes.append(f"DC offset {offset:+.3f} removed")
    y.flags.writeable = False
    info = AudioInfo(path, file_sha256(path), src.sample_rate, src.channels, dec.frames,
                     src.format, src.subtype, src.decoder)
    reporter(1.0, "decoding")
    return AnalysisAudio(info, y, sr, tuple(notes))


def load_original(path: str | os.PathLike, *, reporter: Reporter | None = None
                  ) -> tuple[np.ndarray, int]:
    """Decode ``path`` at its native rate and channel count for playback.

    Returns
    -------
    data : np.ndarray, shape (frames, channels), float32
    sample_rate : int
    """
    reporter = reporter or Reporter()
    path = os.fspath(path)
    name = Path(path).name
    src = open_blocks(path)
    parts, done = [], 0
    for block in src.blocks:
        reporter(min(done / max(src.frames, 1), 0.99), "decoding")
        check_block(block, done, src.sample_rate, name)
        parts.append(block)
        done += len(block)
    check_length(done, src.sample_rate, name)
    return np.concatenate(parts), src.sample_rate


def audio_from_array(y: np.ndarray, sr: int, *, name: str = "<memory>",
                     target_sr: int = ANALYSIS_SR) -> AnalysisAudio:
    """Make the analysis copy of samples already in memory (a render, a test signal).

    Parameters
    ----------
    y : np.ndarray, shape (n,) or (n, channels)
    sr : int
        Sample rate of ``y``.
    name : str
        Stands in for the file path in messages and in the analysis.
    """
    import soxr

    data = np.asarray(y, dtype=np.float32)
    if data.ndim == 1:
        data = data[:, None]
    check_block(data, 0, sr, name)
    check_length(len(data), sr, name)
    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    out = soxr.resample(mono, sr, target_sr, quality="HQ") if sr != target_sr else mono.copy()
    out = np.ascontiguousarray(out, dtype=np.float32)
    out.flags.writeable = False
    digest = hashlib.sha256(np.ascontiguousarray(data).tobytes()).hexdigest()
    info = AudioInfo(name, digest, sr, data.shape[1], len(data), "ARRAY", "FLOAT", "memory")
    peak = float(np.abs(data).max())
    return AnalysisAudio(info, out, target_sr, tuple(_notes(out, peak, 0, data.size)))
