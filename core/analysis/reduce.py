"""Majority rules: the per-window labels of an analysis reduced to one row per segment.

A window belongs to the segment that holds its centre; each target's majority is taken
along the descriptor hierarchy (:func:`path_majority`), so a segment's labels always form
a path some window was heard as.  The segment table is what the exports, the render
planner, the feedback loop and the GUI's segment table read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from core.record import ANCESTORS, TARGETS, UNK, Analysis

__all__ = ["SegmentRow", "majority", "path_majority", "segment_table", "segment_windows"]


@dataclass(frozen=True)
class SegmentRow:
    """One row of the majority-rules table: a segment and its majority labels."""

    start: float
    end: float
    duration: float
    label: str
    tempo: float
    key: str
    targets: dict[str, str]
    descriptor: str
    nearest: dict[str, str] = field(default_factory=dict)
    nearest_descriptor: str = ""
    unk_share: float = 0.0
    # Descriptor names of the windows' nearest paths, most frequent first.
    candidates: tuple[str, ...] = ()

    def heard(self) -> dict[str, str]:
        """The segment's majority label per target as the planner renders it and the
        feedback loop scores it: the majority of its labels, or where that is ``UNK``,
        the majority of its most probable labels (``nearest``).  (Taking the most
        probable majority everywhere would let UNK windows' guesses outvote a real
        majority.)"""
        return {t: (self.nearest.get(t) or v) if v == UNK else v
                for t, v in self.targets.items()}


def majority(values: list[str]) -> str:
    """Most common value; ties go to the value seen first (stable, deterministic)."""
    if not values:
        return ""
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)


def path_majority(labels: dict[str, tuple[str, ...]], idx: list[int]) -> dict[str, str]:
    """Majority labels of windows ``idx`` that form a consistent path: each target's
    majority is taken among the windows that carry the majority of its parent (genre,
    then subgenre among those windows, then mood; sentiment, then valence and momentum).

    Independent majorities can name a path the model never predicts (the majority genre
    with a subgenre of another genre); this one is always a path some window has.
    """
    out: dict[str, str] = {}
    for t in TARGETS:
        if t not in labels:
            continue
        parents = [a for a in ANCESTORS[t] if a in out]
        sel = [i for i in idx if all(labels[a][i] == out[a] for a in parents)]
        out[t] = majority([labels[t][i] for i in sel])
    return out


def segment_windows(analysis: Analysis) -> list[list[int]]:
    """Per segment, the indices of its windows.

    A window belongs to the segment that contains its centre; a segment with no
    window centre inside it takes the window nearest to its middle.
    """
    w = analysis.windows
    centres = [(s + e) / 2 for s, e in zip(w.start, w.end)]
    out = []
    for seg in analysis.segments:
        idx = [i for i, c in enumerate(centres) if seg.start <= c < seg.end]
        if not idx and centres:
            mid = (seg.start + seg.end) / 2
            idx = [min(range(len(centres)), key=lambda i: abs(centres[i] - mid))]
        out.append(idx)
    return out


def segment_table(analysis: Analysis) -> list[SegmentRow]:
    """Per segment, the majority labels of its windows (:func:`path_majority`; which
    windows: :func:`segment_windows`)."""
    w = analysis.windows
    rows = []
    for seg, idx in zip(analysis.segments, segment_windows(analysis)):
        targets = path_majority(w.labels, idx)
        nearest = path_majority(w.nearest, idx)
        unk = w.unk_share(idx)
        paths = [_descriptor({t: w.nearest[t][i] for t in w.nearest}) for i in idx]
        ranked = tuple(p for p, _ in Counter(p for p in paths if p and p != UNK).most_common())
        rows.append(SegmentRow(seg.start, seg.end, seg.duration, seg.label, seg.tempo,
                               seg.key, targets, _descriptor(targets), nearest,
                               _descriptor(nearest), unk, ranked))
    return rows


def _descriptor(targets: dict[str, str]) -> str:
    """``genre_subgenre_mood`` of a label path, ``UNK`` if any part is, else ``''``."""
    path = [targets[t] for t in ("genre", "subgenre", "mood") if targets.get(t)]
    return UNK if UNK in path else "_".join(path)
