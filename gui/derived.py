"""What the views derive from an analysis, computed once per analysis and shared.

An :class:`core.record.Analysis` never changes, so its segment table, the windows of
each segment and the instrument rows of its tags are the same for every view and
every redraw.  The functions here return them from a cache held as long as the
analysis lives.  :func:`warm` fills the cache: the session asks for it on the worker's
thread, before a new analysis reaches the GUI thread
(:meth:`gui.workers.Worker.start`'s ``prepare``), so the timeline and the segment
table find them ready instead of computing them while the window waits.

No Qt here: any thread may call these (the cache is filled with single dictionary
stores; two threads computing the same entry at once both get equal values).
"""

from __future__ import annotations

import logging
import weakref
from typing import Callable

from core.analysis.reduce import SegmentRow, segment_table, segment_windows
from core.analysis.tagview import InstrumentRow, instrument_rows
from core.record import Analysis

__all__ = ["segment_rows", "windows_of_segments", "instruments", "warm"]

logger = logging.getLogger(__name__)

_cache: dict[int, dict[str, object]] = {}  # id(analysis) -> name -> value


def _derived(analysis: Analysis, name: str, compute: Callable[[Analysis], object]):
    entry = _cache.get(id(analysis))
    if entry is None:
        entry = _cache[id(analysis)] = {}
        weakref.finalize(analysis, _cache.pop, id(analysis), None)
    if name not in entry:
        entry[name] = compute(analysis)
    return entry[name]


def segment_rows(analysis: Analysis) -> list[SegmentRow]:
    """:func:`core.analysis.reduce.segment_table` of ``analysis`` (do not change it)."""
    return _derived(analysis, "rows", segment_table)


def windows_of_segments(analysis: Analysis) -> list[list[int]]:
    """:func:`core.analysis.reduce.segment_windows` of ``analysis`` (do not change it)."""
    return _derived(analysis, "windows", segment_windows)


def instruments(analysis: Analysis) -> list[InstrumentRow]:
    """:func:`core.analysis.tagview.instrument_rows` of ``analysis``'s MTT tags."""
    return _derived(analysis, "instruments",
                    lambda a: instrument_rows(a.windows.tags.get("mtt")))


def warm(result) -> None:
    """Compute what the views will ask of ``result`` if it is an analysis (anything
    else is left alone).  Meant for a worker thread; a failure is logged, never raised:
    the views compute what is missing themselves."""
    if not isinstance(result, Analysis):
        return
    try:
        segment_rows(result)
        windows_of_segments(result)
        instruments(result)
    except Exception:  # the GUI thread will meet (and report) the same problem
        logger.exception("could not prepare the views of an analysis")
