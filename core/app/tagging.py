"""The timeline first, the real-music tags after: the window's two-step analysis.

Owns :func:`tag_analysis` (an analysis plus the audio it was made from -> the same
analysis with the real-music taggers' window tags) and :func:`analyze_then_tag` (decode
once, analyse without tags, hand that analysis over as a partial result, then tag the
same decoded audio).  The taggers cost about as much as the rest of an analysis; the
window shows the timeline, labels and form as soon as they exist and fills the tag lanes
when the second step ends.  Cancelling or a failure during the second step loses only
the tags: the caller already holds the analysis.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Callable

from core.progress import CancelledFn, ProgressFn, Reporter

__all__ = ["tag_analysis", "analyze_then_tag", "TAG_STAGE"]

#: The stage name the tag step reports (the window shows it in its job line).
TAG_STAGE = "real-music tags"
_DECODE, _ANALYSE = 3.0, 6.6  # the pipeline's relative costs of decoding and the rest


def tag_analysis(analysis, audio, *, model=None, settings=None,
                 progress: ProgressFn | None = None, cancelled: CancelledFn | None = None):
    """``analysis`` with the shipped taggers' tags per window, computed from ``audio``,
    and its descriptor labels joined with what they hear.

    Parameters
    ----------
    analysis : core.record.Analysis
        An analysis of ``audio`` made without tags.
    audio : core.analysis.audio.AnalysisAudio
        The decoded analysis copy the analysis was made from (no second decode).
    model : core.classify.DescriptorModel, optional
        The model that labelled ``analysis`` (its labels are joined with the tags).
    settings : core.record.Settings, optional
        The settings asked for (default: ``analysis``'s), e.g. with automatic vocal
        suppression that the first step left out.
    progress, cancelled : callable, optional
        The usual hooks (:mod:`core.progress`); the taggers poll for a cancel about
        every second.

    Returns
    -------
    core.record.Analysis
        What :func:`core.analysis.pipeline.analyze_audio` makes with tags on
        (:func:`core.analysis.pipeline.add_tags`).

    Raises
    ------
    core.errors.Cancelled
    core.analysis.tags.TaggerError
        A shipped tagger model is missing or unreadable.
    """
    from core.analysis.pipeline import add_tags

    rep = Reporter(progress, cancelled)
    rep(0.0, TAG_STAGE)
    tagged = add_tags(analysis, audio, model=model, settings=settings,
                      reporter=Reporter(lambda f, _s: rep(f, TAG_STAGE), cancelled))
    rep(1.0, TAG_STAGE)
    return tagged


def analyze_then_tag(path: str | os.PathLike, *, model: str = "default",
                     vocal_suppression: bool | str = False,
                     progress: ProgressFn | None = None, cancelled: CancelledFn | None = None,
                     partial: Callable[[object], None] | None = None):
    """Analyse ``path`` (as :func:`core.app.analyze.analyze_track`), pass the analysis
    without tags to ``partial``, then return it with tags (:func:`tag_analysis`).

    ``progress`` runs from 0 to 1 over the analysis, then again from 0 to 1 over the
    tags (stage :data:`TAG_STAGE`).  An analysis that already carries tags (an engine
    that needed them, e.g. to decide vocal suppression) is returned without a
    partial step.

    Raises
    ------
    core.errors.AudioError
        The file cannot be analysed.
    core.errors.Cancelled
        Before ``partial`` (nothing to keep) or after it (the partial result stands).
    """
    from core.analysis.audio import load_for_analysis
    from core.analysis.pipeline import analyze_audio
    from core.app.analyze import analysis_options

    descriptor_model, settings = analysis_options(model, vocal_suppression)
    rep = Reporter(progress, cancelled)
    r_decode, r_analyse = rep.split([_DECODE, _ANALYSE])
    audio = load_for_analysis(path, sr=settings.sr, reporter=r_decode)
    # The timeline first, fast: automatic vocal suppression waits for the second step,
    # which decides it on the full voice tags (a singing 4-minute track: 2.6 s instead
    # of 12 s before anything shows).
    quick = replace(settings, tags=False, vocals_auto=False,
                    vocal_suppression=settings.vocal_suppression and not settings.vocals_auto)
    analysis = analyze_audio(audio, settings=quick, model=descriptor_model,
                             reporter=r_analyse)
    if analysis.windows.tags:
        return analysis
    if partial is not None:
        partial(analysis)
    return tag_analysis(analysis, audio, model=descriptor_model, settings=settings,
                        progress=progress, cancelled=cancelled)
