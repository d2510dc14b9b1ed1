"""Small panels around the timeline: the message banner, the job bar, the track list and
the menu bar.

Each shows state it is given or reads from the current :class:`Document`; none runs
work.  The job bar's buttons emit intents (``render_requested``, ``cancel_requested``)
that the main window forwards to the session.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QMenuBar, QProgressBar, QPushButton,
                               QToolButton, QWidget)

from gui.document import Document

__all__ = ["Banner", "JobBar", "TrackList", "MenuBar"]

_BANNER_STYLE = {
    "error": "QFrame#banner { background: #fdecea; border: 1px solid #f5c2c0; }"
             " QLabel { color: #8a1c13; }",
    "info": "QFrame#banner { background: #e8f1fb; border: 1px solid #bcd6f3; }"
            " QLabel { color: #123f6b; }",
}


_FAILED_COLOUR = "#a11d12"


class Banner(QFrame):
    """A dialog-free message line floating over the top of a widget (:meth:`float_over`:
    the timeline), so that showing it never moves what is under it.  GUI thread only.

    Errors stay until dismissed or replaced by another error (which counts them);
    information hides itself after a while.
    """

    def __init__(self, parent: QWidget | None = None, *, info_ms: int = 8000):
        super().__init__(parent)
        self.setObjectName("banner")
        self.level = ""
        self.earlier_errors = 0  # errors this one replaced (the history keeps them)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("\u2715")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self._info_ms = info_ms
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisibleTo(self.parentWidget()) else ""

    def float_over(self, widget: QWidget) -> None:
        """Float over the top edge of ``widget``, as wide as it, outside any layout."""
        self.setParent(widget)
        self.setAutoFillBackground(True)
        widget.installEventFilter(self)
        self._place()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        host = self.parentWidget()
        if host is None:
            return
        width = host.width()
        height = self.heightForWidth(width) if self.hasHeightForWidth() else -1
        self.setGeometry(0, 0, width, max(height, self.sizeHint().height()))
        self.raise_()

    def show_message(self, level: str, text: str) -> None:
        """Show ``text``; an error replacing a shown error says how many came before.

        A notice does not replace an error the user has not dismissed (the status bar
        and the message history still get it): in a batch, errors are not lost under
        the "analysed" notices of the files between them."""
        showing_error = self.level == "error" and self.isVisibleTo(self.parentWidget())
        if showing_error and level != "error":
            return
        self.earlier_errors = self.earlier_errors + 1 if level == "error" and showing_error \
            else 0
        if self.earlier_errors:
            s = "s" if self.earlier_errors > 1 else ""
            text += (f"  (and {self.earlier_errors} earlier error{s}: "
                     "View \u2192 Messages)")
        self.level = level
        self.label.setText(text)
        self.setStyleSheet(_BANNER_STYLE.get(level, _BANNER_STYLE["info"]))
        self.show()
        self._place()  # the new text may need another line
        if level == "error":
            self._timer.stop()
        else:
            self._timer.start(self._info_ms)

    def dismiss(self) -> None:
        self.level = ""
        self.earlier_errors = 0
        self.hide()


class JobBar(QWidget):
    """Render button, render-variant choice, progress with stage name, Cancel.

    Shows the current document's job; GUI thread only.
    """

    render_requested = Signal()
    cancel_requested = Signal()
    variant_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._doc: Document | None = None
        self.render_button = QPushButton("Render")
        self.render_button.setToolTip("Plan a multi-region timeline from the analysis, render "
                                      "it, analyse the render, and show it as the B lane")
        self.render_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.variant_box = QComboBox()
        self.variant_box.setToolTip("Which render variant B plays and shows")
        self.variant_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(180)
        self.stage = QLabel("")
        self.stage.setMinimumWidth(240)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        for w in (self.render_button, self.variant_box, self.progress, self.stage,
                  self.cancel_button):
            layout.addWidget(w)
        self.render_button.clicked.connect(self.render_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.variant_box.activated.connect(self.variant_chosen)
        self.set_document(None)

    def set_document(self, doc: Document | None) -> None:
        if self._doc is not None:
            self._doc.status_changed.disconnect(self._on_doc_status_changed)
            self._doc.progress_changed.disconnect(self._on_doc_progress_changed)
            self._doc.renders_changed.disconnect(self._on_doc_renders_changed)
        self._doc = doc
        if doc is not None:
            doc.status_changed.connect(self._on_doc_status_changed)
            doc.progress_changed.connect(self._on_doc_progress_changed)
            doc.renders_changed.connect(self._on_doc_renders_changed)
        self._on_doc_status_changed()
        self._on_doc_renders_changed()

    def _on_doc_status_changed(self, *args) -> None:
        doc = self._doc
        busy = doc is not None and doc.busy
        self.render_button.setEnabled(doc is not None and doc.analysis is not None and not busy)
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)
        if doc is None:
            self.stage.setText("")
        elif busy:
            self._on_doc_progress_changed(doc.fraction, doc.stage)
        else:
            self.stage.setText(doc.error or doc.status)

    def _on_doc_progress_changed(self, fraction: float, stage: str) -> None:
        self.progress.setValue(int(1000 * fraction))
        status = self._doc.status if self._doc else ""
        self.stage.setText(f"{status}: {stage}" if stage else status)

    def _on_doc_renders_changed(self) -> None:
        doc = self._doc
        self.variant_box.clear()
        renders = doc.renders if doc is not None else ()
        for v in renders:
            seed = v.render.timeline.meta.get("seed", v.index)
            self.variant_box.addItem(f"B: variant {v.index + 1} (seed {seed})")
        if renders:
            self.variant_box.setCurrentIndex(doc.render_index)
        self.variant_box.setVisible(len(renders) > 1)


class TrackList(QListWidget):
    """The open documents (the queue) with their status.  GUI thread only.

    A row that failed keeps its reason in its text and tooltip, in red."""

    document_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._docs: list[Document] = []
        self.setAcceptDrops(False)  # drops go to the main window
        self.currentRowChanged.connect(self._on_row_changed)

    def set_documents(self, docs: list[Document], current: Document | None) -> None:
        for doc in self._docs:
            if doc not in docs:
                try:
                    doc.status_changed.disconnect(self._refresh)
                    doc.progress_changed.disconnect(self._refresh)
                except RuntimeError:
                    pass
        for doc in docs:
            if doc not in self._docs:
                doc.status_changed.connect(self._refresh)
                doc.progress_changed.connect(self._refresh)
        self._docs = list(docs)
        self.blockSignals(True)
        self.clear()
        for doc in docs:
            item = QListWidgetItem()
            self._fill(item, doc)
            self.addItem(item)
        if current in docs:
            self.setCurrentRow(docs.index(current))
        self.blockSignals(False)

    @staticmethod
    def _text(doc: Document) -> str:
        if doc.busy and doc.fraction > 0:
            return f"{doc.name}\n  {doc.status} {doc.fraction:.0%}"
        if doc.status == "failed":
            return f"\u26a0 {doc.name}\n  failed: {doc.error or 'unknown reason'}"
        return f"{doc.name}\n  {doc.error or doc.status}"

    @staticmethod
    def _fill(item: QListWidgetItem, doc: Document) -> None:
        """Text, tooltip and colour of ``doc``'s row (a failed row keeps its reason)."""
        text = TrackList._text(doc)
        if item.text() != text:
            item.setText(text)
        detail = doc.error if doc.status == "failed" else doc.stage if doc.busy else ""
        tip = doc.path + (f"\n{doc.status}: {detail}" if detail else f"\n{doc.status}")
        if item.toolTip() != tip:
            item.setToolTip(tip)
        failed = doc.status == "failed"
        if (item.data(Qt.ItemDataRole.ForegroundRole) is not None) != failed:
            item.setData(Qt.ItemDataRole.ForegroundRole,
                         QBrush(QColor(_FAILED_COLOUR)) if failed else None)

    def _refresh(self, *args) -> None:
        for i, doc in enumerate(self._docs):
            item = self.item(i)
            if item is not None:
                self._fill(item, doc)

    def _on_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._docs):
            self.document_activated.emit(self._docs[row])


class MenuBar(QMenuBar):
    """The menu bar, whose mnemonics win over the window's one-key shortcuts while it
    has the keyboard.  GUI thread only.

    Alt pressed alone gives the bar the focus; the next letter names a menu.  But the
    window has single-key shortcuts (F zooms, B switches, R renders) and Qt asks for
    shortcuts before it delivers the key: "Alt, F" zoomed instead of opening File.
    """

    def event(self, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride and self.hasFocus()
                and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
                and event.text().isprintable() and event.text().strip()):
            event.accept()  # the key press comes to this bar: its mnemonic, not a shortcut
            return True
        return super().event(event)


if __name__ == "__main__":  # preview: python -m gui.panels
    import sys

    from PySide6.QtWidgets import QApplication, QVBoxLayout

    app = QApplication(sys.argv)
    box = QWidget()
    col = QVBoxLayout(box)
    banner = Banner()
    banner.show_message("error", "not_audio.wav: not a readable audio file (unknown format)")
    col.addWidget(banner)
    col.addWidget(JobBar())
    col.addWidget(TrackList())
    box.resize(800, 300)
    box.show()
    sys.exit(app.exec())
