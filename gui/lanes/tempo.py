"""The tempo lane: per-window tempo, per-segment tempo steps and the global tempo.

Spans without a pulse (tempo :data:`~core.record.NO_TEMPO`) draw no dot, step or line;
their segments say "no tempo" instead of a number.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from gui.lanes.base import Lane
from gui.lanes.items import RunLabels

__all__ = ["TempoLane", "NO_TEMPO_TEXT", "tempo_text", "TOOLTIP", "LEGEND"]

NO_TEMPO_TEXT = "no tempo"
_WINDOW, _SEGMENT, _GLOBAL = "#555555", "#d55e00", "#0072b2"
#: The curves, as the lane's legend names them (unit: the axis's BPM).
LEGEND = (("\u25cf", _WINDOW, "window"), ("\u2501\u2501", _SEGMENT, "segment"),
          ("\u254d\u254d", _GLOBAL, "global BPM"))
_HEADROOM = 0.35  # of the BPM span, above the values: the legend's room
TOOLTIP = ("Tempo in beats per minute: a grey dot per 10 s analysis window, orange steps "
           "for each form segment's majority tempo, the dashed blue line at the track's "
           "global tempo; 'no tempo' where the analysis finds no pulse")


def tempo_text(bpm: float) -> str:
    """``'120 BPM'``, or ``'no tempo'`` for a span without a pulse (any thread)."""
    return f"{bpm:.0f} BPM" if bpm > 0 else NO_TEMPO_TEXT


class TempoLane(Lane):
    """BPM over time: grey dots per window, orange steps per segment, a dashed line at
    the global tempo; the BPM axis fits the values.  GUI thread only."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot)
        plot.getAxis("left").setTicks(None)
        plot.setLabel("left", "BPM")
        plot.setToolTip(TOOLTIP)
        self.windows = pg.PlotDataItem(pen=pg.mkPen("#888", width=1), symbol="o",
                                       symbolSize=3, symbolBrush=_WINDOW, symbolPen=None,
                                       connect="finite")
        self.segments = pg.PlotDataItem(pen=pg.mkPen(_SEGMENT, width=2), stepMode="center",
                                        connect="finite")
        self.global_line = pg.InfiniteLine(0.0, angle=0, movable=False,
                                           pen=pg.mkPen(_GLOBAL, width=1,
                                                        style=Qt.PenStyle.DashLine))
        self.legend = self.add_legend(LEGEND)
        for item in (self.windows, self.segments):
            plot.addItem(item)
        plot.addItem(self.global_line, ignoreBounds=True)
        self.none: RunLabels | None = None  # "no tempo" over segments without a pulse

    def show(self, analysis) -> None:
        w, segments = analysis.windows, analysis.segments
        centres = (np.asarray(w.start) + np.asarray(w.end)) / 2
        bpm, steps = _or_nan(w.tempo), _or_nan([s.tempo for s in segments])
        # All-NaN data makes pyqtgraph warn about its bounds: nothing to draw instead.
        self.windows.setData(*((centres, bpm) if np.isfinite(bpm).any() else ([], [])))
        bounds = [s.start for s in segments] + [segments[-1].end] if segments else []
        self.segments.setData(*((bounds, steps) if np.isfinite(steps).any() else ([], [])))
        self.global_line.setValue(analysis.globals.tempo)
        self.global_line.setVisible(analysis.globals.tempo > 0)
        values = [v for v in (*w.tempo, *(s.tempo for s in segments), analysis.globals.tempo)
                  if v > 0]
        lo, hi = (min(values) - 5, max(values) + 5) if values else (0.0, 1.0)
        middle = (lo + hi) / 2
        self.plot.setYRange(lo, hi + _HEADROOM * (hi - lo), padding=0)
        self._labels_at(middle).set_runs(
            [(s.start, s.end, NO_TEMPO_TEXT, "-") for s in segments if s.tempo <= 0])

    def clear(self) -> None:
        """Forget the windows and segments (the global line waits for the next show)."""
        self.windows.setData([], [])
        self.segments.setData([], [])
        super().clear()

    def _labels_at(self, y: float) -> RunLabels:
        # RunLabels sit at a fixed data height; the BPM range moves with each track.
        if self.none is not None:
            self.plot.removeItem(self.none)
            self.labels.remove(self.none)
        self.none = self.run_labels(y=y, size=8, colour="#555555", anchor=(0.0, 0.5))
        return self.none


def _or_nan(bpm) -> np.ndarray:
    """Tempi with NaN where there is none (no dot, a gap in the line)."""
    values = np.asarray(bpm, dtype=float)
    return np.where(values > 0, values, np.nan)
