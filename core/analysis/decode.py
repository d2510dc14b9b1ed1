"""Decoding: open a file with the first decoder that accepts it, and stream its blocks
into the mono analysis copy.

Two decoders, tried in order:

* ``soundfile`` (libsndfile 1.2: wav, flac, ogg/vorbis/opus, mp3, aiff, ...), and
* ``av`` (FFmpeg's libraries shipped in the PyAV wheel) for what libsndfile cannot
  read (m4a/aac, wma, video containers with an audio stream, ...).

:func:`open_blocks` yields float32 ``(n, channels)`` blocks at the native rate, each
checked by :func:`check_block` as it is read; :func:`resample_blocks` mixes them to
mono and resamples them with a streaming soxr resampler, so a 60-minute file never
needs its 44.1 kHz stereo samples in memory at once; :func:`decode_halves` does that
for the two halves of a long seekable file on two cores.  The public entry is
:mod:`core.analysis.audio`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from core.errors import (EmptyAudioError, NonFiniteAudioError, TwintrackError,
                         UnreadableAudioError)
from core.progress import Reporter

__all__ = ["open_blocks", "check_block", "resample_blocks", "decode_halves"]

logger = logging.getLogger(__name__)

_BLOCK_FRAMES = 1 << 18  # ~6 s at 44.1 kHz: small enough to cancel quickly


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


# ----------------------------------------------------------------------------- resampling
@dataclass
class _Decoded:
    """Mono analysis samples of a frame range plus what we counted on the way."""

    y: np.ndarray
    frames: int
    peak: float = 0.0
    clipped: int = 0


def resample_blocks(blocks: Iterator[np.ndarray], *, rate: int, sr: int, first_frame: int,
                    count_from: int, total: int, reporter: Reporter, name: str,
                    count_to: int | None = None) -> _Decoded:
    """Check, mix to mono and resample decoded blocks starting at ``first_frame``.

    Frames outside ``[count_from, count_to)`` only prime or flush the resampler (an
    overlap with the neighbouring range); they are not counted.  Analysis needs nothing
    above 10 kHz, so soxr's medium quality (5x faster than high) is plenty.
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


def decode_halves(path: str, src: "_Source", sr: int, reporter: Reporter,
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
        later = pool.submit(resample_blocks, _soundfile_range(path, split - margin, src.frames),
                            first_frame=split - margin, count_from=split,
                            total=src.frames - split,
                            reporter=Reporter(cancelled=reporter.cancelled), **kw)
        first = resample_blocks(_soundfile_range(path, 0, split + margin), first_frame=0,
                                count_from=0, count_to=split, total=split + margin,
                                reporter=reporter, **kw)
        second = later.result()
    n1 = int(round(split * sr / rate))
    y = np.concatenate([_fit(first.y, n1), second.y[int(round(margin * sr / rate)):]])
    frames = first.frames + second.frames
    return _Decoded(_fit(y, int(round(frames * sr / rate))), frames,
                    max(first.peak, second.peak), first.clipped + second.clipped)
