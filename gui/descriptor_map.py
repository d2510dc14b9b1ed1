"""The descriptor map: a track's windows as a path through the descriptor space.

Owns :class:`DescriptorMapWindow`: the shipped 2-D projection
(:mod:`core.evaluation.space`) drawn with the corpus windows faint and each
descriptor's centroid as a labelled dot, both coloured by genre with a legend; the
track's windows as a path over time (numbered start and end), each render's windows
beside it.  Clicking a point of the track's path emits its time (``time_chosen``); the
current playhead is a ring on the path.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from core.errors import TwintrackError
from core.evaluation.space import DescriptorSpace, TrackPath, load_space
from gui.document import Document
from gui.lanes.colours import with_alpha

__all__ = ["DescriptorMapWindow"]

_TRACK = "#202020"
_RENDERS = ("#B0006E", "#7A2E00", "#3B2A8F", "#00524A")  # darker than any genre
# One distinct hue per genre, in the legend's (sorted) order: the timeline's label
# colours are hashed and let two of the eight genres share a hue, which a map of
# hundreds of dots cannot afford.
_GENRES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F",
           "#F0E442", "#8DD3C7", "#BEBADA")


class DescriptorMapWindow(QDialog):
    """The map for one document.  GUI thread only.

    Built once from the document's analysis and renders; :meth:`set_playhead` moves
    the ring that marks the current time on the track's path.
    """

    time_chosen = Signal(float)

    def __init__(self, doc: Document, parent: QWidget | None = None, *,
                 space: DescriptorSpace | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Descriptor map - {doc.name}")
        self.resize(980, 820)
        self.doc = doc
        layout = QVBoxLayout(self)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setAspectLocked(False)
        layout.addWidget(self.plot, 1)
        self.path: TrackPath | None = None
        self.render_paths: list[TrackPath] = []
        self.track_points: pg.ScatterPlotItem | None = None
        self.playhead = pg.ScatterPlotItem(size=18, pen=pg.mkPen(_TRACK, width=2),
                                           brush=None)
        try:
            self.space = space or load_space()
            self.path = self.space.track_path(doc.analysis, name=doc.name)
            self.render_paths = [
                self.space.track_path(v.analysis, name=f"render {v.index + 1}")
                for v in doc.renders]
        except TwintrackError as exc:
            self.caption.setText(str(exc))
            return
        self._draw()

    def _draw(self) -> None:
        space, plot = self.space, self.plot
        item = plot.getPlotItem()
        item.setLabel("bottom", "principal component 1")
        item.setLabel("left", "principal component 2")
        legend = item.addLegend(offset=(-10, 10), labelTextColor="k")
        w = space.windows
        genres = space.genres()
        for k, genre in enumerate(genres):
            sel = [i for i, g in enumerate(w["genre"]) if g == genre]
            colour = QColor(_GENRES[k % len(_GENRES)])
            plot.addItem(pg.ScatterPlotItem(
                [w["x"][i] for i in sel], [w["y"][i] for i in sel], size=4, pen=None,
                brush=with_alpha(colour, 70)))
            cents = [d for d in space.descriptors if d["genre"] == genre]
            dots = pg.ScatterPlotItem(
                [d["x"] for d in cents], [d["y"] for d in cents], size=9,
                pen=pg.mkPen("w", width=1), brush=colour, name=genre,
                data=[d["name"] for d in cents], tip=lambda x, y, data: data)
            plot.addItem(dots)
        for k, rp in enumerate(self.render_paths):
            colour = _RENDERS[k % len(_RENDERS)]
            plot.addItem(pg.PlotDataItem(rp.xy[:, 0], rp.xy[:, 1], name=rp.name,
                                         pen=pg.mkPen(colour, width=1.5,
                                                      style=pg.QtCore.Qt.PenStyle.DashLine),
                                         symbol="t", symbolSize=6, symbolBrush=colour,
                                         symbolPen=None))
        path = self.path
        plot.addItem(pg.PlotDataItem(path.xy[:, 0], path.xy[:, 1],
                                     pen=pg.mkPen(_TRACK, width=2), name=path.name))
        self.track_points = pg.ScatterPlotItem(
            path.xy[:, 0], path.xy[:, 1], size=9, pen=pg.mkPen("w", width=1), brush=_TRACK,
            data=list(path.times), hoverable=True,
            tip=lambda x, y, data: f"{data:.1f} s (click to play from here)")
        self.track_points.sigClicked.connect(self._on_track_points_clicked)
        plot.addItem(self.track_points)
        for i, text in ((0, "start"), (len(path.times) - 1, "end")):
            label = pg.TextItem(text, color=_TRACK, anchor=(0, 1))
            label.setPos(*path.xy[i])
            plot.addItem(label)
        plot.addItem(self.playhead)
        self.set_playhead(0.0)
        legend.setColumnCount(2)
        p = space.provenance
        self.caption.setText(
            f"{len(path.times)} windows of {path.name} (black, in time order) and "
            f"{len(self.render_paths)} render(s) beside them, on the first two principal "
            f"components of the window features of {p.get('windows')} corpus windows "
            f"({p.get('sources')} renders, {p.get('dictionary_version')}; explained "
            f"variance {sum(space.explained):.0%}). Dots: descriptors, by genre; faint: "
            "corpus windows. Click a point of the path to play from there.")

    def point_time(self, index: int) -> float:
        """The time (s) of the track path's point ``index``."""
        return float(self.path.times[index])

    def point_position(self, index: int) -> tuple[float, float]:
        """Map coordinates of the track path's point ``index``."""
        return float(self.path.xy[index, 0]), float(self.path.xy[index, 1])

    def set_playhead(self, seconds: float) -> None:
        """Ring the path's window nearest to ``seconds``."""
        if self.path is None or not len(self.path.times):
            return
        i = int(np.argmin(np.abs(self.path.times - float(seconds))))
        self.playhead.setData([self.path.xy[i, 0]], [self.path.xy[i, 1]])

    def _on_track_points_clicked(self, _item, points, _event=None) -> None:
        if len(points):
            seconds = float(points[0].data())
            self.set_playhead(seconds)
            self.time_chosen.emit(seconds)
