"""Selecting a time range on the timeline by dragging, to play or loop just that.

Owns the drag gesture (Shift + drag with the left button anywhere over the lanes: a plain
drag keeps panning the view) and the range's look: a translucent region over the
original's lane whose edges can be dragged afterwards.  The range itself lives in the
document (:meth:`gui.document.Document.set_range`), where the transport reads it: Loop
repeats the range when there is one (else the selected segment), and a new range moves
the playhead to its start.  A click without Shift (selecting a segment) clears it.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, Signal

from gui.document import Document

__all__ = ["RangeSelector", "MIN_RANGE"]

#: A drag shorter than this (seconds) is a click, not a range.
MIN_RANGE = 0.25


class RangeSelector(QObject):
    """The timeline's range gesture and region.  GUI thread only.

    ``view`` is the :class:`gui.timeline_view.TimelineView`; its plot ``"A"`` carries the
    region and its scene's mouse events feed the gesture.
    """

    range_selected = Signal(float)   # a new range was made: its start (seconds)

    def __init__(self, view, parent: QObject | None = None):
        super().__init__(parent)
        self._view = view
        self._doc: Document | None = None
        self._anchor: float | None = None
        self.region = pg.LinearRegionItem(movable=True, brush=pg.mkBrush(255, 200, 0, 60),
                                          pen=pg.mkPen("#c08000", width=1.5))
        self.region.setZValue(30)
        self.region.setVisible(False)
        view.plots["A"].addItem(self.region, ignoreBounds=True)
        self.region.sigRegionChangeFinished.connect(self._on_region_change_finished)
        view.viewport_widget().viewport().installEventFilter(self)

    def set_document(self, doc: Document | None) -> None:
        if self._doc is not None:
            self._doc.range_changed.disconnect(self._on_doc_range_changed)
        self._doc = doc
        if doc is not None:
            doc.range_changed.connect(self._on_doc_range_changed)
        self._on_doc_range_changed()

    # -- the gesture -------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind not in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                        QEvent.Type.MouseButtonRelease) or self._doc is None:
            return False
        if kind == QEvent.Type.MouseButtonPress:
            if (event.button() == Qt.MouseButton.LeftButton
                    and event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
                self._anchor = self._time(event)
                return self._anchor is not None   # taken: no pan starts
            return False
        if self._anchor is None:
            return False
        t = self._time(event)
        if t is not None:
            lo, hi = sorted((self._anchor, t))
            self.region.setRegion((lo, hi))
            self.region.setVisible(True)
        if kind == QEvent.Type.MouseButtonRelease:
            anchor, self._anchor = self._anchor, None
            if t is not None:
                self.select(anchor, t)
        return True

    def _time(self, event) -> float | None:
        glw = self._view.viewport_widget()
        return self._view.grid.time_at(glw.mapToScene(event.position().toPoint()))

    def select(self, t0: float, t1: float) -> bool:
        """Make ``[t0, t1]`` (clipped to the track) the document's range; a span shorter
        than :data:`MIN_RANGE` clears it.  True when a range was set."""
        if self._doc is None:
            return False
        lo, hi = sorted((max(0.0, t0), min(max(t0, t1), self._doc.duration)))
        if hi - lo < MIN_RANGE:
            self._doc.set_range(None)
            return False
        self._doc.set_range((lo, hi))
        self.range_selected.emit(lo)
        return True

    def _on_region_change_finished(self, *_args) -> None:
        if self._doc is not None and self.region.isVisible() and self._anchor is None:
            lo, hi = self.region.getRegion()
            if self._doc.selection_range != (lo, hi):
                self.select(lo, hi)

    def _on_doc_range_changed(self) -> None:
        span = self._doc.selection_range if self._doc is not None else None
        self.region.setVisible(span is not None)
        if span is not None and tuple(self.region.getRegion()) != span:
            self.region.blockSignals(True)
            self.region.setRegion(span)
            self.region.blockSignals(False)
