"""The GUI's long work as plain functions: no Qt, picklable, testable on their own.

Each task takes keyword-only ``progress(fraction, stage)`` and ``cancelled()`` hooks
(see :mod:`core.progress`) and returns plain, immutable data; :mod:`gui.workers` runs
them off the GUI thread (in a warm child process when :mod:`gui.isolation` is on).
The tasks compose ``core`` calls and prepare what the views draw (waveform peaks,
spectrogram image), so no widget ever computes anything from audio.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from core.errors import Cancelled
from core.progress import CancelledFn, ProgressFn, Reporter

__all__ = ["Envelope", "Spectrogram", "LoadedTrack", "RenderedVariant", "envelope_of",
           "spectrogram_of", "load_track", "analyze_track", "render_track", "warm_up",
           "prepare_playback", "load_render", "render_companions",
           "export_analysis", "export_render_audio", "export_render_midi", "AUDIO_SUFFIXES",
           "expand_paths"]

PartialFn = Callable[[object], None]

#: Files a dropped or opened folder contributes (anything else in it is skipped).
AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif",
                            ".aiff", ".m4a", ".aac", ".wma", ".caf", ".w64"})
#: Upper bound on waveform bins per track: enough detail, cheap to redraw and to ship.
_MAX_BINS = 400_000
_PARTIAL_EVERY = 1.0  # seconds between progressive waveform updates (each is a repaint)


# ----------------------------------------------------------------------------- data
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
class Spectrogram:
    """A log-frequency power image in dB (0 dB = loudest cell), for display only.

    ``image`` has shape (n_frames, n_bands): axis 0 is time, axis 1 frequency from
    ``fmin`` to ``fmax`` (log-spaced), as pyqtgraph's column-major ImageItem expects.
    """

    image: np.ndarray
    duration: float
    fmin: float
    fmax: float


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
    spectrogram: Spectrogram | None


@dataclass(frozen=True)
class RenderedVariant:
    """One render of a document: its timeline and audio, and the render's own analysis."""

    index: int
    render: object  # core.render.engine.Render
    analysis: object  # core.record.Analysis of the render
    envelope: Envelope
    playback: np.ndarray | None = None  # audio at the player's rate if it differs


# ----------------------------------------------------------------------------- helpers
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


def spectrogram_of(mono: np.ndarray, sr: int, *, n_fft: int = 2048, columns: int = 2000,
                   bands: int = 160, fmin: float = 40.0) -> Spectrogram:
    """A display spectrogram with at most ``columns`` frames (hop grows with the track)."""
    n = len(mono)
    duration = n / sr
    fmax = sr / 2
    if n < n_fft:
        return Spectrogram(np.full((1, bands), -80.0, np.float32), duration, fmin, fmax)
    hop = max(n_fft // 4, (n - n_fft) // columns + 1)
    starts = np.arange(0, n - n_fft + 1, hop)
    view = np.lib.stride_tricks.sliding_window_view(np.asarray(mono, np.float32), n_fft)
    frames = view[starts] * np.hanning(n_fft).astype(np.float32)
    spectrum = np.fft.rfft(frames, axis=1)
    power = spectrum.real ** 2 + spectrum.imag ** 2
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = np.geomspace(fmin, fmax, bands + 1)
    idx = np.clip(np.searchsorted(freqs, edges), 1, len(freqs) - 1)
    csum = np.concatenate([np.zeros((len(power), 1)), np.cumsum(power, axis=1)], axis=1)
    hi = np.maximum(idx[1:], idx[:-1] + 1)
    banded = (csum[:, hi] - csum[:, idx[:-1]]) / (hi - idx[:-1])
    db = 10.0 * np.log10(np.maximum(banded, 1e-12))
    db -= db.max()
    return Spectrogram(np.maximum(db, -80.0).astype(np.float32), duration, fmin, fmax)


def _open_blocks(path: str):
    """The core decoder for ``path`` (native rate, float32 blocks)."""
    from core.analysis.audio import open_blocks

    return open_blocks(path)


# ----------------------------------------------------------------------------- tasks
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
    play, play_sr = _stereo(data, rate, playback_sr)
    rep(1.0, "loaded")
    return LoadedTrack(path, play, play_sr, rate, channels, done / rate, env, spec)


def _stereo(data: np.ndarray, sr: int, target: int | None) -> tuple[np.ndarray, int]:
    """(frames, 2) float32 C-contiguous at ``target`` (or ``sr``) for the player."""
    y = data[:, :2] if data.shape[1] >= 2 else np.repeat(data[:, :1], 2, axis=1)
    if target and int(target) != sr:
        import soxr

        y = soxr.resample(y, sr, int(target), quality="HQ")
        sr = int(target)
    return np.ascontiguousarray(y, dtype=np.float32), sr


def analysis_options(model: str = "default", vocal_suppression: bool = False):
    """The descriptor model and analysis settings of the GUI's preferences.

    ``model`` is ``'default'`` (the shipped model), ``'none'`` or a model file; it is
    loaded in the process that runs the task (the shipped one once per process).

    Raises
    ------
    core.errors.FormatError, core.classify.UntrustedModelError
        The model file is unreadable or not a trusted Twintrack model.
    """
    from core.record import Settings

    return _model(model, _stamp(model)), Settings(vocal_suppression=bool(vocal_suppression))


def _stamp(spec: str) -> tuple[int, int] | None:
    """A model file's (mtime, size): a changed file is loaded again."""
    try:
        st = os.stat(spec)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=2)
def _model(spec: str, stamp):
    """:func:`core.classify.resolve_model`, once per file version in this process (every
    analysis and render of a session reads the same model; loading checks and parses a
    several-MB archive).  Failures are not cached."""
    from core.classify import resolve_model

    return resolve_model(spec)


def analyze_track(path: str | os.PathLike, *, model: str = "default",
                  vocal_suppression: bool = False, progress: ProgressFn | None = None,
                  cancelled: CancelledFn | None = None):
    """:func:`core.analysis.pipeline.analyze` with the preferences' model and vocal suppression
    (the GUI's analysis request)."""
    from core.analysis.pipeline import analyze

    descriptor_model, settings = analysis_options(model, vocal_suppression)
    return analyze(path, settings=settings, model=descriptor_model, progress=progress,
                   cancelled=cancelled)


def render_track(analysis, *, variants: int = 1, seed: int = 0,
                 playback_sr: int | None = None, model: str = "default",
                 vocal_suppression: bool = False, progress: ProgressFn | None = None,
                 cancelled: CancelledFn | None = None) -> tuple[RenderedVariant, ...]:
    """Plan multi-region timelines, render each, and analyse each render.

    Returns
    -------
    tuple of RenderedVariant
        One per variant, in order; each carries its render's analysis so the B lane
        can show the render's own form, tempo and key.
    """
    from core.analysis.pipeline import analyze_audio
    from core.analysis.audio import audio_from_array
    from core.render.planning import plan_multi
    from core.render.engine import render_timeline

    rep = Reporter(progress, cancelled)
    rep(0.0, "planning")
    descriptor_model, settings = analysis_options(model, vocal_suppression)
    timelines = plan_multi(analysis, variants=max(1, int(variants)), seed=seed)
    stem = Path(analysis.track.path).stem
    out = []
    for i, (tl, part) in enumerate(zip(timelines, rep.split([1.0] * len(timelines)))):
        tag = f"render {i + 1}/{len(timelines)}: " if len(timelines) > 1 else ""
        r_render, r_analyse = Reporter(_prefixed(progress, tag), cancelled, part.start,
                                       part.stop).split([1.0, 1.5])
        render = render_timeline(tl, seed=int(tl.meta.get("seed", seed + i)),
                                 progress=r_render, cancelled=cancelled)
        r_analyse(0.0, "analysing the render")
        r_analyse = Reporter(_prefixed(progress, tag + "analysing the render: "), cancelled,
                             r_analyse.start, r_analyse.stop)
        audio = audio_from_array(render.audio, render.sr, name=f"{stem} (render {i + 1})")
        ra = analyze_audio(audio, settings=settings, model=descriptor_model, reporter=r_analyse)
        playback = None
        if playback_sr and int(playback_sr) != render.sr:
            playback, _ = _stereo(render.audio, render.sr, playback_sr)
        out.append(RenderedVariant(i, render, ra, envelope_of(render.audio, render.sr), playback))
    rep(1.0, "render ready")
    return tuple(out)


def render_companions(path: str | os.PathLike) -> tuple[Path, Path]:
    """Where a render's timeline and analysis live: ``<stem>.timeline.json`` and
    ``<stem>.json`` beside the audio (as ``twintrack demo`` and ``render`` write them)."""
    path = Path(path)
    return (path.with_name(path.stem + ".timeline.json"), path.with_name(path.stem + ".json"))


def load_render(path: str | os.PathLike, *, playback_sr: int | None = None,
                progress: ProgressFn | None = None,
                cancelled: CancelledFn | None = None) -> tuple[RenderedVariant, ...]:
    """A render written earlier (WAV/FLAC plus its timeline JSON) as the B variant.

    The render's analysis is read from ``<stem>.json`` when it is there, else made
    here.  The notes are not stored with the audio, so MIDI export needs a new render.

    Raises
    ------
    core.errors.TwintrackError
        The audio or the timeline cannot be read (the message names the file).
    """
    from core.analysis.pipeline import analyze_audio
    from core.analysis.audio import audio_from_array, load_original
    from core.errors import TwintrackError
    from core.record import load_analysis
    from core.render.engine import Render
    from core.render.midi import TempoMap
    from core.render.timeline import load_timeline

    rep = Reporter(progress, cancelled)
    path = Path(path)
    timeline_path, analysis_path = render_companions(path)
    if not timeline_path.exists():
        raise TwintrackError(f"{path.name}: its timeline {timeline_path.name} is not beside "
                             "it, so it cannot be shown as a render")
    rep(0.0, "reading the render")
    timeline = load_timeline(timeline_path)
    audio, sr = load_original(path, reporter=Reporter(progress, cancelled, 0.0, 0.4))
    stereo, _ = _stereo(audio, sr, None)
    tempo = TempoMap(tuple((s.time, s.tempo) for s in timeline.spans if s.type == "metered"))
    render = Render(stereo, sr, (), (), tempo, timeline)
    if analysis_path.exists():
        rep(0.5, "reading the render's analysis")
        analysis = load_analysis(analysis_path)
    else:
        analysis = analyze_audio(audio_from_array(stereo, sr, name=path.name),
                                 reporter=Reporter(_prefixed(progress, "analysing the render: "),
                                                   cancelled, 0.4, 0.95))
    playback = None
    if playback_sr and int(playback_sr) != sr:
        playback, _ = _stereo(stereo, sr, playback_sr)
    rep(1.0, "render ready")
    return (RenderedVariant(0, render, analysis, envelope_of(stereo, sr), playback),)


def prepare_playback(sources: tuple, *, samplerate: int, progress: ProgressFn | None = None,
                     cancelled: CancelledFn | None = None) -> tuple:
    """Audio as the player's callback reads it, made off the GUI thread.

    Parameters
    ----------
    sources : tuple
        Per source ``(audio, sr)`` (``(None, None)``: no source, an empty array comes
        back) or None (nothing asked: None comes back).
    samplerate : int
        The output stream's rate.

    Returns
    -------
    tuple
        :func:`core.playback.prepare_source` of each source: read-only (frames, 2)
        float32 arrays that ``Player.set_sources`` takes without copying.
    """
    from core.playback import prepare_source

    rep = Reporter(progress, cancelled)
    out = []
    for i, source in enumerate(sources):
        rep(i / max(len(sources), 1), "preparing playback")
        out.append(None if source is None else
                   prepare_source(source[0], source[1], samplerate=samplerate))
    rep(1.0, "playback ready")
    return tuple(out)


def _prefixed(progress: ProgressFn | None, prefix: str) -> ProgressFn | None:
    """``progress`` with ``prefix`` in front of every stage name."""
    if progress is None or not prefix:
        return progress
    return lambda fraction, stage: progress(fraction, prefix + stage)


def warm_up(*, progress: ProgressFn | None = None, cancelled: CancelledFn | None = None) -> float:
    """Load librosa and numba's compiled kernels by analysing 12 s of a synthetic track,
    with the shipped descriptor model (loaded once per process)."""
    from core.analysis.pipeline import analyze_audio
    from core.analysis.audio import audio_from_array
    from core.classify import default_model
    from core.app.warmup import synthetic_track

    t0 = time.perf_counter()
    if cancelled is not None and cancelled():
        raise Cancelled("cancelled")
    try:
        model = default_model()
    except Exception:  # a damaged shipped model is reported by the first analysis
        model = None
    analyze_audio(audio_from_array(synthetic_track(seconds=12.0), 22050, name="warm-up"),
                  model=model)
    if progress is not None:
        progress(1.0, "warmed up")
    return time.perf_counter() - t0


# ----------------------------------------------------------------------------- exports
def export_analysis(analysis, path: str | os.PathLike, fmt: str, *,
                    progress: ProgressFn | None = None,
                    cancelled: CancelledFn | None = None) -> str:
    """Write ``analysis`` in one of :data:`core.io.export.WRITERS`' formats to ``path``."""
    from core.io.export import WRITERS

    WRITERS[fmt][1](analysis, path)
    return os.fspath(path)


def export_render_audio(render, path: str | os.PathLike, *, progress: ProgressFn | None = None,
                        cancelled: CancelledFn | None = None) -> str:
    """Write the render as WAV or FLAC (by extension)."""
    from core.render.engine import write_audio

    write_audio(render, path)
    return os.fspath(path)


def export_render_midi(render, path: str | os.PathLike, *, progress: ProgressFn | None = None,
                       cancelled: CancelledFn | None = None) -> str:
    """Write the render's notes as a Standard MIDI File."""
    render.write_midi(path)
    return os.fspath(path)


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
