"""The spectrogram lane: a fixed-level log-frequency image of the original."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from gui.lanes.base import Lane

__all__ = ["SpectrogramLane"]

LEVELS = (-80.0, 0.0)  # fixed: the same colour means the same level in every track


class SpectrogramLane(Lane):
    """A :class:`core.app.tracks.Spectrogram` as an ``ImageItem``, ticks at 100 Hz, 1k and 10k."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot)
        self.image = pg.ImageItem()
        self.image.setColorMap(pg.colormap.get("inferno"))
        self.image.setLevels(LEVELS)
        plot.addItem(self.image)

    def show(self, spec) -> None:
        """Draw ``spec``; None draws nothing."""
        if spec is None:
            self.image.clear()
            return
        bands = spec.image.shape[1]
        self.image.setImage(spec.image, autoLevels=False, levels=LEVELS)
        self.image.setRect(QRectF(0.0, 0.0, spec.duration, float(bands)))
        ticks = [(bands * np.log(f / spec.fmin) / np.log(spec.fmax / spec.fmin),
                  f"{f / 1000:g}k" if f >= 1000 else f"{f:g}")
                 for f in (100, 1000, 10000) if spec.fmin < f < spec.fmax]
        self.plot.getAxis("left").setTicks([ticks, []])
        self.plot.setYRange(0, bands, padding=0)

    def clear(self) -> None:
        self.image.clear()
