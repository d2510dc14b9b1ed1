"""The render engine: a timeline in, a stereo 44.1 kHz render (and its notes) out.

For every region of the timeline the composer writes an arrangement from the
region's descriptor, tempo and key, and the mixer plays it.  Regions are rendered
separately (each has its own parts, reverb and dynamics) with a few milliseconds of
overlap and joined with equal-power crossfades centred exactly on the timeline's
region-change times, so the music changes where the timeline says and never clicks.
The output is exactly ``round(timeline.duration * sr)`` samples long.  Regions render
concurrently in :data:`WORKERS` threads (their notes synthesised in series inside each);
the result does not depend on the scheduling.

:func:`render_timeline` is a plain function with progress and cancel hooks.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from core.descriptors import Descriptor, Dictionary, load_dictionary
from core.io.atomic import atomic_path
from core.progress import CancelledFn, ProgressFn, Reporter
from core.render.composer import Style, compose_region
from core.render.dsp import equal_power_crossfade, linear_ramp
from core.render.events import NoteEvent, PartSpec
from core.render.midi import TempoMap, write_midi
from core.render.mixer import render_mix
from core.render.production import render_sampled_mix
from core.render.soundfont import SoundFont, select_instruments
from core.render.timeline import RegionView, Timeline

__all__ = ["Render", "render_timeline", "style_of", "write_audio"]

logger = logging.getLogger(__name__)
SR = 44100
#: Fade-out (seconds) over the last samples of a render.
END_FADE = 0.05
CROSSFADE = 0.03  # seconds, centred on each region change
WORKERS = 2       # regions rendered at once (numpy, scipy and soxr release the GIL)
#: What plays the notes unless the caller says (see :func:`render_timeline`).
DEFAULT_INSTRUMENTS = "synth"


@dataclass(frozen=True)
class Render:
    """A finished render: audio, the notes that made it, and the tempo map."""

    audio: np.ndarray            # (n, 2) float32
    sr: int
    events: tuple[NoteEvent, ...]
    parts: tuple[PartSpec, ...]
    tempo_map: TempoMap
    timeline: Timeline
    instruments: str = "synth"          # what played the notes: "synth" or "soundfont"
    notes: tuple[str, ...] = ()         # e.g. why "auto" fell back to synthesis

    @property
    def duration(self) -> float:
        return len(self.audio) / self.sr

    def write_midi(self, path: str | os.PathLike) -> None:
        """The render's notes as a Standard MIDI File."""
        write_midi(self.events, self.parts, self.tempo_map, path,
                   title=str(self.timeline.meta.get("title", "Twintrack render")),
                   region_starts=[r.start for r in self.timeline.regions()])

    @classmethod
    def from_file(cls, path: str | os.PathLike, timeline: Timeline, *,
                  reporter: Reporter | None = None) -> Render:
        """A render written earlier (WAV/FLAC, as :func:`write_audio` writes it) with the
        timeline it was made from.

        The audio is stereo float32 at the file's rate; the tempo map comes from the
        timeline's metered spans.  The notes are not stored with the audio, so
        ``events`` and ``parts`` are empty (MIDI export needs a new render).

        Raises
        ------
        core.errors.AudioError
            The file cannot be read (the message names it).
        core.errors.Cancelled
        """
        from core.analysis.audio import load_original

        data, sr = load_original(path, reporter=reporter)
        stereo = data[:, :2] if data.shape[1] >= 2 else np.repeat(data[:, :1], 2, axis=1)
        tempo = TempoMap(tuple((s.time, s.tempo) for s in timeline.spans if s.type == "metered"))
        return cls(np.ascontiguousarray(stereo, dtype=np.float32), sr, (), (), tempo, timeline)


def style_of(descriptor: Descriptor) -> Style:
    """The composer's view of a descriptor: its identity plus its render tags."""
    names = {f.name for f in fields(Style)}
    tags = {k: v for k, v in vars(descriptor.tags).items() if k in names}
    return Style(genre=descriptor.genre, subgenre=descriptor.subgenre, mood=descriptor.mood,
                 valence=descriptor.valence, momentum=descriptor.momentum,
                 sentiment=descriptor.sentiment, **tags)


def _render_region(view: RegionView, index: int, n_regions: int, *, dictionary: Dictionary,
                   seed: int, sr: int, pad: float, rep: Reporter | None = None,
                   workers: int = 1, font: SoundFont | None = None
                   ) -> tuple[np.ndarray, tuple, tuple]:
    """Audio (2, m) of one region from ``start - pad`` to ``end + pad``, and its
    notes/parts."""
    # cancellation is checked inside the mix too (per note); progress is the caller's
    check = Reporter(None, rep.cancelled) if rep is not None else None
    if check is not None:
        check.check()
    desc = dictionary.by_name(view.region.descriptor)
    groups = view.span.instrument_groups or desc.tags.instrument_groups
    arr = compose_region(style_of(desc), tempo=view.tempo, tonic=view.region.tonic,
                         mode=view.region.mode, start=view.start, duration=view.duration,
                         instrument_groups=groups, seed=seed * 1009 + index,
                         intro=index == 0, ending=index == n_regions - 1,
                         voice=font is not None)
    lead = pad if index > 0 else 0.0
    length = view.duration + lead + (pad if index < n_regions - 1 else 0.0)
    if font is not None:
        audio = render_sampled_mix(arr.events, arr.parts, arr.mix, font=font, genre=desc.genre,
                                   length=length, seed=seed + index, workers=workers,
                                   offset=lead - view.start, reporter=check)
    else:
        audio = render_mix(arr.events, arr.parts, arr.mix, length=length, sr=sr,
                           seed=seed + index, workers=workers, offset=lead - view.start,
                           reporter=check, channels_first=True)
    parts = tuple(PartSpec(f"r{index}:{p.name}", p.instrument, p.gain_db, p.pan, p.reverb_send)
                  for p in arr.parts)
    names = {p: f"r{index}:{p}" for p in {e.part for e in arr.events}}
    events = tuple(NoteEvent(e.start, e.duration, e.pitch, e.velocity, names[e.part],
                             e.instrument) for e in arr.events)
    return audio, events, parts


def render_timeline(timeline: Timeline, *, seed: int = 0, sr: int = SR,
                    dictionary: Dictionary | None = None, instruments: str | None = None,
                    soundfont: str | os.PathLike | None = None,
                    progress: ProgressFn | None = None,
                    cancelled: CancelledFn | None = None) -> Render:
    """Compose and synthesise ``timeline``.

    Parameters
    ----------
    timeline : Timeline
    seed : int
        Same timeline + seed = the same render, sample for sample.
    sr : int
        Output sample rate.
    dictionary : Dictionary, optional
        Descriptor dictionary (default: the shipped one).
    instruments : str, optional
        What plays the notes: ``"synth"`` (the hand-built synthesis), ``"soundfont"``
        (sampled, :mod:`core.render.soundfont`, produced per genre, with a sung or rapped
        voice for the genres that have one: :mod:`core.render.voice`) or ``"auto"`` (the
        SoundFont when one is found and loads, else synthesis, with a note in
        ``Render.notes``); default :data:`DEFAULT_INSTRUMENTS`.
    soundfont : path, optional
        The SoundFont file (default: :func:`core.render.soundfont.find_soundfont`).
    progress, cancelled : callable, optional
        See :mod:`core.progress`.

    Raises
    ------
    core.descriptors.UnknownDescriptorError
        A region names a descriptor the dictionary does not have.
    core.render.soundfont.SoundFontError
        ``instruments="soundfont"`` and no SoundFont is found or it does not load.
    core.errors.Cancelled
    """
    rep = Reporter(progress, cancelled)
    font, notes = select_instruments(instruments or DEFAULT_INSTRUMENTS, soundfont, sr)
    dictionary = dictionary or load_dictionary()
    views = timeline.regions()
    for v in views:  # fail before any work if a descriptor is unknown
        dictionary.by_name(v.region.descriptor)
    n_total = int(round(timeline.duration * sr))
    out = np.zeros((n_total, 2), dtype=np.float32)
    half = int(round(CROSSFADE * sr / 2))
    events: list[NoteEvent] = []
    parts: list[PartSpec] = []
    rep(0.0, f"rendering {len(views)} regions")
    # Regions are independent (own seed, parts, reverb and dynamics), so they render
    # concurrently; they are joined in timeline order, hence the same output as in series.
    outer = max(min(WORKERS, len(views)), 1)
    inner = max(WORKERS // outer, 1)      # a lone region synthesises its notes in parallel
    with ThreadPoolExecutor(max_workers=outer) as pool:
        futures = [pool.submit(_render_region, view, i, len(views), dictionary=dictionary,
                               seed=seed, sr=sr, pad=half / sr, rep=rep, workers=inner,
                               font=font)
                   for i, view in enumerate(views)]
        try:
            for i, (view, fut) in enumerate(zip(views, futures)):
                audio, ev, pt = fut.result()
                _place(out, audio, int(round(view.start * sr)), half, first=i == 0)
                events += ev
                parts += pt
                rep((i + 1) / len(views), f"rendered region {i + 1}/{len(views)}")
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    # The final chord rings into the end (parts.RELEASE_S): close it without a click.
    tail = min(int(round(END_FADE * sr)), n_total)
    if tail:
        out[n_total - tail:] *= linear_ramp(1.0, 0.0, tail)[:, None]
    rep(1.0, "rendered")
    tempo_map = TempoMap(tuple((s.time, s.tempo) for s in timeline.spans if s.type == "metered"))
    return Render(out, sr, tuple(events), tuple(parts), tempo_map, timeline,
                  "synth" if font is None else "soundfont", notes)


def _place(out: np.ndarray, audio: np.ndarray, start: int, half: int, *, first: bool) -> None:
    """Add a region's audio (channels first, ``(2, m)``) into ``out`` (``(n, 2)``) at
    ``start`` with a crossfade centred on ``start``."""
    a0 = start if first else start - half
    n = min(audio.shape[1], len(out) - a0)
    seg = audio[:, :n]
    xf = 0 if first or half == 0 else 2 * half
    if xf:
        out[a0:a0 + xf] = equal_power_crossfade(out[a0:a0 + xf],
                                                np.ascontiguousarray(seg[:, :xf].T), xf)
    for ch in range(out.shape[1]):   # channel by channel: a transposed add is 3x slower
        dst = out[a0 + xf:a0 + n, ch]
        np.add(dst, seg[ch, xf:], out=dst)


def write_audio(render: Render, path: str | os.PathLike) -> None:
    """Write the render as WAV or FLAC (by extension), 24-bit, atomically."""
    import soundfile as sf

    fmt = "FLAC" if Path(path).suffix.lower() == ".flac" else "WAV"
    with atomic_path(path) as tmp:
        sf.write(tmp, render.audio, render.sr, format=fmt, subtype="PCM_24")
