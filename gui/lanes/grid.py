"""The timeline's grid: one plot per row, all on one time axis, a playhead across each.

Rows are named; every plot has the same left-axis width (so times line up), its time
axis linked to the first plot's and a playhead line above its items.  Which rows show,
in which order and how tall they are is the caller's choice (:meth:`LaneGrid.set_rows`,
:meth:`LaneGrid.set_order`; :func:`row_sizes` is the timeline's).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from core.record import TARGETS
from gui.lanes.base import show_in_view

__all__ = ["LaneGrid", "AXIS_WIDTH", "LANE_HEIGHT", "LANE_TITLES", "row_sizes"]

AXIS_WIDTH = 78
LANE_HEIGHT = 20
#: The lanes a user can hide, top to bottom: row name -> title (the spectrograms have
#: their own View action; the descriptors' hint lane goes with the descriptor lanes).
LANE_TITLES = {"A": "A original", "B": "B render", **{t: t for t in TARGETS},
               "instruments": "instruments", "voice": "voice", "tempo": "tempo", "chords": "chords",
               "key": "key",
               "labels": "imported labels"}
_BIG = 100000  # a row's maximum height when it may stretch
_PLAYHEAD_PEN = pg.mkPen("#ff3b30", width=1.5)


def row_sizes(*, labels: bool, spectrum: bool, instruments: int, hidden: frozenset[str],
              heights: dict[str, float] | None = None, imported: int = 0,
              spectrum_b: bool = False) -> tuple[dict[str, tuple[int, int] | None], set[str]]:
    """The timeline's rows for :meth:`LaneGrid.set_rows`: the label lanes or their hint
    lane, A's spectrogram or not, B's (``spectrum_b``) or not, ``instruments`` pixels for the instruments lane, each
    row's height times its factor in ``heights``, ``imported`` pixels for the imported
    labels (0: no row); and the rows to hide (``hidden``, and
    the hint lane when every label lane is)."""
    sizes = {"A": (120, 4), "spectrum": (90, 3) if spectrum else None, "B": (90, 3),
             "spectrum_b": (90, 3) if spectrum_b else None,
             "descriptors": None if labels else (LANE_HEIGHT, 0),
             "instruments": (instruments, 0), "voice": (LANE_HEIGHT + 8, 0),
             "tempo": (70, 1), "chords": (LANE_HEIGHT + 8, 0),
             "key": (LANE_HEIGHT + 34, 0),
             "labels": (imported, 0) if imported else None}
    for target in TARGETS:
        sizes[target] = (LANE_HEIGHT, 0) if labels else None
    for name, factor in (heights or {}).items():
        if sizes.get(name) is not None:
            sizes[name] = (round(sizes[name][0] * factor), sizes[name][1])
    return sizes, set(hidden) | ({"descriptors"} if set(TARGETS) <= hidden else set())


class LaneGrid:
    """The plots of one ``GraphicsLayoutWidget``, a row each.  GUI thread only."""

    def __init__(self, glw: pg.GraphicsLayoutWidget):
        self.glw = glw
        self.plots: dict[str, pg.PlotItem] = {}
        self._rows: dict[str, int] = {}
        self._lines: list[pg.InfiniteLine] = []
        self._range = (-np.inf, np.inf)  # the time range shown (follow_range)
        self.hidden: frozenset[str] = frozenset()  # rows the user hid (of LANE_TITLES)
        self.heights: dict[str, float] = {}  # row -> the user's height factor

    def add_plot(self, name: str, label: str) -> pg.PlotItem:
        """A new bottom row ``name``, ``label`` on its left axis."""
        row = len(self._rows)
        plot = self.glw.addPlot(row=row, col=0)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=True, y=False)
        left = plot.getAxis("left")
        left.setWidth(AXIS_WIDTH)
        left.setTicks([[(0.5, label)], []])
        # The left axis does not change while the time axis zooms: keep it as a pixmap
        # (redrawn when its ticks, range or size change) rather than replay it per frame.
        left.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        plot.setLabel("bottom", "time", units="s")  # shown on the last visible row
        plot.hideAxis("bottom")
        for side in ("top", "right"):  # never shown: no label to re-typeset on each zoom
            plot.getAxis(side).enableAutoSIPrefix(False)
        plot.getViewBox().setDefaultPadding(0.0)
        if self.plots:
            plot.setXLink(next(iter(self.plots.values())))
        line = pg.InfiniteLine(0.0, angle=90, pen=_PLAYHEAD_PEN, movable=False)
        line.setZValue(100)
        plot.addItem(line, ignoreBounds=True)
        self._lines.append(line)
        self._rows[name] = row
        self.plots[name] = plot
        return plot

    def set_rows(self, sizes: dict[str, tuple[int, int] | None],
                 hidden: frozenset[str] | set[str] = frozenset()) -> None:
        """Per row, ``(minimum height, stretch)`` (stretch 0: fixed height) or None:
        hidden, collapsed to zero height; rows in ``hidden`` too.  The last row shown
        carries the time axis."""
        layout = self.glw.ci.layout
        sizes = {n: None if n in hidden else spec for n, spec in sizes.items()}
        shown = [n for n in self.order() if sizes[n] is not None]
        for name in self._rows:
            last = bool(shown) and name == shown[-1]
            self.plots[name].showAxis("bottom", last)
            # A hidden axis with an SI-prefixed label would re-typeset it on every zoom
            # frame (pyqtgraph's updateAutoSIPrefix); only the shown one needs it.
            axis = self.plots[name].getAxis("bottom")
            if axis.autoSIPrefix != last:
                axis.enableAutoSIPrefix(last)
        for name, row in self._rows.items():
            spec = sizes[name]
            self.plots[name].setVisible(spec is not None)
            if spec is None:
                layout.setRowFixedHeight(row, 0)
                layout.setRowStretchFactor(row, 0)
                continue
            height, stretch = spec
            layout.setRowMinimumHeight(row, height)
            layout.setRowMaximumHeight(row, _BIG if stretch else height)
            layout.setRowStretchFactor(row, stretch)

    def order(self) -> list[str]:
        """The row names, top to bottom."""
        return sorted(self._rows, key=self._rows.get)

    def arrange(self, *, hidden=None, order=None, heights=None) -> None:
        """The user's arrangement: the lanes ``hidden`` (of :data:`LANE_TITLES`), the rows
        in ``order`` (unknown names dropped; a missing one, such as a row newer than the
        saved order, after the row it follows now), each row's height factor in
        ``heights``; None keeps what is set.  Then :meth:`set_rows`."""
        if hidden is not None:
            self.hidden = frozenset(n for n in hidden if n in LANE_TITLES)
        if heights is not None:
            self.heights = {n: float(f) for n, f in heights.items() if n in self._rows}
        if order is not None:
            known = [n for n in dict.fromkeys(order) if n in self._rows]
            now = self.order()
            for i, name in enumerate(now):
                if name not in known:
                    known.insert(known.index(now[i - 1]) + 1 if i else 0, name)
            self.set_order(known)

    def set_order(self, names: list[str]) -> None:
        """Put the rows in the order ``names`` (every row once); call :meth:`set_rows`
        after it, as row heights belong to row positions."""
        if sorted(names) != sorted(self._rows):
            raise ValueError(f"a row order names each of {sorted(self._rows)} once")
        layout = self.glw.ci.layout
        for plot in self.plots.values():
            layout.removeItem(plot)
        for row, name in enumerate(names):
            layout.addItem(self.plots[name], row, 0)
            self._rows[name] = row

    def set_duration(self, duration: float) -> None:
        """Let every row pan and zoom within [0, ``duration``] seconds."""
        for plot in self.plots.values():
            plot.getViewBox().setLimits(xMin=0.0, xMax=max(duration, 0.1), minXRange=0.05)

    def set_playhead(self, seconds: float) -> None:
        for line in self._lines:
            line.setValue(seconds)
        show_in_view(self._lines, *self._range)

    def follow_range(self, x0: float, x1: float) -> None:
        """The rows now show [x0, x1] seconds: the playhead shows only in there."""
        self._range = (x0, x1)
        show_in_view(self._lines, x0, x1)

    def row_at(self, scene_pos) -> str | None:
        """The name of the visible row under a scene position, or None."""
        for name, plot in self.plots.items():
            if plot.isVisible() and plot.sceneBoundingRect().contains(scene_pos):
                return name
        return None

    def time_at(self, scene_pos) -> float | None:
        """Seconds under a scene position if it is over a visible row, else None."""
        for plot in self.plots.values():
            if plot.isVisible() and plot.getViewBox().sceneBoundingRect().contains(scene_pos):
                return float(plot.getViewBox().mapSceneToView(scene_pos).x())
        return None
