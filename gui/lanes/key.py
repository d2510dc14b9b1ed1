"""The key lane: per-window key, hue around the circle of fifths, opacity = confidence."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from core.analysis.query import runs
from gui.lanes.base import Lane, short_mode, unit
from gui.lanes.colours import key_colour
from gui.lanes.items import BlocksItem

__all__ = ["KeyLane"]


class KeyLane(Lane):
    """A cell per window coloured by its key, and the name of each run of equal keys.
    The bottom lane: it carries the time axis."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot)
        plot.setYRange(0, 1, padding=0)
        plot.showAxis("bottom")
        plot.setLabel("bottom", "time", units="s")
        self.blocks = BlocksItem()
        plot.addItem(self.blocks)
        self.names = self.run_labels(size=7)

    def show(self, analysis, cells: np.ndarray) -> None:
        """Draw ``analysis``'s window keys in ``cells`` (one per window)."""
        w = analysis.windows
        colours = [key_colour(t, m, alpha=70 + 185 * unit(c))
                   for t, m, c in zip(w.tonic, w.mode, w.key_confidence)]
        self.blocks.set_blocks(cells[:-1], cells[1:], colours)
        names = [f"{t} {short_mode(m)}" for t, m in zip(w.tonic, w.mode)]
        self.names.set_runs([(r.start, r.end, r.value) for r in runs(names, cells)])

    def clear(self) -> None:
        self.blocks.set_blocks([], [], [])
        super().clear()
