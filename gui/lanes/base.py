"""What every lane is: a plot of the timeline and the items that draw one model on it.

A lane is given its plot (the :class:`~gui.timeline_view.TimelineView` makes the plots,
links their time axes and crosses them with the playhead), adds its items, draws what it
is shown and keeps no business state: which window a time belongs to and which label
wins a segment come from :mod:`core.analysis`.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem

from gui.lanes.items import RunLabels

__all__ = ["Lane", "short_mode", "unit", "legend_html", "show_in_view"]

_LEGEND_FILL = "rgba(255, 255, 255, 200)"  # keeps the legend legible over the data


def legend_html(entries: Sequence[tuple[str, str, str]]) -> str:
    """One line of ``(mark, colour, text)`` entries: the mark (a glyph such as ``●``)
    in its colour, then the text; an empty mark gives plain text."""
    parts = [(f"<span style='color:{colour}'>{escape(mark)}</span>&nbsp;" if mark else "")
             + escape(text) for mark, colour, text in entries]
    return (f"<span style='background-color:{_LEGEND_FILL}'>&nbsp;"
            + "&nbsp;&nbsp; ".join(parts) + "&nbsp;</span>")


class Lane:
    """One lane: ``plot`` and its items.  GUI thread only.

    Subclasses add their items in ``__init__`` (their run labels to :attr:`labels`,
    repainted when the visible range changes), draw in their ``show*`` methods and
    forget what they drew in :meth:`clear`.
    """

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        self.labels: list[RunLabels] = []

    def add_legend(self, entries: Sequence[tuple[str, str, str]]) -> pg.LabelItem:
        """A one-line legend of ``(mark, colour, text)`` entries (:func:`legend_html`) in
        the lane's top-right corner.  It hangs on the view box, not in the data, so
        zooming neither moves nor repaints it; call once, in ``__init__``."""
        legend = pg.LabelItem(legend_html(entries), size="7pt", color="#333333")
        legend.setParentItem(self.plot.getViewBox())
        legend.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-2, -3))
        legend.setZValue(50)
        # Painted once into a pixmap: a frame (zoom, playhead) blits it, no text layout.
        legend.item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        legend.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        return legend

    def run_labels(self, **options) -> RunLabels:
        """A :class:`RunLabels` on this lane's plot, repainted on zoom."""
        labels = RunLabels(self.plot, **options)
        self.labels.append(labels)
        return labels

    def clear(self) -> None:
        """Draw nothing."""
        for labels in self.labels:
            labels.clear()

    def follow_range(self, x0: float, x1: float) -> None:
        """The visible time range is now [x0, x1]: texts are chosen for the new zoom."""
        for labels in self.labels:
            labels.refresh()


def short_mode(mode: str) -> str:
    """"maj" / "min" for a key's mode, as the lanes print keys."""
    return {"major": "maj", "minor": "min"}.get(mode, mode)


def unit(p: float) -> float:
    """``p`` clamped to [0, 1] (a probability or confidence as an opacity share)."""
    return min(max(float(p), 0.0), 1.0)


def show_in_view(lines, x0: float, x1: float) -> None:
    """Hide the vertical ``lines`` (``pg.InfiniteLine``) outside [x0, x1] and show the
    rest: a shown InfiniteLine recomputes its bounds on every zoom frame, in view or not,
    while the scene skips a hidden one."""
    for line in lines:
        inside = x0 <= line.value() <= x1
        if line.isVisibleTo(line.parentItem()) != inside:  # its own flag, not its plot's
            line.setVisible(inside)
