"""Waveform lanes: A (the original) and B (the render) as min/max peak traces."""

from __future__ import annotations

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
        plot.getAxis("left").setTicks([[(0.0, title)], []])
        plot.setYRange(-1.05, 1.05, padding=0)
        self.wave = WaveformItem(colour)
        plot.addItem(self.wave)

    def show(self, envelope) -> None:
        """Draw ``envelope``'s peaks; None draws nothing."""
        if envelope is None:
            self.wave.clear()
            return
        self.wave.set_peaks(envelope.bin_frames / envelope.sr, envelope.mins, envelope.maxs)

    def clear(self) -> None:
        self.wave.clear()

    def has_trace(self) -> bool:
        return len(self.wave) > 0
