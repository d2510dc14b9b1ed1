"""The message history: every notice and error of the session, kept for the user.

The banner and the status bar show only the newest message; a batch of files can
fail several times in a second.  :class:`MessageLog` keeps them all (time, level,
file, text) for as long as the window lives, whatever track is current, and shows
them as a table (the "Messages" dock, View -> Messages).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem,
                               QWidget)

__all__ = ["Message", "MessageLog"]

_ERROR_COLOUR = "#a11d12"


@dataclass(frozen=True)
class Message:
    """One entry: wall-clock ``when`` (seconds since the epoch), level, file, text."""

    when: float
    level: str
    file: str
    text: str


class MessageLog(QTableWidget):
    """A table of every message, newest last.  GUI thread only.

    Parameters
    ----------
    limit : int
        Entries kept; the oldest go first (a long session stays cheap).
    """

    COLUMNS = ("Time", "Level", "File", "Message")

    def __init__(self, parent: QWidget | None = None, *, limit: int = 2000):
        super().__init__(0, len(self.COLUMNS), parent)
        self.setObjectName("messageLog")
        self.messages: list[Message] = []
        self._limit = limit
        self.setHorizontalHeaderLabels(self.COLUMNS)
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

    def add(self, level: str, text: str, *, file: str = "") -> Message:
        """Append a message (and drop the oldest beyond the limit)."""
        entry = Message(time.time(), level, file, text)
        self.messages.append(entry)
        if len(self.messages) > self._limit:
            del self.messages[0]
            self.removeRow(0)
        row = self.rowCount()
        self.insertRow(row)
        cells = (time.strftime("%H:%M:%S", time.localtime(entry.when)), level, file, text)
        for col, value in enumerate(cells):
            item = QTableWidgetItem(value)
            item.setToolTip(text if col == 3 else value)
            if level == "error":
                item.setForeground(QBrush(QColor(_ERROR_COLOUR)))
            self.setItem(row, col, item)
        self.scrollToBottom()
        return entry

    def errors(self) -> list[Message]:
        return [m for m in self.messages if m.level == "error"]

    def row_texts(self, row: int) -> list[str]:
        """The cells of ``row`` as shown (tests, copying)."""
        return [self.item(row, col).text() for col in range(self.columnCount())]

    def clear_messages(self) -> None:
        self.messages.clear()
        self.setRowCount(0)


if __name__ == "__main__":  # preview: python -m gui.messages
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    log = MessageLog()
    log.add("info", "short track.wav: analysed (5 segments, 120 BPM, C major)",
            file="short track.wav")
    log.add("error", "Could not open not_audio.wav: not a readable audio file",
            file="not_audio.wav")
    log.resize(800, 200)
    log.show()
    sys.exit(app.exec())
