"""Audio in: decode any supported file, check it, and make the analysis copy.

Two decoders, tried in order:

* ``soundfile`` (libsndfile 1.2: wav, flac, ogg/vorbis/opus, mp3, aiff, ...), and
* ``av`` (FFmpeg's libraries shipped in the PyAV wheel) for what libsndfile cannot
  read (m4a/aac, wma, video containers with an audio stream, ...).

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
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from core.errors import (EmptyAudioError, NonFiniteAudioError, TooShortError,
                         TwintrackError, UnreadableAudioError)
from core.progress import Reporter

__all__ = ["AudioInfo", "AnalysisAudio", "load_for_analysis", "load_original", "audio_from_array",
           "probe", "file_sha256", "open_blocks", "check_block", "check_length",
           "MIN_DURATION", "ANALYSIS_SR"]

logger = logging.getLogger(__name__)

ANALYSIS_SR = 22050
#: Shortest audio we analyse, in seconds.  Shorter than this there is no tempo,
#: key or form to speak of (one frame of a 2048-point STFT is ~0.1 s).
MIN_DURATION = 1.0
_BLOCK_FRAMES = 1 << 18  # ~6 s at 44.1 kHz: small enough to cancel quickly


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


# ----------------------------------------------------------------------------- decoders
class _Source:
    """An open decoder: native format plus an iterator of float32 (n, channels) blocks."""

    def __init__(self, sample_rate: int, channels: int, frames: int, fmt: str,
                 subtype: str, decoder: str, blocks: Iterator[np.ndarray]):
        self.sample_rate, self.channels, self.frames = sample_rate, channels, frames
        self.format, self.subtype, self.decoder = fmt, subtype, decoder
        self.blocks = blocks


def _open_soundfile(path: str) -> _Source:
    import soundfile as sf

    snd = sf.SoundFile(path)

    def blocks() -> Iterator[np.ndarray]:
        with snd:
            while True:
                block = snd.read(_BLOCK_FRAMES, dtype="float32", always_2d=True)
                if not len(block):
                    return
                yield block

    return _Source(snd.samplerate, snd.channels, snd.frames, snd.format, snd.subtype,
                   "soundfile", blocks())


def _open_av(path: str) -> _Source:
    import av

    container = av.open(path)
    try:
        stream = container.streams.audio[0]
    except IndexError:
        container.close()
        raise UnreadableAudioError(f"{Path(path).name}: the file has no audio stream") from None
    rate, channels = int(stream.rate or 0), int(stream.channels or 0)
    if rate <= 0 or channels <= 0:
        container.close()
        raise UnreadableAudioError(f"{Path(path).name}: the audio stream has no sample rate")
    frames = int(stream.duration * stream.time_base * rate) if stream.duration else 0

    def blocks() -> Iterator[np.ndarray]:
        with container:
            for frame in container.decode(stream):
                data = frame.to_ndarray()
                if frame.format.is_planar:
                    data = data.T
                else:
                    data = data.reshape(-1, channels)
                if data.dtype.kind in "iu":
                    scale = float(np.iinfo(data.dtype).max) + 1.0
                    data = data.astype(np.float32) / np.float32(scale)
                yield np.ascontiguousarray(data, dtype=np.float32)

    return _Source(rate, channels, frames, container.format.name.upper(),
                   stream.codec_context.name.upper(), "ffmpeg", blocks())


def open_blocks(path: str) -> _Source:
    """Open ``path`` with the first decoder that accepts it.

    The result has ``sample_rate``, ``channels``, ``frames`` (the header's count),
    ``format``, ``subtype``, ``decoder`` and ``blocks``: an iterator of float32
    ``(n, channels)`` blocks.  Check each block with :func:`check_block` and the total
    with :func:`check_length`; close ``blocks`` when done.
    """
    name = Path(path).name
    if not os.path.exists(path):
        raise UnreadableAudioError(f"{name}: no such file")
    if os.path.isdir(path):
        raise UnreadableAudioError(f"{name}: is a folder, not an audio file")
    if os.path.getsize(path) == 0:
        raise EmptyAudioError(f"{name}: the file is empty (0 bytes)")
    errors = []
    for opener in (_open_soundfile, _open_av):
        try:
            return opener(path)
        except UnreadableAudioError:
            raise
        except Exception as exc:  # decoders raise many types; we report them as one
            errors.append(f"{opener.__name__[6:]}: {exc}")
    logger.debug("could not open %s: %s", path, "; ".join(errors))
    raise UnreadableAudioError(
        f"{name}: not a readable audio file (unknown format or damaged header)")


# ----------------------------------------------------------------------------- checks
def check_block(block: np.ndarray, done: int, rate: int, name: str) -> None:
    """Raise :class:`NonFiniteAudioError` if ``block`` (starting at frame ``done``) has NaN/Inf."""
    if not np.isfinite(block).all():
        bad = int(np.argmin(np.isfinite(block).all(axis=1)))
        t = (done + bad) / rate
        raise NonFiniteAudioError(
            f"{name}: the audio contains invalid (NaN or infinite) sample values "
            f"from {t:.2f} s on; it cannot be analysed")


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


@dataclass
class _Decoded:
    """Mono analysis samples of a frame range plus what we counted on the way."""

    y: np.ndarray
    frames: int
    peak: float = 0.0
    clipped: int = 0


def _resample_blocks(blocks: Iterator[np.ndarray], *, rate: int, sr: int, first_frame: int,
                     count_from: int, total: int, reporter: Reporter, name: str,
                     count_to: int | None = None) -> _Decoded:
    """Check, mix to mono and resample decoded blocks starting at ``first_frame``.

    Frames outside ``[count_from, count_to)`` only prime or flush the resampler (an
    overlap with the neighbouring range); they are not counted.  Analysis needs nothing above 10 kHz, so soxr's medium quality (5x faster
    than high) is plenty.
    """
    import soxr

    resampler = soxr.ResampleStream(rate, sr, 1, dtype="float32", quality="MQ")
    parts: list[np.ndarray] = []
    out = _Decoded(np.zeros(0, np.float32), 0)
    done = first_frame
    try:
        for block in blocks:
            reporter(min((done - first_frame) / max(total, 1), 0.99), "decoding")
            check_block(block, done, rate, name)
            upto = len(block) if count_to is None else max(count_to - done, 0)
            counted = np.abs(block[max(count_from - done, 0):upto])
            if counted.size:
                out.peak = max(out.peak, float(counted.max()))
                out.clipped += int(np.count_nonzero(counted >= 0.999))
            parts.append(resampler.resample_chunk(block.mean(axis=1) if block.shape[1] > 1
                                                  else block[:, 0]))
            done += len(block)
        parts.append(resampler.resample_chunk(np.zeros(0, np.float32), last=True))
    except TwintrackError:
        raise
    except Exception as exc:  # a decoder failing mid-file: keep what decoded cleanly
        if done == first_frame:
            raise UnreadableAudioError(f"{name}: the audio data cannot be decoded") from exc
        logger.warning("%s: decoding stopped after %d frames: %s", name, done, exc)
    out.y = np.concatenate(parts) if parts else out.y
    out.frames = max((done if count_to is None else min(done, count_to)) - count_from, 0)
    return out


def _soundfile_range(path: str, start: int, stop: int) -> Iterator[np.ndarray]:
    import soundfile as sf

    with sf.SoundFile(path) as snd:
        snd.seek(start)
        pos = start
        while pos < stop:
            block = snd.read(min(_BLOCK_FRAMES, stop - pos), dtype="float32", always_2d=True)
            if not len(block):
                return
            yield block
            pos += len(block)


def _fit(y: np.ndarray, n: int) -> np.ndarray:
    return y[:n] if len(y) >= n else np.concatenate([y, np.zeros(n - len(y), y.dtype)])


def _decode_halves(path: str, src: "_Source", sr: int, reporter: Reporter,
                   name: str) -> _Decoded:
    """Decode the two halves of a seekable file on two cores and join them exactly.

    The split falls on a frame where input and output sample grids meet, and each
    half runs a little past the split (the first to flush its resampler with real
    samples, the second to prime it): the joined signal equals the whole-file
    resampling.
    """
    import math
    from concurrent.futures import ThreadPoolExecutor

    rate = src.sample_rate
    step = rate // math.gcd(rate, sr)
    split = (src.frames // 2 // step) * step
    margin = -(-8192 // step) * step
    kw = dict(rate=rate, sr=sr, name=name)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="decode") as pool:
        later = pool.submit(_resample_blocks, _soundfile_range(path, split - margin, src.frames),
                            first_frame=split - margin, count_from=split,
                            total=src.frames - split, reporter=Reporter(cancelled=reporter.cancelled),
                            **kw)
        first = _resample_blocks(_soundfile_range(path, 0, split + margin), first_frame=0,
                                 count_from=0, count_to=split, total=split + margin,
                                 reporter=reporter, **kw)
        second = later.result()
    n1 = int(round(split * sr / rate))
    y = np.concatenate([_fit(first.y, n1), second.y[int(round(margin * sr / rate)):]])
    frames = first.frames + second.frames
    return _Decoded(_fit(y, int(round(frames * sr / rate))), frames,
                    max(first.peak, second.peak), first.clipped + second.clipped)


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
            dec = _decode_halves(path, src, sr, reporter, name)
        else:
            dec = _resample_blocks(src.blocks, rate=src.sample_rate, sr=sr, first_frame=0,
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
