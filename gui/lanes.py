"""Graphics items the timeline lanes are made of, and their colours.

Items here draw what they are given (times in seconds, colours, texts) and keep no
business rules: which window belongs where, which label wins a segment, all come
from ``core`` via :mod:`gui.timeline_view`.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPicture

__all__ = ["Run", "runs", "cell_edges", "label_colour", "key_colour", "segment_colour",
           "BlocksItem", "RunLabels"]

# Colour-blind-friendly categorical palette (Okabe-Ito plus tints).
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


def label_colour(target: str, value: str) -> QColor:
    """Colour of a descriptor label: ordinal targets on a blue-to-orange scale,
    categories from the palette (stable across runs), UNK grey."""
    if value in ("", "UNK"):
        return QColor("#9E9E9E")
    levels = _ORDINAL.get(target)
    if levels and value in levels:
        t = levels.index(value) / max(1, len(levels) - 1)
        return _diverging(t)
    return QColor(_PALETTE[zlib.crc32(f"{target}:{value}".encode()) % len(_PALETTE)])


def key_colour(tonic: str, mode: str) -> QColor:
    """Keys around the circle of fifths get neighbouring hues; minor is darker."""
    pc = _PITCHES.index(_FLATS.get(tonic, tonic)) if _FLATS.get(tonic, tonic) in _PITCHES else 0
    fifths = (pc * 7) % 12
    colour = QColor.fromHsvF(fifths / 12.0, 0.55, 0.95 if mode != "minor" else 0.7)
    return colour


@dataclass(frozen=True)
class Run:
    """Consecutive cells with the same value: [start, end) seconds, value, mean weight."""

    start: float
    end: float
    value: str
    weight: float


def cell_edges(starts: Sequence[float], ends: Sequence[float], duration: float) -> np.ndarray:
    """Edges of non-overlapping display cells, one per (overlapping) analysis window.

    Cells meet halfway between neighbouring window centres; the first starts at 0 and
    the last ends at ``duration``, so the cells tile the whole track.
    """
    centres = (np.asarray(starts, float) + np.asarray(ends, float)) / 2
    if len(centres) == 0:
        return np.zeros(0)
    mids = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[0.0], mids, [max(duration, centres[-1])]])


def runs(values: Sequence[str], edges: np.ndarray, weights: Sequence[float] | None = None
         ) -> list[Run]:
    """Merge neighbouring cells with equal values into runs."""
    out: list[Run] = []
    w = list(weights) if weights is not None else [1.0] * len(values)
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        out.append(Run(float(edges[i]), float(edges[j + 1]), str(values[i]),
                       float(np.mean(w[i:j + 1]))))
        i = j + 1
    return out


class BlocksItem(pg.GraphicsObject):
    """Filled rectangles [x0, x1) x [0, 1) drawn from a cached QPicture.

    One item per lane instead of one per window keeps a 60-minute track cheap.
    """

    def __init__(self):
        super().__init__()
        self._picture = QPicture()
        self._rect = QRectF(0, 0, 1, 1)

    def set_blocks(self, x0: Sequence[float], x1: Sequence[float],
                   colours: Sequence[QColor]) -> None:
        self.prepareGeometryChange()
        pic = QPicture()
        p = QPainter(pic)
        p.setPen(Qt.PenStyle.NoPen)
        for a, b, c in zip(x0, x1, colours):
            p.setBrush(c)
            p.drawRect(QRectF(a, 0.0, b - a, 1.0))
        p.end()
        self._picture = pic
        lo = float(min(x0)) if len(x0) else 0.0
        hi = float(max(x1)) if len(x1) else 1.0
        self._rect = QRectF(lo, 0.0, max(hi - lo, 1e-9), 1.0)
        self.update()

    def paint(self, p: QPainter, *args) -> None:
        self._picture.play(p)

    def boundingRect(self) -> QRectF:
        return self._rect


class RunLabels:
    """Text labels for runs in one plot; each run shows the longest of its texts that
    fits its on-screen width, or nothing.  Owns its TextItems; call :meth:`refresh`
    when the visible range or size changes.
    """

    def __init__(self, plot: pg.PlotItem, *, y: float = 0.5, size: int = 8,
                 colour: str = "#111111", anchor=(0.0, 0.5), fill=None):
        self._plot, self._y, self._anchor, self._fill = plot, y, anchor, fill
        self._font = QFont()
        self._font.setPointSize(size)
        self._metrics = QFontMetricsF(self._font)
        self._colour = colour
        self._items: list[tuple[pg.TextItem, float, float, tuple[str, ...]]] = []

    def set_runs(self, spans: Sequence[tuple]) -> None:
        """``(start, end, text[, shorter text, ...])`` per run."""
        self.clear()
        for start, end, *texts in spans:
            item = pg.TextItem(texts[0], color=self._colour, anchor=self._anchor,
                               fill=self._fill)
            item.setFont(self._font)
            item.setPos(QPointF(start, self._y))
            self._plot.addItem(item, ignoreBounds=True)
            widths = tuple(self._metrics.horizontalAdvance(t) + 10 for t in texts)
            self._items.append((item, start, end, tuple(zip(texts, widths))))
        self.refresh()

    def clear(self) -> None:
        for item, *_ in self._items:
            self._plot.removeItem(item)
        self._items = []

    def refresh(self) -> None:
        vb = self._plot.getViewBox()
        (x0, x1), _ = vb.viewRange()
        px = (vb.width() or 1.0) / max(x1 - x0, 1e-9)
        for item, start, end, options in self._items:
            room = (end - start) * px if (end > x0 and start < x1) else 0.0
            text = next((t for t, w in options if w <= room), None)
            if text is None:
                item.setVisible(False)
                continue
            if item.textItem.toPlainText() != text:
                item.setText(text)
            item.setVisible(True)
