"""The tempo lane: per-window tempo, per-segment tempo steps and the global tempo."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from gui.lanes.base import Lane

__all__ = ["TempoLane"]


class TempoLane(Lane):
    """BPM over time: grey dots per window, orange steps per segment, a dashed line at
    the global tempo; the BPM axis fits the values."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot)
        plot.getAxis("left").setTicks(None)
        plot.setLabel("left", "BPM")
        self.windows = pg.PlotDataItem(pen=pg.mkPen("#888", width=1), symbol="o",
                                       symbolSize=3, symbolBrush="#555", symbolPen=None)
        self.segments = pg.PlotDataItem(pen=pg.mkPen("#d55e00", width=2), stepMode="center")
        self.global_line = pg.InfiniteLine(0.0, angle=0, movable=False,
                                           pen=pg.mkPen("#0072b2", width=1,
                                                        style=Qt.PenStyle.DashLine))
        for item in (self.windows, self.segments):
            plot.addItem(item)
        plot.addItem(self.global_line, ignoreBounds=True)

    def show(self, analysis) -> None:
        w, segments = analysis.windows, analysis.segments
        centres = (np.asarray(w.start) + np.asarray(w.end)) / 2
        self.windows.setData(centres, np.asarray(w.tempo, float))
        bounds = [s.start for s in segments] + [segments[-1].end] if segments else []
        self.segments.setData(bounds, [s.tempo for s in segments])
        self.global_line.setValue(analysis.globals.tempo)
        values = [v for v in (*w.tempo, *(s.tempo for s in segments), analysis.globals.tempo)
                  if v > 0]
        if values:
            self.plot.setYRange(min(values) - 5, max(values) + 5, padding=0)

    def clear(self) -> None:
        """Forget the windows and segments (the global line waits for the next show)."""
        self.windows.setData([], [])
        self.segments.setData([], [])
