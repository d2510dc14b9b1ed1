"""The voice lane: vocal vs no vocal over time, one activity curve per window from the
MTT tagger's vocal and no-vocal tags (:func:`core.analysis.tagview.voice_curve`), and
"voice" written over the runs where it passes one half.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from core.analysis.query import runs
from core.analysis.tagview import VOICE_MARGIN, voice_curve
from gui.lanes.base import Lane
from gui.lanes.instruments import HINT_COLOUR

__all__ = ["VoiceLane", "VOICE_TEXT", "TOOLTIP", "LEGEND"]

VOICE_TEXT = "voice"
_COLOUR = "#a0307a"
TOOLTIP = ("Voice activity from the MTT real-music tagger's tags (vocal, vocals, voice, "
           "singing, male/female ...) against its no-vocal tags, 0 to 1 per window: 0.5 "
           f"(dashed) where the vocal evidence leads by {VOICE_MARGIN:.1f}; 'voice' marks "
           "the runs above it")
#: The curve and its unit, and the threshold line, as the lane's legend names them.
LEGEND = (("\u2586", _COLOUR, "voice activity 0-1"), ("\u254d\u254d", "#999999", "0.5"))


class VoiceLane(Lane):
    """A filled step curve of the voice activity (0 to 1).  GUI thread only."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot)
        plot.setYRange(0, 1, padding=0)
        plot.setToolTip(TOOLTIP)
        self.curve = pg.PlotDataItem(pen=pg.mkPen(_COLOUR, width=1), stepMode="center",
                                     fillLevel=0.0, brush=pg.mkBrush(160, 48, 122, 90))
        plot.addItem(self.curve)
        self.half = pg.InfiniteLine(0.5, angle=0, movable=False,
                                    pen=pg.mkPen("#999", width=1, style=Qt.PenStyle.DashLine))
        plot.addItem(self.half, ignoreBounds=True)
        self.names = self.run_labels(size=7, colour="#5a1545")
        self.legend = self.add_legend(LEGEND)
        self.legend.setVisible(False)  # with a curve only
        self.hint = pg.TextItem("", color=HINT_COLOUR, anchor=(0.0, 0.5))
        plot.addItem(self.hint, ignoreBounds=True)
        self.values = np.zeros(0)

    def show(self, analysis, cells: np.ndarray, *, hint: str = "") -> None:
        """Draw ``analysis``'s voice activity in ``cells`` (one per window), or ``hint``
        when it has no MTT tags."""
        tags = analysis.windows.tags.get("mtt") if analysis is not None else None
        curve = voice_curve(tags)
        if curve is None:
            self.clear()
            self.hint.setText(hint)
            return
        self.half.setVisible(True)
        self.legend.setVisible(True)
        self.values = curve
        self.curve.setData(np.asarray(cells, float), curve)
        self.names.set_runs([(r.start, r.end, r.value)
                             for r in runs([VOICE_TEXT if v >= 0.5 else "" for v in curve],
                                           cells) if r.value])
        self.hint.setText("")

    def clear(self) -> None:
        self.values = np.zeros(0)
        self.curve.setData([], [])
        self.half.setVisible(False)
        self.legend.setVisible(False)
        self.hint.setText("")
        super().clear()

    @property
    def text(self) -> str:
        return self.hint.toPlainText()

    def follow_range(self, x0: float, x1: float) -> None:
        self.hint.setPos(x0 + 0.005 * (x1 - x0), 0.5)
        super().follow_range(x0, x1)
