"""The graphics items the timeline's lanes are made of.

Items here draw what they are given (times in seconds, colours, texts) and keep no
business rules: which window belongs where, which label wins a segment, all come
from ``core`` through the lanes (:mod:`gui.lanes`).  Each is one item per lane that
paints only what is in view, however long the track.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath,
                           QStaticText, QTransform)

__all__ = ["CellsItem", "BlocksItem", "WaveformItem", "SpansItem", "RunLabels"]


class CellsItem(pg.GraphicsObject):
    """Rows of coloured cells on shared time edges, painted from one image.

    Cell ``i`` of row ``r`` covers x in [edges[i], edges[i + 1]) and y in [r, r + 1),
    less ``inset`` at its top and bottom.  The colours are an image with a pixel per
    cell; a paint draws only the cells in view, one scaled image blit per run of
    equally wide cells (a window grid is three: the wider first cell, the rest, the
    wider last), so a frame costs the same whatever the track's length and the zoom.
    Replaces a QPicture replaying a rectangle per cell on every paint.  GUI thread only.
    """

    def __init__(self, *, inset: float = 0.0):
        super().__init__()
        self._inset = float(inset)
        self._edges = np.zeros(0)
        self._image: QImage | None = None
        self._runs = np.zeros(0, int)  # cell index where each run of equal widths starts
        self._rect = QRectF(0, 0, 1, 1)

    def set_cells(self, edges: np.ndarray, argb: np.ndarray) -> None:
        """``argb``: (rows, cells) colours as 0xAARRGGBB (alpha 0: nothing there) on the
        ``cells + 1`` increasing ``edges``."""
        self.prepareGeometryChange()
        self._edges = np.asarray(edges, float)
        n = max(len(self._edges) - 1, 0)
        argb = np.ascontiguousarray(argb, dtype=np.uint32)
        rows = argb.size // n if n else 0
        if rows == 0:
            self._image, self._runs = None, np.zeros(0, int)
            self._rect = QRectF(0, 0, 1, 1)
        else:
            argb = argb.reshape(rows, n)
            self._image = QImage(argb.data, n, rows, 4 * n, QImage.Format.Format_ARGB32).copy()
            widths = np.diff(self._edges)
            steps = ~np.isclose(widths[1:], widths[:-1], rtol=1e-9, atol=1e-12)
            self._runs = np.concatenate(([0], np.flatnonzero(steps) + 1, [n]))
            self._rect = QRectF(self._edges[0], 0.0, max(self._edges[-1] - self._edges[0],
                                                          1e-9), rows)
        self.update()

    def paint(self, p: QPainter, *args) -> None:
        vr = self.viewRect()
        if vr is None or self._image is None:
            return
        e = self._edges
        i0 = max(int(np.searchsorted(e, vr.left(), "right")) - 1, 0)
        i1 = min(int(np.searchsorted(e, vr.right(), "left")), len(e) - 1)
        rows, inset = self._image.height(), self._inset
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        for a, b in zip(self._runs[:-1], self._runs[1:]):
            a, b = max(a, i0), min(b, i1)
            if a >= b:
                continue
            x, w = e[a], e[b] - e[a]
            if not inset:
                p.drawImage(QRectF(x, 0.0, w, rows), self._image, QRectF(a, 0, b - a, rows))
                continue
            for r in range(rows):
                p.drawImage(QRectF(x, r + inset, w, 1.0 - 2 * inset), self._image,
                            QRectF(a, r, b - a, 1))

    def boundingRect(self) -> QRectF:
        return self._rect


class BlocksItem(CellsItem):
    """Filled cells [x0, x1) x [0, 1), one colour each (a row of :class:`CellsItem`).

    One item per lane instead of one per window keeps a 60-minute track cheap.
    """

    def __init__(self):
        super().__init__()
        self.cells: list[tuple[float, float, QColor]] = []  # what is drawn, for tests

    def set_blocks(self, x0: Sequence[float], x1: Sequence[float],
                   colours: Sequence[QColor]) -> None:
        """Cell ``i`` spans [x0[i], x1[i]) in ``colours[i]`` (cells in time order, not
        overlapping); a gap between one cell's end and the next one's start stays empty."""
        self.cells = [(float(a), float(b), QColor(c)) for a, b, c in zip(x0, x1, colours)]
        edges, argb = [], []
        for a, b, c in self.cells:
            if edges and a != edges[-1]:
                argb.append(0)  # a gap: a transparent cell
                edges.append(a)
            elif not edges:
                edges.append(a)
            argb.append(c.rgba())
            edges.append(b)
        self.set_cells(np.array(edges), np.array(argb, np.uint32)[None, :])


class WaveformItem(pg.GraphicsObject):
    """A min/max peak trace: one vertical stroke per pixel column at any zoom.

    Given per-bin minima and maxima (bins of ``step`` seconds), each paint takes only
    the bins in view, merges them into columns of about one pixel (aligned to a
    multiple of the column width, so panning does not shimmer) and strokes each
    column from its minimum to its maximum.  A 10-minute track is a few thousand
    strokes per frame, whatever the zoom; the path is cached while the view stays.
    Owns its copy of the peaks; GUI thread only.
    """

    def __init__(self, colour: str):
        super().__init__()
        self._pen = pg.mkPen(colour, width=1)
        self._pen.setCosmetic(True)
        self._step = 1.0
        self._mins = self._maxs = np.zeros(0, np.float32)
        self._rect = QRectF()
        self._key: tuple | None = None
        self._path = QPainterPath()

    def set_peaks(self, step: float, mins: np.ndarray, maxs: np.ndarray) -> None:
        """Bin ``i`` covers [i * step, (i + 1) * step) seconds."""
        self.prepareGeometryChange()
        self._step = float(step)
        self._mins, self._maxs = np.asarray(mins), np.asarray(maxs)
        n = len(self._mins)
        if n:
            lo, hi = float(self._mins.min()), float(self._maxs.max())
            self._rect = QRectF(0.0, lo, n * self._step, max(hi - lo, 1e-9))
        else:
            self._rect = QRectF()
        self._key = None
        self.update()

    def clear(self) -> None:
        self.set_peaks(1.0, np.zeros(0, np.float32), np.zeros(0, np.float32))

    def __len__(self) -> int:
        return len(self._mins)

    def boundingRect(self) -> QRectF:
        return self._rect

    def columns(self, px_per_second: float, x0: float, x1: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(centre seconds, minima, maxima) of the columns drawn for [x0, x1] at that zoom."""
        n, step = len(self._mins), self._step
        k = max(1, int(1.0 / max(step * px_per_second, 1e-12)))  # bins per column
        i0 = min(max(int(x0 / step) - k, 0), n)
        i0 -= i0 % k
        i1 = min(max(int(np.ceil(x1 / step)) + k, i0), n)
        lo, hi = self._mins[i0:i1], self._maxs[i0:i1]
        if k > 1 and len(lo):
            m = -(-len(lo) // k)
            pad = m * k - len(lo)  # the last column may be short: pad with its own edge
            lo = np.pad(lo, (0, pad), mode="edge").reshape(m, k).min(axis=1)
            hi = np.pad(hi, (0, pad), mode="edge").reshape(m, k).max(axis=1)
        centres = (i0 + (np.arange(len(lo)) + 0.5) * k) * step
        return centres, lo, hi

    def paint(self, p: QPainter, *args) -> None:
        vr = self.viewRect()
        px = p.transform().m11()
        if vr is None or not len(self._mins) or px <= 0:
            return
        key = (round(px, 6), int(vr.left() / self._step), int(vr.right() / self._step))
        if key != self._key:
            x, lo, hi = self.columns(px, vr.left(), vr.right())
            xs, ys = np.repeat(x, 2), np.empty(2 * len(x))
            ys[0::2], ys[1::2] = lo, hi
            self._path = pg.arrayToQPath(xs, ys, connect="pairs", finiteCheck=False)
            self._key = key
        p.setPen(self._pen)
        p.drawPath(self._path)


class _FullHeightItem(pg.GraphicsObject):
    """Base of items that cover ``[lo, hi]`` in x and the plot's whole visible height:
    the bounding rectangle follows the view and is recomputed only when it changes."""

    def __init__(self):
        super().__init__()
        self._br: QRectF | None = None

    def _extent(self) -> tuple[float, float] | None:
        """``(lo, hi)`` in x of what the item draws, None when empty."""
        raise NotImplementedError

    def _changed(self) -> None:
        self.prepareGeometryChange()
        self._br = None
        self.update()

    def viewTransformChanged(self) -> None:  # pyqtgraph hook: range or size changed
        self.prepareGeometryChange()
        self._br = None
        super().viewTransformChanged()

    def boundingRect(self) -> QRectF:
        if self._br is None:
            vr, ext = self.viewRect(), self._extent()
            if vr is None or ext is None:
                self._br = QRectF()
            else:
                lo, hi = ext
                self._br = QRectF(lo, vr.top(), max(hi - lo, 1e-9), vr.height()).normalized()
        return self._br


class SpansItem(_FullHeightItem):
    """Coloured regions [start, end) across the whole height of a plot, in one item.

    One item per lane instead of a ``LinearRegionItem`` per segment: adding dozens of
    items to a plot is what made a long track's analysis stall the GUI.  The selected
    span (if any) is drawn with its own colour and black edges.  GUI thread only.
    """

    def __init__(self):
        super().__init__()
        self._x0 = self._x1 = np.zeros(0)
        self._colours: list[QColor] = []
        self._selected, self._selected_colour = -1, QColor()
        self._edge = pg.mkPen("#000", width=2)
        self._edge.setCosmetic(True)

    def set_spans(self, x0: Sequence[float], x1: Sequence[float],
                  colours: Sequence[QColor]) -> None:
        self._x0, self._x1 = np.asarray(x0, float), np.asarray(x1, float)
        self._colours = list(colours)
        self._selected = -1
        self._changed()

    def set_selected(self, index: int, colour: QColor | None = None) -> None:
        """Draw span ``index`` with ``colour`` and black edges (-1: none)."""
        self._selected = index if 0 <= index < len(self._colours) else -1
        self._selected_colour = QColor(colour) if colour is not None else QColor()
        self.update()

    def __len__(self) -> int:
        return len(self._colours)

    def _extent(self) -> tuple[float, float] | None:
        return (float(self._x0.min()), float(self._x1.max())) if len(self._x0) else None

    def paint(self, p: QPainter, *args) -> None:
        vr = self.viewRect()
        if vr is None or not len(self._x0):
            return
        y0, h = vr.top(), vr.height()
        p.setPen(Qt.PenStyle.NoPen)
        visible = np.flatnonzero((self._x1 > vr.left()) & (self._x0 < vr.right()))
        for i in visible:
            colour = self._selected_colour if i == self._selected else self._colours[i]
            p.setBrush(colour)
            p.drawRect(QRectF(self._x0[i], y0, self._x1[i] - self._x0[i], h))
        if self._selected >= 0:
            p.setPen(self._edge)
            for x in (self._x0[self._selected], self._x1[self._selected]):
                p.drawLine(QPointF(x, y0), QPointF(x, y0 + h))


class RunLabels(_FullHeightItem):
    """Text labels for runs in one plot, painted by one item.

    Each run shows the longest of its texts that fits its on-screen width, or
    nothing; only runs in the visible range are drawn.  Texts keep their size at any
    zoom (drawn in device coordinates) and are anchored like ``pg.TextItem``'s: the
    ``anchor`` point of the text box sits at (run start, ``y``), or at the left edge
    of the view for a run that starts before it (its text stays in sight).  Replaces a
    ``TextItem`` per run: hundreds of items per long track stalled the GUI thread.
    Adds itself to ``plot``; GUI thread only.
    """

    _MARGIN = 4.0  # pixels around the text, as pg.TextItem's QGraphicsTextItem has

    def __init__(self, plot: pg.PlotItem, *, y: float = 0.5, size: int = 8,
                 colour: str = "#111111", anchor=(0.0, 0.5), fill=None):
        super().__init__()
        self._y, self._anchor = float(y), (float(anchor[0]), float(anchor[1]))
        self._fill = pg.mkBrush(fill) if fill is not None else None
        self._font = QFont()
        self._font.setPointSize(size)
        self._metrics = QFontMetricsF(self._font)
        self._pen = pg.mkPen(colour)
        self._starts = self._ends = np.zeros(0)
        self._texts: list[tuple[str, ...]] = []
        self._widths = np.zeros((0, 1))  # (runs, options): room each text needs, px
        self._static: dict[str, QStaticText] = {}  # each distinct text laid out once
        self._chosen: tuple[tuple, list] = ((), [])  # the last paint's view and choice
        self.setZValue(20)
        plot.addItem(self, ignoreBounds=True)

    def set_runs(self, spans: Sequence[tuple]) -> None:
        """``(start, end, text[, shorter text, ...])`` per run."""
        spans = list(spans)
        self._starts = np.array([s[0] for s in spans], float)
        self._ends = np.array([s[1] for s in spans], float)
        self._texts = [tuple(str(t) for t in s[2:]) for s in spans]
        width = max((len(t) for t in self._texts), default=1)
        self._widths = np.full((len(spans), width), np.inf)
        measured: dict[str, float] = {}  # a lane repeats a few texts many times
        for i, texts in enumerate(self._texts):
            for j, t in enumerate(texts):
                if t not in measured:
                    measured[t] = self._metrics.horizontalAdvance(t) + 10
                self._widths[i, j] = measured[t]
        self._static = {t: s for t, s in self._static.items() if t in measured}
        self._chosen = ((), [])
        self._changed()

    def clear(self) -> None:
        self.set_runs([])

    def refresh(self) -> None:
        """Repaint (the texts are chosen at paint time from the current zoom)."""
        self.update()

    def shown(self) -> list[tuple[float, float, str]]:
        """``(left, end, text)`` of the runs drawn at the current range and size; ``left``
        is where the text is drawn (the run's start, or the view's left edge)."""
        vb = self.getViewBox()
        if vb is None or not len(self._starts):
            return []
        (x0, x1), _ = vb.viewRange()
        px = (vb.width() or 1.0) / max(x1 - x0, 1e-9)
        return [(left, float(self._ends[i]), self._texts[i][j])
                for i, j, left in self._choose(px, x0, x1)]

    def _choose(self, px: float, x0: float, x1: float) -> list[tuple[int, int, float]]:
        """(run, option, left) for runs overlapping [x0, x1] with a text that fits the
        visible part of the run at ``px`` px/s: the first (longest) one that does."""
        lefts = np.maximum(self._starts, x0)
        room = (np.minimum(self._ends, x1) - lefts) * px
        fits = self._widths <= room[:, None]
        keep = fits.any(axis=1) & (self._ends > x0) & (self._starts < x1)
        pick = fits.argmax(axis=1)
        return [(int(i), int(pick[i]), float(lefts[i])) for i in np.flatnonzero(keep)]

    def _laid_out(self, text: str) -> QStaticText:
        """``text`` laid out in the item's font once (QStaticText keeps the glyphs)."""
        static = self._static.get(text)
        if static is None:
            static = self._static[text] = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), self._font)
        return static

    def _extent(self) -> tuple[float, float] | None:
        # Texts stay inside the visible plot: its whole height, the runs' width.
        return ((float(self._starts.min()), float(self._ends.max()))
                if len(self._starts) else None)

    def paint(self, p: QPainter, *args) -> None:
        vr = self.viewRect()
        if vr is None or not len(self._starts):
            return
        t = p.transform()  # item -> device; no rotation in a plot
        if t.m11() <= 0:
            return
        # A frame paints each item more than once (the view, a grab, an export) and
        # the choice depends on the view only.
        key = (t.m11(), vr.left(), vr.right())
        if key != self._chosen[0]:
            self._chosen = (key, self._choose(*key))
        chosen = self._chosen[1]
        if not chosen:
            return
        m, ax, ay = self._MARGIN, *self._anchor
        height = self._metrics.height() + 2 * m
        y = t.map(QPointF(0.0, self._y)).y() - ay * height
        p.save()
        p.resetTransform()
        p.setFont(self._font)
        p.setPen(self._pen)
        for i, j, left in chosen:
            text, width = self._texts[i][j], self._widths[i, j] - 10 + 2 * m
            x = left * t.m11() + t.dx() - ax * width
            box = QRectF(round(x), round(y), width, height)
            if self._fill is not None:
                p.fillRect(box, self._fill)
            p.drawStaticText(QPointF(box.left() + m, box.top() + m), self._laid_out(text))
        p.restore()
