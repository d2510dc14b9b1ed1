"""Editing the form by hand: move a boundary, split, merge, rename (issue 14).

Owns the edits of an analysis' form segments as pure functions: each takes an
:class:`~core.record.Analysis` and returns a new one (the record is immutable, so an undo
is keeping the old one), or raises :class:`EditError` saying why the edit cannot be made
and changing nothing.  The segments stay a partition of the track: contiguous, in order,
none shorter than :data:`MIN_SEGMENT` seconds.  A segment keeps its tempo and key when
split; a merge keeps the first part's letter, the duration-weighted tempo and the key of
the longer part.  Everything that reads the form (the segment table, the exports, the
planner) reads the edited analysis.
"""

from __future__ import annotations

from dataclasses import replace

from core.errors import TwintrackError
from core.record import Analysis, Segment

__all__ = ["EditError", "MIN_SEGMENT", "move_boundary", "split_segment", "merge_segments",
           "rename_segment"]

#: The shortest segment an edit may leave (seconds).
MIN_SEGMENT = 0.5
_MAX_LETTERS = 8


class EditError(TwintrackError):
    """A form edit that cannot be made (the message says why); nothing was changed."""


def _segments(analysis: Analysis, index: int) -> list[Segment]:
    segs = list(analysis.segments)
    if not 0 <= index < len(segs):
        raise EditError(f"there is no segment {index + 1} (the form has {len(segs)})")
    return segs


def move_boundary(analysis: Analysis, index: int, t: float) -> Analysis:
    """Move the boundary between segment ``index`` and the next one to ``t`` seconds."""
    segs = _segments(analysis, index)
    if index + 1 >= len(segs):
        raise EditError("the last segment ends with the track: it has no boundary to move")
    left, right = segs[index], segs[index + 1]
    t = float(t)
    if not left.start + MIN_SEGMENT <= t <= right.end - MIN_SEGMENT:
        raise EditError(f"a boundary at {t:.2f} s would leave a segment shorter than "
                        f"{MIN_SEGMENT} s (it can move from {left.start + MIN_SEGMENT:.2f} "
                        f"to {right.end - MIN_SEGMENT:.2f} s)")
    segs[index], segs[index + 1] = replace(left, end=t), replace(right, start=t)
    return replace(analysis, segments=tuple(segs))


def split_segment(analysis: Analysis, t: float) -> Analysis:
    """Split the segment holding ``t`` at ``t``; both parts keep its letter, tempo, key."""
    t = float(t)
    segs = list(analysis.segments)
    index = next((i for i, s in enumerate(segs) if s.start <= t < s.end), None)
    if index is None:
        raise EditError(f"{t:.2f} s is outside the form")
    seg = segs[index]
    if not seg.start + MIN_SEGMENT <= t <= seg.end - MIN_SEGMENT:
        raise EditError(f"splitting at {t:.2f} s would leave a part shorter than "
                        f"{MIN_SEGMENT} s")
    segs[index:index + 1] = [replace(seg, end=t), replace(seg, start=t)]
    return replace(analysis, segments=tuple(segs))


def merge_segments(analysis: Analysis, index: int) -> Analysis:
    """Merge segment ``index`` with the next one: the first's letter, the tempo weighted
    by duration, the longer part's key."""
    segs = _segments(analysis, index)
    if index + 1 >= len(segs):
        raise EditError("the last segment has no next segment to merge with")
    a, b = segs[index], segs[index + 1]
    total = a.duration + b.duration
    tempo = (a.tempo * a.duration + b.tempo * b.duration) / total if total > 0 else a.tempo
    if a.tempo <= 0 or b.tempo <= 0:   # a part without a pulse: no made-up average
        tempo = a.tempo if a.duration >= b.duration else b.tempo
    longer = a if a.duration >= b.duration else b
    segs[index:index + 2] = [replace(a, end=b.end, tempo=round(float(tempo), 2),
                                     tonic=longer.tonic, mode=longer.mode)]
    return replace(analysis, segments=tuple(segs))


def rename_segment(analysis: Analysis, index: int, letter: str) -> Analysis:
    """Give segment ``index`` the letter ``letter`` (1-8 letters, digits or ``'``)."""
    segs = _segments(analysis, index)
    letter = str(letter).strip()
    if not letter or len(letter) > _MAX_LETTERS or not all(
            c.isalnum() or c in "'_-" for c in letter):
        raise EditError(f"{letter!r} is not a segment letter: use 1-{_MAX_LETTERS} letters "
                        "or digits (e.g. A, B2, Chorus)")
    segs[index] = replace(segs[index], label=letter)
    return replace(analysis, segments=tuple(segs))
