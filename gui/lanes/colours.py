"""The timeline's colours: form letters, descriptor labels, keys.

Same letter, same colour; a descriptor label keeps its colour across runs and tracks
(ordinal targets on a blue-to-orange scale); keys neighbour on the circle of fifths.
Colour-blind-friendly palette (Okabe-Ito plus tints).  Functions return new QColor
objects, free for the caller to change.
"""

from __future__ import annotations

import functools
import zlib

from PySide6.QtGui import QColor

__all__ = ["label_colour", "key_colour", "segment_colour", "with_alpha"]

_PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
            "#8DD3C7", "#BEBADA", "#FB8072", "#80B1D3", "#FDB462", "#B3DE69", "#FCCDE5"]
_ORDINAL = {"sentiment": ["negative", "neutral", "positive"],
            "valence": ["0", "1", "2"], "momentum": ["0", "1", "2", "3", "4"]}
_PITCHES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
_FLATS = {"Db": "C#", "Eb": "D#", "Gb": "F#", "Ab": "G#", "Bb": "A#"}


def _diverging(t: float) -> QColor:
    """Blue (low) through pale grey to orange (high)."""
    stops = [(0.0, (44, 123, 182)), (0.5, (200, 200, 200)), (1.0, (230, 120, 20))]
    for (t0, c0), (t1, c1) in zip(stops[:-1], stops[1:]):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            return QColor(*(int(a + (b - a) * f) for a, b in zip(c0, c1)))
    return QColor(*stops[-1][1])


def segment_colour(letter: str) -> QColor:
    """Same letter, same colour (A, B, C ... in palette order)."""
    i = (ord(letter[:1] or "A") - ord("A")) % len(_PALETTE)
    return QColor(_PALETTE[i])


def label_colour(target: str, value: str, *, alpha: float = 255) -> QColor:
    """Colour of a descriptor label: ordinal targets on a blue-to-orange scale,
    categories from the palette (stable across runs), UNK grey; ``alpha`` 0-255."""
    return _with_alpha(_label_rgba(target, value), alpha)


def key_colour(tonic: str, mode: str, *, alpha: float = 255) -> QColor:
    """Keys around the circle of fifths get neighbouring hues; minor is darker."""
    return _with_alpha(_key_rgba(tonic, mode), alpha)


def with_alpha(colour: QColor, alpha: float) -> QColor:
    """A copy of ``colour`` with ``alpha`` (clamped to 0-255)."""
    c = QColor(colour)
    c.setAlpha(int(min(max(alpha, 0), 255)))
    return c


def _with_alpha(rgba: int, alpha: float) -> QColor:
    colour = QColor.fromRgba(rgba)
    colour.setAlpha(int(min(max(alpha, 0), 255)))
    return colour


@functools.lru_cache(maxsize=1024)
def _label_rgba(target: str, value: str) -> int:
    # Cached as a plain int: a lane of a long track asks for the same few colours
    # hundreds of times, and QColor objects are mutable.
    if value in ("", "UNK"):
        return QColor("#9E9E9E").rgba()
    levels = _ORDINAL.get(target)
    if levels and value in levels:
        t = levels.index(value) / max(1, len(levels) - 1)
        return _diverging(t).rgba()
    return QColor(_PALETTE[zlib.crc32(f"{target}:{value}".encode()) % len(_PALETTE)]).rgba()


@functools.lru_cache(maxsize=64)
def _key_rgba(tonic: str, mode: str) -> int:
    name = _FLATS.get(tonic, tonic)
    pc = _PITCHES.index(name) if name in _PITCHES else 0
    fifths = (pc * 7) % 12
    return QColor.fromHsvF(fifths / 12.0, 0.55, 0.95 if mode != "minor" else 0.7).rgba()
