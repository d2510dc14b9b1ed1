"""What the real-music tags say, in the shapes a view draws: instrument rows, a voice
curve, the top tags of a span.

Owns the one list of MTT instrument tags (:data:`INSTRUMENTS`, merged where the tagger
has near-synonyms such as "beat"/"beats"), the vocal and no-vocal tag groups
(:data:`VOCAL_TAGS`, :data:`NO_VOCAL_TAGS`) and the documented thresholds:

* an instrument gets a row when its activity (the largest probability of its tags in a
  window) reaches :data:`ACTIVE_THRESHOLD` in at least one window of the track;
* the voice activity of a window is ``clip((v - n) / (2 * VOICE_MARGIN), 0, 1)`` where
  ``v`` is the largest probability of the vocal tags and ``n`` that of the no-vocal
  tags: 0.5 where the vocal evidence leads by :data:`VOICE_MARGIN`.  musicnn's MTT
  tags are independent sigmoids and its no-vocal tags stay weak even on instrumental
  music (0.03-0.09 on the shared recordings), so a ratio ``v / (v + n)`` calls an
  orchestra half vocal; the margin separates the shared recordings with singing (a
  lead of 0.11-0.5 per window) from those without (below 0.05).

Plain functions of :class:`core.record.WindowTags`; no drawing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from core.analysis.tags import NO_VOICE_TAGS, VOICE_MARGIN, VOICE_TAGS, voice_activity
from core.record import WindowTags

__all__ = ["INSTRUMENTS", "VOCAL_TAGS", "NO_VOCAL_TAGS", "ACTIVE_THRESHOLD", "VOICE_MARGIN",
           "InstrumentRow", "instrument_rows", "voice_curve", "top_tags", "tags_text"]

#: Instrument row -> the MTT tags it merges (the row's activity is their maximum).
INSTRUMENTS: dict[str, tuple[str, ...]] = {
    "guitar": ("guitar",),
    "sitar": ("sitar",),
    "harp": ("harp",),
    "piano": ("piano",),
    "harpsichord": ("harpsichord",),
    "strings": ("strings",),
    "violin": ("violin",),
    "cello": ("cello",),
    "flute": ("flute",),
    "synth": ("synth",),
    "drums": ("drums",),
    "beat": ("beat", "beats"),
    "choir": ("choir", "choral"),
}
#: MTT tags saying someone sings or speaks, and that nobody does (one list, shared with
#: automatic vocal suppression: :mod:`core.analysis.tags`).
VOCAL_TAGS, NO_VOCAL_TAGS = VOICE_TAGS, NO_VOICE_TAGS
#: An instrument gets a row when some window's activity reaches this.
ACTIVE_THRESHOLD = 0.2


@dataclass(frozen=True)
class InstrumentRow:
    """One instrument's activity per window (``activity[i]`` in [0, 1]) and its peak."""

    name: str
    tags: tuple[str, ...]
    activity: np.ndarray
    peak: float


def _columns(tags: WindowTags, names: Sequence[str]) -> np.ndarray | None:
    """The probabilities of those of ``names`` the tagger has, (n_windows, k), or None."""
    cols = [tags.names.index(n) for n in names if n in tags.names]
    if not cols or not tags.probabilities:
        return None
    return np.asarray(tags.probabilities, dtype=float)[:, cols]


def instrument_rows(tags: WindowTags | None, *, threshold: float = ACTIVE_THRESHOLD
                    ) -> list[InstrumentRow]:
    """The instruments active anywhere in the track, in :data:`INSTRUMENTS` order.

    Parameters
    ----------
    tags : WindowTags or None
        The MTT tagger's windows (None or another tagger without these tags: no rows).
    threshold : float
        The activity some window must reach for the instrument to get a row.
    """
    if tags is None:
        return []
    rows = []
    for name, merged in INSTRUMENTS.items():
        p = _columns(tags, merged)
        if p is None:
            continue
        activity = np.clip(p.max(axis=1), 0.0, 1.0)
        if activity.max() >= threshold:
            rows.append(InstrumentRow(name, merged, activity, float(activity.max())))
    return rows


def voice_curve(tags: WindowTags | None) -> np.ndarray | None:
    """The voice activity per window in [0, 1] (:func:`core.analysis.tags.
    voice_activity`, what automatic vocal suppression decides on), or None when ``tags``
    has no vocal tags."""
    if tags is None or not any(t in tags.names for t in VOCAL_TAGS):
        return None
    return voice_activity(tags.names, tags.probabilities)


def top_tags(tags: WindowTags | None, idx: Sequence[int], n: int = 3
             ) -> tuple[tuple[str, float], ...]:
    """The ``n`` most probable tags over windows ``idx`` (their mean), or () without
    tags or windows."""
    if tags is None or not len(idx):
        return ()
    return tags.top(list(idx), n)


def tags_text(pairs: Sequence[tuple[str, float]]) -> str:
    """``'rock 45%, pop 30%, indie 21%'`` (empty without tags)."""
    return ", ".join(f"{name} {100 * p:.0f}%" for name, p in pairs)
