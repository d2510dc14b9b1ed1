"""Descriptor lanes: one per classifier target (genre ... momentum), or one hint lane.

A label lane has a cell per analysis window (the window's share of the time axis,
:func:`core.analysis.query.window_cells`): colour = label, opacity = probability, and
the label of each run of equal cells where it fits.  Without labels (no descriptor
model) the hint lane says where the lanes went.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from core.analysis.query import runs
from gui.lanes.base import Lane, unit
from gui.lanes.colours import label_colour
from gui.lanes.items import BlocksItem

__all__ = ["LabelLane", "ModelHintLane", "HINTS", "ORDINAL_LEGENDS", "label_tooltip"]

_LANES = "genre, subgenre, mood, sentiment, valence and momentum"
#: What the hint lane says, by why there are no label lanes.
HINTS = {
    "no model": f"no descriptor model: {_LANES} lanes appear once a classifier model "
                "labels the windows",
    "pending": f"{_LANES} lanes appear when the analysis is done",
    "unlabelled": f"the descriptor model gave no labels for this track ({_LANES})",
}

#: The ordinal targets' scales: their lanes' legends (the labels are these numbers).
ORDINAL_LEGENDS = {"valence": (("", "", "0 = low \u2192 2 = high"),),
                   "momentum": (("", "", "0 = calm \u2192 4 = busy"),)}
_ORDINAL_TIPS = {"valence": " Valence is ordinal: 0 (low) to 2 (high).",
                 "momentum": " Momentum is ordinal, activity and event density: 0 (calm) to "
                             "4 (busy)."}


def label_tooltip(target: str) -> str:
    """What the lane of ``target`` shows, for its tooltip."""
    return (f"{target.capitalize()} per 10 s analysis window from the descriptor model: "
            "colour = label, opacity = the model's probability (0-1); each run of equal "
            "windows is named where it fits." + _ORDINAL_TIPS.get(target, ""))


class LabelLane(Lane):
    """The labels of one target (``target``) per window."""

    def __init__(self, plot: pg.PlotItem, target: str):
        super().__init__(plot)
        self.target = target
        plot.setYRange(0, 1, padding=0)
        plot.setToolTip(label_tooltip(target))
        self.blocks = BlocksItem()
        plot.addItem(self.blocks)
        self.names = self.run_labels(size=7)
        self.legend = self.add_legend(ORDINAL_LEGENDS[target]) \
            if target in ORDINAL_LEGENDS else None

    def show(self, analysis, cells: np.ndarray) -> None:
        """Draw ``analysis``'s labels of this target in ``cells`` (one per window);
        nothing when the windows have none."""
        w = analysis.windows
        values = w.labels.get(self.target)
        if not values:
            return
        probs = w.probabilities.get(self.target) or (1.0,) * len(values)
        colours = [label_colour(self.target, v, alpha=60 + 195 * unit(p))
                   for v, p in zip(values, probs)]
        self.blocks.set_blocks(cells[:-1], cells[1:], colours)
        self.names.set_runs([(r.start, r.end, r.value) for r in runs(values, cells, probs)])

    def clear(self) -> None:
        self.blocks.set_blocks([], [], [])
        super().clear()


class ModelHintLane(Lane):
    """One line saying why there are no label lanes (no model, analysis pending, ...);
    it stays at the left of the visible range."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot)
        plot.setYRange(0, 1, padding=0)
        plot.setToolTip(f"Where the {_LANES} lanes are: they show once a descriptor "
                        "model labels the analysis windows (Settings > Preferences)")
        self.hint = pg.TextItem(HINTS["pending"], color="#8a6d00", anchor=(0.0, 0.5))
        plot.addItem(self.hint, ignoreBounds=True)

    def show(self, analysis) -> None:
        """Say why ``analysis`` (None: not there yet) has no label lanes."""
        if analysis is None:
            reason = "pending"
        else:
            reason = "unlabelled" if analysis.versions.model else "no model"
        if self.hint.toPlainText() != HINTS[reason]:
            self.hint.setText(HINTS[reason])

    @property
    def text(self) -> str:
        return self.hint.toPlainText()

    def follow_range(self, x0: float, x1: float) -> None:
        self.hint.setPos(x0 + 0.005 * (x1 - x0), 0.5)
