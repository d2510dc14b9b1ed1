"""Renders of an analysed track, each with its own analysis: the B side of the comparison.

Owns :class:`RenderedVariant` and the one way a render is made and heard again,
:func:`render_and_reanalyse` (plan multi-region timelines from an analysis, render
each, analyse each render), which ``twintrack demo``, the GUI's render request
(:func:`render_track`) and ``bench/feedback.py`` all call; and reading back a render
written earlier (:func:`load_render`, its companion files: :func:`render_companions`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.app.listen import playback_audio
from core.app.tracks import Envelope, envelope_of
from core.progress import CancelledFn, ProgressFn, Reporter
from core.record import Settings

if TYPE_CHECKING:
    from core.record import Analysis
    from core.render.engine import Render

__all__ = ["RenderedVariant", "render_and_reanalyse", "render_track", "render_companions",
           "load_render"]


@dataclass(frozen=True)
class RenderedVariant:
    """One render of a document: its timeline and audio, and the render's own analysis.

    ``seconds`` is how long rendering took (not the analysis; 0 for a render read from
    a file); ``source`` the audio file it was read from ("" for a render made now, which
    exists only in memory until it is saved).
    """

    index: int
    render: Render
    analysis: Analysis  # of the render
    envelope: Envelope
    playback: np.ndarray | None = None  # audio at the player's rate if it differs
    seconds: float = 0.0
    source: str = ""


def render_and_reanalyse(analysis: Analysis, *, variants: int = 1, seed: int = 0,
                         model=None, settings: Settings = Settings(),
                         playback_sr: int | None = None, name: str = "{stem} (render {n})",
                         instruments: str | None = None, soundfont: str | None = None,
                         progress: ProgressFn | None = None,
                         cancelled: CancelledFn | None = None) -> tuple[RenderedVariant, ...]:
    """Plan ``variants`` multi-region timelines, render each, and analyse each render.

    Parameters
    ----------
    analysis : Analysis
        The original's analysis (its segments become the timelines' regions).
    variants : int
        How many timelines :func:`core.render.planning.plan_multi` plans.
    seed : int
        The first variant's seed (variant ``i`` renders with ``seed + i``, the seed
        its timeline records).
    model, settings
        The descriptor model and analysis settings the renders are analysed with.
    playback_sr : int, optional
        Also make a playback copy at this rate (the output stream's) if it differs.
    name : str
        What each render's analysis calls its audio: formatted with ``stem`` (the
        original's file stem) and ``n`` (the variant, from 1).
    instruments, soundfont : str, optional
        What plays the notes, and the SoundFont (see
        :func:`core.render.engine.render_timeline`; default: the engine's).

    Returns
    -------
    tuple of RenderedVariant
        One per variant, in order; each carries its render's analysis, so a view can
        show the render's own form, tempo and key and a score can compare them.

    Raises
    ------
    core.render.soundfont.SoundFontError
        ``instruments="soundfont"`` and no SoundFont is found or loads.
    core.errors.Cancelled
    """
    from core.analysis.audio import audio_from_array
    from core.analysis.pipeline import analyze_audio
    from core.render.engine import render_timeline
    from core.render.planning import plan_multi

    rep = Reporter(progress, cancelled)
    rep(0.0, "planning")
    timelines = plan_multi(analysis, variants=variants, seed=seed)
    stem = Path(analysis.track.path).stem
    out = []
    for i, (tl, part) in enumerate(zip(timelines, rep.split([1.0] * len(timelines)))):
        tag = f"render {i + 1}/{len(timelines)}: " if len(timelines) > 1 else ""
        r_render, r_analyse = Reporter(_prefixed(progress, tag), cancelled, part.start,
                                       part.stop).split([1.0, 1.5])
        t0 = time.perf_counter()
        render = render_timeline(tl, seed=int(tl.meta.get("seed", seed + i)),
                                 instruments=instruments, soundfont=soundfont,
                                 progress=r_render, cancelled=cancelled)
        seconds = time.perf_counter() - t0
        r_analyse(0.0, "analysing the render")
        r_analyse = Reporter(_prefixed(progress, tag + "analysing the render: "), cancelled,
                             r_analyse.start, r_analyse.stop)
        audio = audio_from_array(render.audio, render.sr, name=name.format(stem=stem, n=i + 1))
        # A render is judged by the hierarchy trained on renders, without the real-music
        # tags (they hear synthesis as electronic and would overrule it: see
        # core.classify.hierarchy.GENRE_OPINION); nor is there a voice to suppress.
        again = analyze_audio(audio, settings=replace(settings, tags=False, vocals_auto=False),
                              model=model, reporter=r_analyse)
        playback = None
        if playback_sr and int(playback_sr) != render.sr:
            playback, _ = playback_audio(render.audio, render.sr, playback_sr)
        out.append(RenderedVariant(i, render, again, envelope_of(render.audio, render.sr),
                                   playback, seconds))
    rep(1.0, "render ready")
    return tuple(out)


def render_track(analysis: Analysis, *, variants: int = 1, seed: int = 0,
                 playback_sr: int | None = None, model: str = "default",
                 vocal_suppression: bool = False, progress: ProgressFn | None = None,
                 cancelled: CancelledFn | None = None) -> tuple[RenderedVariant, ...]:
    """The GUI's render request: :func:`render_and_reanalyse` with the preferences' model
    (``'default'``, ``'none'`` or a file, loaded once per process) and vocal suppression,
    and at least one variant."""
    from core.app.analyze import analysis_options

    # "planning" shows while a model loads (the first render of a process).
    Reporter(progress, cancelled)(0.0, "planning")
    descriptor_model, settings = analysis_options(model, vocal_suppression)
    return render_and_reanalyse(analysis, variants=max(1, int(variants)), seed=seed,
                                model=descriptor_model, settings=settings,
                                playback_sr=playback_sr, progress=progress,
                                cancelled=cancelled)


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
    from core.analysis.audio import audio_from_array
    from core.analysis.pipeline import analyze_audio
    from core.errors import TwintrackError
    from core.record import load_analysis
    from core.render.engine import Render
    from core.render.timeline import load_timeline

    rep = Reporter(progress, cancelled)
    path = Path(path)
    timeline_path, analysis_path = render_companions(path)
    if not timeline_path.exists():
        raise TwintrackError(f"{path.name}: its timeline {timeline_path.name} is not beside "
                             "it, so it cannot be shown as a render")
    rep(0.0, "reading the render")
    timeline = load_timeline(timeline_path)
    render = Render.from_file(path, timeline, reporter=Reporter(progress, cancelled, 0.0, 0.4))
    stereo, sr = render.audio, render.sr
    if analysis_path.exists():
        rep(0.5, "reading the render's analysis")
        analysis = load_analysis(analysis_path)
    else:
        analysis = analyze_audio(audio_from_array(stereo, sr, name=path.name),
                                 reporter=Reporter(_prefixed(progress, "analysing the render: "),
                                                   cancelled, 0.4, 0.95))
    playback = None
    if playback_sr and int(playback_sr) != sr:
        playback, _ = playback_audio(stereo, sr, playback_sr)
    rep(1.0, "render ready")
    return (RenderedVariant(0, render, analysis, envelope_of(stereo, sr), playback,
                            source=os.fspath(path)),)


def _prefixed(progress: ProgressFn | None, prefix: str) -> ProgressFn | None:
    """``progress`` with ``prefix`` in front of every stage name."""
    if progress is None or not prefix:
        return progress
    return lambda fraction, stage: progress(fraction, prefix + stage)
