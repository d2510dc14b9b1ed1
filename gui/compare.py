"""The compare window: how far a track's renders are from it, feature by feature.

Owns :class:`CompareWindow` (the set distances of
:func:`core.evaluation.distances.feature_distances` as a sortable table and one small
plot of the two densities per feature; the feedback loop's per-title and per-target
tables; CSV export of the distance table) and :class:`CompareActions`, the Analysis
menu's two entries (this window and the descriptor map), enabled for the current track.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QMenu, QPushButton,
                               QScrollArea, QSplitter, QTableWidget, QTableWidgetItem,
                               QTabWidget, QVBoxLayout, QWidget)

from core.errors import TwintrackError
from core.evaluation.distances import (FeatureDistance, feature_distances, feedback_tables,
                                       write_distances_csv)
from core.record import TARGETS
from gui.document import Document

__all__ = ["CompareWindow", "CompareActions"]

_A, _B = "#56B4E9", "#E69F00"  # original, renders: the palette's blue and orange
_PLOT_COLUMNS = 4


def _table(headers: list[str], rows: list[list], *, sortable: bool = False) -> QTableWidget:
    """A read-only table; numbers are stored as numbers so sorting is numeric."""
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem()
            if isinstance(value, float):
                item.setData(Qt.ItemDataRole.DisplayRole, round(value, 3))
            else:
                item.setText("-" if value is None else str(value))
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    table.setSortingEnabled(sortable)
    return table


class CompareWindow(QDialog):
    """Distances between a document's original and its renders.  GUI thread only.

    Computed once, when opened, from the document's analysis and renders (a few
    milliseconds); :meth:`export_csv` writes the distance table.
    """

    def __init__(self, doc: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Compare original and renders - {doc.name}")
        self.resize(1100, 760)
        self.doc = doc
        self.distances: tuple[FeatureDistance, ...] = ()
        self.error = ""
        renders = [v.analysis for v in doc.renders]
        try:
            self.distances = feature_distances(doc.analysis, renders)
        except TwintrackError as exc:
            self.error = str(exc)
        layout = QVBoxLayout(self)
        self.summary = QLabel(self._summary_text())
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._distances_tab(), "Distances")
        self.tabs.addTab(self._feedback_tab(), "Feedback loop")
        layout.addWidget(self.tabs, 1)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("Export table as CSV...")
        self.export_button.setEnabled(bool(self.distances))
        self.export_button.clicked.connect(self._on_export_clicked)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        layout.addLayout(buttons)

    def _summary_text(self) -> str:
        if self.error:
            return self.error
        n_b = sum(len(v.analysis.windows) for v in self.doc.renders)
        return (f"{len(self.doc.analysis.windows)} windows of the original against {n_b} of "
                f"{len(self.doc.renders)} render(s). Overlapping area: 1 = the same "
                "distribution, 0 = disjoint; KL(original || renders): 0 = the same, large = "
                "the renders miss what the original has.")

    def _distances_tab(self) -> QWidget:
        rows = [[d.feature, d.overlap, d.kl, d.original_mean, d.renders_mean]
                for d in self.distances]
        self.table = _table(["feature", "overlap area", "KL divergence", "original mean",
                             "renders mean"], rows, sortable=True)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground("w")
        for i, d in enumerate(self.distances):
            plot = self.plots.addPlot(row=i // _PLOT_COLUMNS, col=i % _PLOT_COLUMNS,
                                      title=f"{d.feature}  OA {d.overlap:.2f}")
            plot.plot(d.grid, d.original, pen=pg.mkPen(_A, width=2), name="original")
            plot.plot(d.grid, d.renders, pen=pg.mkPen(_B, width=2), name="renders")
            plot.hideAxis("left")
            plot.setMouseEnabled(x=False, y=False)
        rows_needed = max(1, -(-len(self.distances) // _PLOT_COLUMNS))
        self.plots.setMinimumHeight(150 * rows_needed)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.plots)
        legend = QLabel(f"<span style='color:{_A}'>&#9632; original</span> &nbsp; "
                        f"<span style='color:{_B}'>&#9632; renders</span>")
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(legend)
        column.addWidget(scroll, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(right)
        split.setSizes([420, 680])
        return split

    def _feedback_tab(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.per_title = self.per_target = None
        if not self.doc.analysis.windows.labels:
            column.addWidget(QLabel("The track was analysed without a descriptor model: "
                                    "there are no labels to compare."))
            return page
        renders = [(str(v.render.timeline.meta.get("title") or f"render {v.index + 1}"),
                    v.render.timeline, v.analysis) for v in self.doc.renders]
        _, per_title, per_target = feedback_tables(self.doc.analysis, renders)
        column.addWidget(QLabel("Per title: share of regions each render is heard as the "
                                "original's segment there, per target"))
        self.per_title = _table(["title", "regions", "UNK"] + list(TARGETS),
                                [[r["title"], r["regions"], r["unk"]] + [r[t] for t in TARGETS]
                                 for r in per_title])
        column.addWidget(self.per_title, 1)
        column.addWidget(QLabel("Per target: mean agreement over the renders "
                                "(most probable labels; strict: UNK counted as wrong)"))
        self.per_target = _table(["target", "agreement", "strict"],
                                 [[r["target"], r["agreement"], r["strict"]]
                                  for r in per_target])
        column.addWidget(self.per_target, 1)
        return page

    def export_csv(self, path: str) -> None:
        """Write the distance table to ``path`` (atomically)."""
        write_distances_csv(path, self.distances)

    def _on_export_clicked(self) -> None:
        suggested = str(Path(self.doc.path).with_suffix("")) + ".distances.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export distances", suggested,
                                              "CSV files (*.csv)")
        if not path:
            return
        try:
            self.export_csv(path)
        except OSError as exc:
            self.summary.setText(f"Could not write {path}: {exc.strerror or exc}")
        else:
            self.summary.setText(f"Wrote {path}")


class CompareActions(QObject):
    """The Analysis menu's entries for the current document.  GUI thread only.

    "Compare original and renders" is enabled when the current track is analysed and
    has renders, "Descriptor map" when it is analysed.  ``seek_requested`` carries a
    time clicked on the map (the main window seeks the player there).
    """

    seek_requested = Signal(float)

    def __init__(self, session, menu: QMenu, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.doc: Document | None = None
        self.windows: list[QDialog] = []
        self.compare_action = menu.addAction("&Compare original and renders...",
                                             self.open_compare)
        self.map_action = menu.addAction("Descriptor &map...", self.open_map)
        session.current_changed.connect(self._on_session_current_changed)
        self._on_session_current_changed(session.current)

    def _on_session_current_changed(self, doc: Document | None) -> None:
        if self.doc is not None:
            for sig in (self.doc.analysis_changed, self.doc.renders_changed):
                sig.disconnect(self._on_document_changed)
        self.doc = doc
        if doc is not None:
            doc.analysis_changed.connect(self._on_document_changed)
            doc.renders_changed.connect(self._on_document_changed)
        self._on_document_changed()

    def _on_document_changed(self) -> None:
        analysed = self.doc is not None and self.doc.analysis is not None
        self.compare_action.setEnabled(analysed and bool(self.doc.renders))
        self.map_action.setEnabled(analysed)

    def set_position(self, seconds: float) -> None:
        """Move the playhead ring of the open maps (the transport's position)."""
        for window in self.windows:
            if window.isVisible() and hasattr(window, "set_playhead"):
                window.set_playhead(seconds)

    def _show(self, window: QDialog) -> QDialog:
        self.windows = [w for w in self.windows if w.isVisible()] + [window]
        window.show()
        return window

    def open_compare(self) -> CompareWindow | None:
        """Open the compare window for the current document (if it has renders)."""
        if not self.compare_action.isEnabled():
            return None
        return self._show(CompareWindow(self.doc, self.parent()))

    def open_map(self) -> QDialog | None:
        """Open the descriptor map for the current document (if it is analysed)."""
        from gui.descriptor_map import DescriptorMapWindow

        if not self.map_action.isEnabled():
            return None
        window = DescriptorMapWindow(self.doc, self.parent())
        window.time_chosen.connect(self.seek_requested)
        return self._show(window)
