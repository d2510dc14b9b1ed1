"""The timeline first, the real-music tags after: the window's analysis in two steps.

Owns :func:`analyze_then_tag`: decode once, start the taggers on their own thread, hand
the analysis without tags over as a partial result as soon as the other stages are done,
then return the same analysis with the taggers' window tags and the descriptor labels
joined with them (:func:`core.analysis.pipeline.analyze_audio` with ``partial``).  The
taggers cost about as much as the rest of an analysis; they run beside it at a lower
priority, so the window shows the timeline, labels and form as soon as they exist and
fills the tag lanes when the taggers are done.  Cancelling or a failure after the hand-over
loses only the tags: the caller already holds the analysis.
"""

from __future__ import annotations

import os
from typing import Callable

from core.analysis.pipeline import TAG_STAGE
from core.progress import CancelledFn, ProgressFn, Reporter

__all__ = ["analyze_then_tag", "TAG_STAGE"]

_DECODE, _ANALYSE = 3.0, 6.6  # the pipeline's relative costs of decoding and the rest


def analyze_then_tag(path: str | os.PathLike, *, model: str = "default",
                     vocal_suppression: bool | str = False,
                     progress: ProgressFn | None = None, cancelled: CancelledFn | None = None,
                     partial: Callable[[object], None] | None = None):
    """Analyse ``path`` with real-music tags (the model and vocal suppression as
    :func:`core.app.analyze.analysis_options`), passing the analysis without tags to
    ``partial`` as soon as it exists.

    ``progress`` runs from 0 to 1 until the hand-over, then again from 0 to 1 until the
    tags are in (stage :data:`TAG_STAGE`).  The result equals a one-step
    :func:`core.analysis.pipeline.analyze` with tags on.

    Raises
    ------
    core.errors.AudioError
        The file cannot be analysed.
    core.errors.Cancelled
        Before ``partial`` (nothing to keep) or after it (the partial result stands).
    core.analysis.tags.TaggerError
        After ``partial``: a shipped tagger model is missing or unreadable.
    """
    from core.analysis.audio import load_for_analysis
    from core.analysis.pipeline import analyze_audio
    from core.app.analyze import analysis_options

    descriptor_model, settings = analysis_options(model, vocal_suppression, tags=True)
    rep = Reporter(progress, cancelled)
    r_decode, r_analyse = rep.split([_DECODE, _ANALYSE])
    audio = load_for_analysis(path, sr=settings.sr, reporter=r_decode)
    rest = Reporter(None if progress is None else lambda f, _s: progress(f, TAG_STAGE),
                    cancelled)
    return analyze_audio(audio, settings=settings, model=descriptor_model,
                         reporter=r_analyse, partial=partial, rest=rest)
