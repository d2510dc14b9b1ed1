"""The segment table: one row per form segment of the current document, the majority
labels of its windows (:func:`core.analysis.reduce.segment_table`, the rows the CSV
export writes) and its top real-music genre/mood tags with their share.

It follows the document: a new analysis refills it, arriving tags fill the tags column,
the timeline's selection selects the row and a clicked row selects the segment.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem,
                               QWidget)

from core.analysis.tagview import tags_text, top_tags
from gui.derived import segment_rows, windows_of_segments
from gui.document import Document, follow
from gui.lanes.key import key_text
from gui.lanes.tempo import tempo_text
from gui.readouts import TOP_TAGS, format_time

__all__ = ["SegmentTable"]

_PENDING = "computing..."


class SegmentTable(QTableWidget):
    """The current document's segments.  GUI thread only."""

    COLUMNS = ("Segment", "Start", "End", "Tempo", "Key", "Descriptor", "Real-music tags")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(self.COLUMNS), parent)
        self.setObjectName("segmentTable")
        self._doc: Document | None = None
        self._tags_shown: tuple | None = None  # (analysis, pending) the tags column shows
        self.setHorizontalHeaderLabels(self.COLUMNS)
        self.horizontalHeaderItem(6).setToolTip(
            f"The {TOP_TAGS} most probable genre/mood tags of the MSD real-music tagger "
            "(musicnn) over the segment's windows, with their mean probability")
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.horizontalHeader()
        for col in range(6):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.cellClicked.connect(self._on_cell_clicked)

    def set_document(self, doc: Document | None) -> None:
        follow(self._doc, doc, self._connections)
        self._doc = doc
        self._on_doc_analysis_changed()

    def _connections(self, d: Document):
        return [(d.analysis_changed, self._on_doc_analysis_changed),
                (d.labels_changed, self._on_doc_analysis_changed),
                (d.tags_changed, self._on_doc_tags_changed),
                (d.status_changed, self._on_doc_tags_changed),
                (d.selection_changed, self._on_doc_selection_changed)]

    def row_texts(self, row: int) -> list[str]:
        """The cells of ``row`` as shown (tests, copying)."""
        return [self.item(row, col).text() for col in range(self.columnCount())]

    # -- document slots ----------------------------------------------------------------
    def _on_doc_analysis_changed(self) -> None:
        a = self._doc.analysis if self._doc is not None else None
        rows = segment_rows(a) if a is not None else []
        self._tags_shown = None  # new rows: their tags column is filled below
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = (row.label, format_time(row.start), format_time(row.end),
                     tempo_text(row.tempo), key_text(*_tonic_mode(row.key)), row.descriptor)
            for col, value in enumerate(cells):
                self.setItem(r, col, QTableWidgetItem(value))
        self._on_doc_tags_changed()
        self._on_doc_selection_changed(self._doc.selected_segment if self._doc else -1)

    def _on_doc_tags_changed(self, *args) -> None:
        """Fill the tags column (status changes call it too: the pending text follows
        the status; a column already showing the same is left alone)."""
        a = self._doc.analysis if self._doc is not None else None
        if a is None:
            return
        msd = a.windows.tags.get("msd")
        pending = self._doc.status in ("analysing", "tagging")
        if self._tags_shown is not None and self._tags_shown[0] is a \
                and self._tags_shown[1] == (pending and msd is None):
            return
        self._tags_shown = (a, pending and msd is None)
        for r, idx in enumerate(windows_of_segments(a)):
            text = tags_text(top_tags(msd, idx, TOP_TAGS)) if msd is not None else (
                _PENDING if pending else "")
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            self.setItem(r, 6, item)

    def _on_doc_selection_changed(self, index: int) -> None:
        if 0 <= index < self.rowCount():
            self.selectRow(index)
        else:
            self.clearSelection()

    def _on_cell_clicked(self, row: int, _column: int) -> None:
        if self._doc is not None:
            self._doc.select_segment(row)


def _tonic_mode(key: str) -> tuple[str, str]:
    """A JAMS ``key_mode`` (``'C:major'``, ``'N'``) as (tonic, mode)."""
    tonic, _, mode = key.partition(":")
    return tonic, mode
