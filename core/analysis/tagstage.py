"""The pipeline's real-music tag stage (issue 13): the taggers on a thread of their own
beside the other stages, their patch tags pooled onto the analysis windows and rounded
for the record, and the voice decision of automatic vocal suppression.

Owns :class:`Tagging` (started by :func:`core.analysis.pipeline.analyze_audio` right
after decoding), :func:`window_tags`, :func:`window_embeddings` and :func:`sings`; the
models, front end and pooling themselves are :mod:`core.analysis.tags`.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout

import numpy as np

from core.analysis.features import WindowGrid
from core.progress import CancelledFn, Reporter
from core.record import WindowTags

__all__ = ["Tagging", "TAG_STAGE", "sings", "window_embeddings", "window_tags"]

#: The stage name while the analysis waits for the real-music taggers.
TAG_STAGE = "real-music tags"


def sings(y: np.ndarray, sr: int, tags: dict[str, WindowTags]) -> bool:
    """Automatic vocal suppression: whether the track has vocals, from the MTT tags
    when the analysis has them, else from a sample of patches."""
    from core.analysis.tags import has_vocals, sampled_voice, voice_activity

    mtt = tags.get("mtt")
    if mtt is not None:
        return has_vocals(voice_activity(mtt.names, mtt.probabilities))
    return has_vocals(sampled_voice(y, sr))


def window_tags(y: np.ndarray, sr: int, grid: WindowGrid, *,
                stride: int = 1) -> dict[str, WindowTags]:
    """The shipped real-music taggers' probabilities per window of ``grid`` (rounded to
    1e-6, plenty for probabilities, and it keeps the JSON small)."""
    from core.analysis.tags import tag_windows

    return _rounded(tag_windows(y, sr, grid.starts, grid.ends, stride=stride))[0]


class Tagging:
    """The real-music taggers at work on a thread of their own while the other stages
    run: they read only the decoded audio, and on two cores they take the core the
    frame, rhythm, key and form stages leave idle for most of their time.  Their thread
    runs at a lower priority (where the system allows it), so the other stages, and
    with them the timeline the window shows first, are not slowed down by them.

    :meth:`windows` waits for the patch tags (reporting their progress) and pools them
    onto the analysis windows; :meth:`stop` (always called) asks an unfinished tagger to
    stop at its next batch and waits for it, so an analysis that fails or is cancelled
    leaves no thread behind.
    """

    def __init__(self, y: np.ndarray, sr: int, stride: int, cancelled: CancelledFn | None):
        from core.analysis import tags as tagger

        self._halt = threading.Event()
        self._fraction = 0.0
        self._pooled = None

        def halted() -> bool:
            return self._halt.is_set() or (cancelled is not None and bool(cancelled()))

        def advance(fraction: float) -> None:
            self._fraction = fraction

        def run():
            _lower_priority()
            return tagger.tag_patches(y, sr, stride=stride, cancelled=halted,
                                      progress=advance)

        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tags")
        self._future = self._pool.submit(run)

    def windows(self, grid: WindowGrid, reporter: Reporter | None = None
                ) -> tuple[dict[str, WindowTags], np.ndarray | None]:
        """The record's tags and the MSD embeddings per window of ``grid`` (see
        :func:`_rounded`); ``reporter`` hears the share of patches tagged while it waits
        (and a cancel stops the wait)."""
        while self._pooled is None:
            try:
                patches = self._future.result(timeout=0.25)
            except FutureTimeout:
                if reporter is not None:
                    reporter(self._fraction, TAG_STAGE)
                continue
            self._pooled = _rounded({key: p.pooled(grid.starts, grid.ends)
                                     for key, p in patches.items()})
        return self._pooled

    def stop(self) -> None:
        self._halt.set()
        self._pool.shutdown(wait=True)


def _lower_priority() -> None:
    """Nice the calling thread by 10 (Linux threads have their own nice value; the
    threads it starts inherit it); elsewhere, or where not allowed, leave it be."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


def _rounded(tagged: dict) -> tuple[dict[str, WindowTags], np.ndarray | None]:
    """The record's tags (rounded to 1e-6) and the MSD embeddings per window (rounded
    alike, for feature sets that read them) of ``tag_windows``-style output."""
    tags = {key: WindowTags(t.tool, tuple(t.names),
                            tuple(tuple(float(v) for v in np.round(row, 6))
                                  for row in t.probabilities))
            for key, t in tagged.items()}
    emb = tagged["msd"].embeddings if "msd" in tagged else None
    return tags, None if emb is None else np.round(np.asarray(emb, np.float64), 6)


def window_embeddings(y: np.ndarray, sr: int, grid: WindowGrid, stride: int) -> np.ndarray:
    """The MSD tagger's embeddings per window of ``grid`` (float64, rounded like tags)."""
    from core.analysis.tags import shipped_taggers, tag_windows

    msd = {"msd": shipped_taggers()["msd"]}
    return _rounded(tag_windows(y, sr, grid.starts, grid.ends, taggers=msd, stride=stride))[1]
