"""The key lane: per-window key, hue around the circle of fifths, opacity = confidence.

Windows without a key (``N``: silence, noise, unpitched material) are grey and their
runs say "no key".
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from PySide6.QtGui import QColor

from core.analysis.query import runs
from core.record import NO_KEY
from gui.lanes.base import Lane, short_mode, unit
from gui.lanes.colours import key_colour, with_alpha
from gui.lanes.items import BlocksItem

__all__ = ["KeyLane", "NO_KEY_TEXT", "NO_KEY_COLOUR", "key_text", "TOOLTIP"]

NO_KEY_TEXT = "no key"
NO_KEY_COLOUR = QColor("#9E9E9E")  # the grey of an unknown label in the other lanes
TOOLTIP = ("Key per 10 s analysis window (tonic and mode from chroma): hue around the "
           "circle of fifths, opacity = the key's confidence (0-1); grey 'no key' where "
           "the material is silent, noisy or unpitched")


def key_text(tonic: str, mode: str) -> str:
    """``'D min'``, or ``'no key'`` for ``N`` (any thread)."""
    return f"{tonic} {short_mode(mode)}" if tonic != NO_KEY else NO_KEY_TEXT


class KeyLane(Lane):
    """A cell per window coloured by its key, and the name of each run of equal keys.
    The bottom lane: it carries the time axis.  GUI thread only."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot)
        plot.setYRange(0, 1, padding=0)
        plot.setToolTip(TOOLTIP)
        plot.showAxis("bottom")
        plot.setLabel("bottom", "time", units="s")
        self.blocks = BlocksItem()
        plot.addItem(self.blocks)
        self.names = self.run_labels(size=7)

    def show(self, analysis, cells: np.ndarray) -> None:
        """Draw ``analysis``'s window keys in ``cells`` (one per window)."""
        w = analysis.windows
        colours = [key_colour(t, m, alpha=70 + 185 * unit(c)) if t != NO_KEY
                   else with_alpha(NO_KEY_COLOUR, 70)
                   for t, m, c in zip(w.tonic, w.mode, w.key_confidence)]
        self.blocks.set_blocks(cells[:-1], cells[1:], colours)
        names = [key_text(t, m) for t, m in zip(w.tonic, w.mode)]
        self.names.set_runs([(r.start, r.end, r.value) for r in runs(names, cells)])

    def clear(self) -> None:
        self.blocks.set_blocks([], [], [])
        super().clear()
