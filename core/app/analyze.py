"""Analysing a track with the user's preferences, and warming a process for it.

Owns the per-process cache of descriptor models (:func:`analysis_options`: every
analysis and render of a session reads the same model, and loading one checks and
parses a several-MB archive) with the analysis settings of the preferences, and the
warm-up a worker process runs before its first job (:func:`warm_process`).  The window's
analysis request is :func:`core.app.tagging.analyze_then_tag`.
"""

from __future__ import annotations

import functools
import os
import time

from core.errors import Cancelled
from core.progress import CancelledFn, ProgressFn

__all__ = ["analysis_options", "warm_process"]


def analysis_options(model: str = "default", vocal_suppression: bool | str = False, *,
                     tags: bool = False):
    """The descriptor model and analysis settings of the user's preferences.

    ``model`` is ``'default'`` (the shipped model), ``'none'`` or a model file; it is
    loaded in the process that runs the task (the shipped one once per process).
    ``vocal_suppression`` is True (always), False (never) or ``"auto"`` (where the voice
    tags hear vocals); ``tags`` computes the real-music tags within the analysis.

    Raises
    ------
    core.errors.FormatError, core.classify.UntrustedModelError
        The model file is unreadable or not a trusted Twintrack model.
    """
    from core.record import Settings

    auto = vocal_suppression == "auto"
    return _model(model, _stamp(model)), Settings(
        vocal_suppression=not auto and bool(vocal_suppression), vocals_auto=auto, tags=tags)


def _stamp(spec: str) -> tuple[int, int] | None:
    """A model file's (mtime, size): a changed file is loaded again."""
    try:
        st = os.stat(spec)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=2)
def _model(spec: str, stamp):
    """:func:`core.classify.resolve_model`, once per file version in this process.

    Failures are not cached."""
    from core.classify import resolve_model

    return resolve_model(spec)


def warm_process(*, progress: ProgressFn | None = None,
                 cancelled: CancelledFn | None = None) -> float:
    """Load librosa and numba's compiled kernels in this process by analysing 12 s of
    :func:`core.app.warmup.synthetic_track`, with the shipped descriptor model (loaded
    once per process); returns the seconds it took.

    Unlike :func:`core.app.warmup.warm_up` (run once at install time: byte-compiles
    Twintrack and fills numba's cache) it is short, and it also loads the model the
    first analysis needs.
    """
    from core import jitcache

    t0 = time.perf_counter()
    if cancelled is not None and cancelled():
        raise Cancelled("cancelled")
    if not jitcache.is_ready() and progress is not None:
        progress(0.0, "first run: preparing the analysis engine (about 30 s, once)")
    jitcache.prepare()  # before librosa loads: the shared kernels, built once

    from core.analysis.audio import audio_from_array
    from core.analysis.pipeline import analyze_audio
    from core.app.warmup import synthetic_track
    from core.analysis.tags import TaggerError, shipped_taggers
    from core.classify import default_model

    try:
        model = default_model()
    except Exception:  # a damaged shipped model is reported by the first analysis
        model = None
    try:
        shipped_taggers()  # their sessions load once per process
    except TaggerError:  # reported by the first analysis with tags
        pass
    analyze_audio(audio_from_array(synthetic_track(seconds=12.0), 22050, name="warm-up"),
                  model=model)
    if progress is not None:
        progress(1.0, "warmed up")
    return time.perf_counter() - t0
