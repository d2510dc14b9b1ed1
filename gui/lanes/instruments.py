"""The instruments lane: a row per instrument the MTT tagger hears anywhere in the track,
its activity per window drawn as opacity (:mod:`core.analysis.tagview` decides which
instruments get a row and merges near-synonym tags).

Without tags (the tagger still running, cancelled, failed) the lane holds one line
saying so (:func:`gui.readouts.tags_hint` words it for this lane and the voice lane).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPicture

from core.analysis.tagview import ACTIVE_THRESHOLD, InstrumentRow, instrument_rows
from gui.lanes.base import Lane
from gui.lanes.colours import with_alpha

__all__ = ["InstrumentsLane", "ActivityItem", "ROW_HEIGHT", "HINT_COLOUR"]

ROW_HEIGHT = 13  # pixels per instrument row: room for the row name on the axis
HINT_COLOUR = "#8a6d00"
#: One colour for every row (the rows are named): a heat map reads by darkness alone.
ACTIVITY_COLOUR = QColor("#0b5d7a")
#: The activity drawn at full colour (the tagger's probabilities rarely pass 0.7).
FULL_ACTIVITY = 0.5
TOOLTIP = ("Instruments the MTT real-music tagger (musicnn) hears: a row per instrument "
           f"reaching {100 * ACTIVE_THRESHOLD:.0f} % in some window; darker = more "
           f"probable in that window (full colour from {100 * FULL_ACTIVITY:.0f} %)")


class ActivityItem(pg.GraphicsObject):
    """Rows of cells, row ``r`` spanning y in [r, r + 1), painted from a cached QPicture;
    one item for the whole lane however long the track.  GUI thread only."""

    def __init__(self):
        super().__init__()
        self._picture = QPicture()
        self._rect = QRectF(0, 0, 1, 1)
        self.cells: list[tuple[int, float, float, QColor]] = []  # what is drawn, for tests

    def set_cells(self, cells: Sequence[tuple[int, float, float, QColor]]) -> None:
        """``(row, x0, x1, colour)`` per cell."""
        self.prepareGeometryChange()
        self.cells = list(cells)
        pic = QPicture()
        p = QPainter(pic)
        p.setPen(Qt.PenStyle.NoPen)
        for row, a, b, c in self.cells:
            p.setBrush(c)
            p.drawRect(QRectF(a, row + 0.08, b - a, 0.84))
        p.end()
        self._picture = pic
        rows = max((c[0] for c in self.cells), default=0) + 1
        x0 = min((c[1] for c in self.cells), default=0.0)
        x1 = max((c[2] for c in self.cells), default=1.0)
        self._rect = QRectF(x0, 0.0, max(x1 - x0, 1e-9), rows)
        self.update()

    def paint(self, p: QPainter, *args) -> None:
        self._picture.play(p)

    def boundingRect(self) -> QRectF:
        return self._rect


class InstrumentsLane(Lane):
    """A row per active instrument, named on the left axis.  GUI thread only."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot)
        self.rows: list[InstrumentRow] = []
        self.activity = ActivityItem()
        plot.addItem(self.activity)
        plot.setToolTip(TOOLTIP)
        font = QFont()
        font.setPointSize(7)
        plot.getAxis("left").setStyle(tickFont=font)
        self.hint = pg.TextItem("", color=HINT_COLOUR, anchor=(0.0, 0.5))
        plot.addItem(self.hint, ignoreBounds=True)
        self._show_rows([])

    @property
    def row_count(self) -> int:
        """Rows the lane needs (1 for its hint line when no instrument is shown)."""
        return max(len(self.rows), 1)

    def show(self, analysis, cells: np.ndarray, *, hint: str = "") -> None:
        """Draw ``analysis``'s instrument activity in ``cells`` (one per window), or
        ``hint`` when it has no MTT tags."""
        tags = analysis.windows.tags.get("mtt") if analysis is not None else None
        self.rows = instrument_rows(tags)
        drawn = []
        n = len(self.rows)
        for r, row in enumerate(self.rows):
            y = n - 1 - r  # the first row on top
            drawn += [(y, float(cells[i]), float(cells[i + 1]),
                       with_alpha(ACTIVITY_COLOUR, 255 * min(float(a) / FULL_ACTIVITY, 1.0)))
                      for i, a in enumerate(row.activity) if a >= 0.05]
        self.activity.set_cells(drawn)
        if tags is not None and not self.rows:
            hint = (f"no instrument tag reaches {100 * ACTIVE_THRESHOLD:.0f} % "
                    "in any window")
        self._show_rows([row.name for row in self.rows], hint)

    def _show_rows(self, names: list[str], hint: str = "") -> None:
        n = max(len(names), 1)
        self.plot.setYRange(0, n, padding=0)
        ticks = [(n - 1 - r + 0.5, name) for r, name in enumerate(names)]
        self.plot.getAxis("left").setTicks([ticks or [(0.5, "instruments")], []])
        self.hint.setText(hint if not names else "")
        self.hint.setVisible(not names)
        self.hint.setPos(self.hint.pos().x(), 0.5)

    def clear(self) -> None:
        self.rows = []
        self.activity.set_cells([])
        self._show_rows([])
        super().clear()

    @property
    def text(self) -> str:
        """The hint line ("" while rows are drawn)."""
        return self.hint.toPlainText() if self.hint.isVisible() else ""

    def follow_range(self, x0: float, x1: float) -> None:
        self.hint.setPos(x0 + 0.005 * (x1 - x0), 0.5)
        super().follow_range(x0, x1)
