"""The overview strip: the whole track small, with the range the lanes show.

Owns a thin plot above the lanes drawing the original's waveform over its full length
and a region marking the visible range.  The region follows the lanes' zoom and pan;
dragging it (or its edges) moves and zooms the lanes, and a click elsewhere on the
strip centres the view there, as in Audacity's and Sonic Visualiser's overviews.
"""

from __future__ import annotations

from typing import Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer

from gui.lanes.items import WaveformItem

__all__ = ["OverviewStrip", "OVERVIEW_HEIGHT"]

OVERVIEW_HEIGHT = 44


class OverviewStrip(pg.PlotWidget):
    """The overview strip.  GUI thread only.

    ``set_range(x0, x1)`` is called by the view when its lanes move; ``on_range`` is
    called with ``(x0, x1)`` when the user moves the strip's region.
    """

    def __init__(self, on_range: Callable[[float, float], None], parent=None):
        super().__init__(parent=parent, background="#f4f4f4")
        self.setFixedHeight(OVERVIEW_HEIGHT)
        self.setToolTip("the whole track: drag the region to move the view, its edges to "
                        "zoom; click to centre the view there")
        self._on_range = on_range
        plot = self.getPlotItem()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setYRange(-1.05, 1.05, padding=0)
        self.wave = WaveformItem("#7a8ca8")
        plot.addItem(self.wave)
        self.region = pg.LinearRegionItem(brush=pg.mkBrush(43, 76, 126, 50),
                                          pen=pg.mkPen("#2b4c7e", width=1.5))
        self.region.setZValue(10)
        plot.addItem(self.region, ignoreBounds=True)
        self.region.sigRegionChanged.connect(self._on_region_changed)
        self._duration = 0.0
        self._following = False
        # The lanes report every zoom frame; the strip catches up when they pause, so a
        # zoom repaints one plot less per frame.
        self._pending: tuple[float, float] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(60)
        self._timer.timeout.connect(self._on_timer_timeout)

    def show_envelope(self, envelope) -> None:
        """Draw the track's ``envelope`` (None: empty) over the strip's full width."""
        if envelope is None:
            self.wave.clear()
            self._duration = 0.0
            return
        self.wave.set_peaks(envelope.bin_frames / envelope.sr, envelope.mins, envelope.maxs)
        self._duration = float(len(envelope.mins) * envelope.bin_frames / envelope.sr)
        self.getPlotItem().setXRange(0.0, max(self._duration, 0.1), padding=0)
        self.region.setBounds((0.0, max(self._duration, 0.1)))

    def follow(self, x0: float, x1: float) -> None:
        """The lanes now show ``[x0, x1]``: the region moves there once they pause."""
        self._pending = (x0, x1)
        if not self._timer.isActive():
            self._timer.start()

    def _on_timer_timeout(self) -> None:
        if self._pending is not None:
            self.set_range(*self._pending)
            self._pending = None

    def set_range(self, x0: float, x1: float) -> None:
        """Move the region to ``[x0, x1]`` now (no echo back to the lanes)."""
        self._following = True
        try:
            self.region.setRegion((x0, x1))
        finally:
            self._following = False

    def _on_region_changed(self, *_args) -> None:
        if not self._following:
            x0, x1 = self.region.getRegion()
            if x1 - x0 > 1e-3:
                self._on_range(float(x0), float(x1))

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """A click off the region centres the view on the clicked time."""
        plot = self.getPlotItem()
        t = plot.getViewBox().mapSceneToView(self.mapToScene(event.position().toPoint())).x()
        x0, x1 = self.region.getRegion()
        if event.button() == Qt.MouseButton.LeftButton and not x0 <= t <= x1:
            half = (x1 - x0) / 2
            lo = min(max(t - half, 0.0), max(self._duration - 2 * half, 0.0))
            self.region.setRegion((lo, lo + 2 * half))
            event.accept()
            return
        super().mousePressEvent(event)
