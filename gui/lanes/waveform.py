"""Waveform lanes: A (the original) and B (the render) as min/max peak traces."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.lanes.base import Lane
from gui.lanes.items import WaveformItem

__all__ = ["WaveformLane"]


class WaveformLane(Lane):
    """The peak trace of one envelope (:class:`core.app.tracks.Envelope`) on a -1..1 lane.

    The segments drawn over it are a lane of their own (:mod:`gui.lanes.segments`)
    sharing the plot.
    """

    def __init__(self, plot: pg.PlotItem, *, title: str, colour: str):
        super().__init__(plot)
        self._title = title
        plot.getAxis("left").setTicks([[(0.0, title)], []])
        plot.setYRange(-1.05, 1.05, padding=0)
        self.wave = WaveformItem(colour)
        plot.addItem(self.wave)
        self.gain = 1.0
        self._envelope = None

    def show(self, envelope) -> None:
        """Draw ``envelope``'s peaks (times the vertical zoom, clipped to the lane);
        None draws nothing."""
        self._envelope = envelope
        if envelope is None:
            self.wave.clear()
            return
        g = self.gain
        mins, maxs = envelope.mins, envelope.maxs
        if g != 1.0:   # the overlays keep their place: the trace is scaled, not the view
            mins, maxs = np.clip(mins * g, -1.0, 1.0), np.clip(maxs * g, -1.0, 1.0)
        self.wave.set_peaks(envelope.bin_frames / envelope.sr, mins, maxs)

    def set_gain(self, gain: float) -> None:
        """Vertical zoom: the trace ``gain`` times taller (1-64), the axis saying so."""
        self.gain = float(min(max(gain, 1.0), 64.0))
        label = self._title if self.gain == 1.0 else f"{self._title} \u00d7{self.gain:g}"
        self.plot.getAxis("left").setTicks([[(0.0, label)], []])
        self.show(self._envelope)

    def clear(self) -> None:
        self.wave.clear()

    def has_trace(self) -> bool:
        return len(self.wave) > 0
