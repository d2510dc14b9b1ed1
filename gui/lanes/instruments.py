"""The instruments lane: a row per instrument the MTT tagger hears anywhere in the track,
its activity per window drawn as opacity (:mod:`core.analysis.tagview` decides which
instruments get a row and merges near-synonym tags).

Without tags (the tagger still running, cancelled, failed) the lane holds one line
saying so (:func:`gui.readouts.tags_hint` words it for this lane and the voice lane).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont

from core.analysis.tagview import ACTIVE_THRESHOLD, InstrumentRow
from gui.derived import instruments
from gui.lanes.base import Lane
from gui.lanes.items import CellsItem

__all__ = ["InstrumentsLane", "ROW_HEIGHT", "HINT_COLOUR", "activity_argb"]

ROW_HEIGHT = 13  # pixels per instrument row: room for the row name on the axis
HINT_COLOUR = "#8a6d00"
#: One colour for every row (the rows are named): a heat map reads by darkness alone.
ACTIVITY_COLOUR = QColor("#0b5d7a")
#: The activity drawn at full colour (the tagger's probabilities rarely pass 0.7).
FULL_ACTIVITY = 0.5
#: Below this activity a cell is left empty.
MIN_ACTIVITY = 0.05
TOOLTIP = ("Instruments the MTT real-music tagger (musicnn) hears: a row per instrument "
           f"reaching {100 * ACTIVE_THRESHOLD:.0f} % in some window; darker = more "
           f"probable in that window (full colour from {100 * FULL_ACTIVITY:.0f} %)")


class InstrumentsLane(Lane):
    """A row per active instrument, named on the left axis.  GUI thread only."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot)
        self.rows: list[InstrumentRow] = []
        self.activity = CellsItem(inset=0.08)
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
        self.rows = instruments(analysis) if analysis is not None else []
        self.activity.set_cells(cells, activity_argb([row.activity for row in self.rows]))
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
        self.activity.set_cells(np.zeros(0), np.zeros((0, 0), np.uint32))
        self._show_rows([])
        super().clear()

    @property
    def text(self) -> str:
        """The hint line ("" while rows are drawn)."""
        return self.hint.toPlainText() if self.hint.isVisible() else ""

    def follow_range(self, x0: float, x1: float) -> None:
        self.hint.setPos(x0 + 0.005 * (x1 - x0), 0.5)
        super().follow_range(x0, x1)


def activity_argb(activity) -> np.ndarray:
    """(rows, windows) colours (0xAARRGGBB) of the instruments' ``activity`` (one
    sequence per row, the first row on top): :data:`ACTIVITY_COLOUR`, opaque from
    :data:`FULL_ACTIVITY`, empty below :data:`MIN_ACTIVITY`.  Any thread."""
    if not len(activity):
        return np.zeros((0, 0), np.uint32)
    a = np.asarray(activity, float)[::-1]  # row 0 of the image is the bottom row
    alpha = (255 * np.minimum(a / FULL_ACTIVITY, 1.0)).astype(np.uint32)
    alpha[a < MIN_ACTIVITY] = 0
    return (alpha << 24) | np.uint32(ACTIVITY_COLOUR.rgba() & 0xFFFFFF)
