"""In-app help: Help > Keyboard Shortcuts and Help > User Guide.

The shortcuts sheet is read from the window's own actions when it opens (so it lists
exactly what the window defines, never a hand-kept copy); the guide is
``resources/help/guide.md``, shipped as package data and shown in a text browser.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QMenu,
                               QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout,
                               QWidget)

from core.resources import resource_path

__all__ = ["shortcut_rows", "ShortcutsDialog", "GuideDialog", "guide_markdown", "show_help"]


def _plain(text: str) -> str:
    """Menu text without its mnemonic marks and trailing dots."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".")


def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """Every shortcut ``window``'s actions define, as (where, what, keys) rows.

    "where" is the menu the action is in (or "Window" for actions only on the window);
    keys are in the platform's notation.  Sorted by where, then what.
    """
    rows = set()
    for action in window.findChildren(QAction):
        keys = [k for k in action.shortcuts() if not k.isEmpty()]
        if not keys or not action.text():
            continue
        menus = [o for o in action.associatedObjects() if isinstance(o, QMenu)]
        where = _plain(menus[0].title()) if menus else "Window"
        text = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        rows.add((where, _plain(action.text()), text))
    return sorted(rows)


class ShortcutsDialog(QDialog):
    """The keyboard shortcuts sheet.  GUI thread only."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setWindowTitle("Keyboard Shortcuts")
        self.setObjectName("shortcuts")
        self._window = window
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["Menu", "Action", "Shortcut"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        _layout(self, self.table)
        self.resize(520, 520)
        self.refresh()

    def refresh(self) -> None:
        """Read the window's actions again (each time the sheet is shown)."""
        rows = shortcut_rows(self._window)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def rows(self) -> list[tuple[str, ...]]:
        """The sheet as shown."""
        return [tuple(self.table.item(r, c).text() for c in range(3))
                for r in range(self.table.rowCount())]


def guide_markdown() -> str:
    """The user guide's Markdown text."""
    return resource_path("help", "guide.md").read_text(encoding="utf-8")


class GuideDialog(QDialog):
    """The user guide in a text browser (links open in the system browser).  GUI thread
    only."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Twintrack User Guide")
        self.setObjectName("guide")
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(guide_markdown())
        _layout(self, self.browser)
        self.resize(640, 720)


def show_help(parent: QWidget, kind: type[QDialog]) -> QDialog:
    """Show the ``kind`` help dialog over ``parent`` (one per window, reused; the
    shortcuts sheet read afresh).  GUI thread only."""
    dialog = parent.findChild(kind)
    if dialog is None:
        dialog = kind(parent)
    elif isinstance(dialog, ShortcutsDialog):
        dialog.refresh()
    dialog.show()
    dialog.raise_()
    return dialog


def _layout(dialog: QDialog, body: QWidget) -> None:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    column = QVBoxLayout(dialog)
    column.addWidget(body)
    column.addWidget(buttons)
