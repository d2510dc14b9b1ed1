"""The timeline's frame: an empty page until the document has something to draw, then
the lanes page (the hover read-out, the overview strip, the lanes).

:class:`TimelinePages` owns these widgets and the switch between the pages; the
:class:`~gui.timeline_view.TimelineView` gives it the lanes' graphics view and the
overview strip, says which page shows and what the empty page says (loading, the
first-run build, a failure: :func:`gui.readouts.pending_text`) and writes the hover
read-out.  The first layout of the lanes page (tens of milliseconds for a dozen plots)
is done once when the window first shows, while it is still empty, so a dropped
file's first waveform does not pay for it.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QStackedWidget, QVBoxLayout, QWidget

from gui.readouts import EMPTY_TEXT, HOVER_HINT

__all__ = ["TimelinePages"]


class TimelinePages(QStackedWidget):
    """The empty page (:attr:`empty`) and the lanes page (:attr:`info` above
    ``overview`` above ``lanes``).  GUI thread only."""

    def __init__(self, lanes: pg.GraphicsLayoutWidget, overview: QWidget,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._lanes = lanes
        self._laid_out = False
        self.info = QLabel(HOVER_HINT)
        self.info.setObjectName("hoverInfo")
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.info.setMinimumWidth(10)
        # Two lines (the moment, then its descriptors), wrapped if the window is narrow;
        # the height is kept so the lanes below never move while the pointer does.
        self.info.setWordWrap(True)
        self.info.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.info.setFixedHeight(3 * self.info.fontMetrics().lineSpacing() + 4)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setTextFormat(Qt.TextFormat.RichText)
        self.addWidget(self.empty)
        page = QWidget()
        inner = QVBoxLayout(page)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.info)
        inner.addWidget(overview)
        inner.addWidget(lanes, 1)
        self.addWidget(page)

    @property
    def laid_out(self) -> bool:
        """Whether the lanes page has had its first layout."""
        return self._laid_out

    def show_state(self, *, lanes: bool, text: str) -> None:
        """The lanes page (``lanes``) or the empty page saying ``text``."""
        if self.empty.text() != text:
            self.empty.setText(text)
        page = 1 if lanes else 0
        if self.currentIndex() != page:
            self.setCurrentIndex(page)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not self._laid_out:
            self._laid_out = True
            QTimer.singleShot(0, self._lay_out_lanes)

    def _lay_out_lanes(self) -> None:
        """Size the (hidden) lanes page once, while the empty page shows."""
        if self.currentIndex() != 0:
            return  # the lanes show already: laid out as they did
        self.setCurrentIndex(1)
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self._lanes.ci.layout.activate()
        self.setCurrentIndex(0)
