"""Exports of a document, written in the background: what can be exported
(:data:`EXPORT_KINDS`) and :class:`Exports`, which checks that the document has it and
runs the writing use case of :mod:`core.app.exports` on its own worker.

The :class:`~gui.session.Session` owns one and says what it reports (the same
messages as the rest of the session's work); the File menu
(:mod:`gui.file_actions`) asks where to write.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Signal

from core.app.exports import export_analysis, export_render_audio, export_render_midi
from gui.document import Document
from gui.workers import Worker

__all__ = ["Exports", "EXPORT_KINDS"]

#: Export kind -> (menu text, file suffix, needs).  "needs" is "analysis" or "render".
EXPORT_KINDS = {
    "json": ("Analysis JSON", ".json", "analysis"),
    "jams": ("JAMS annotations", ".jams", "analysis"),
    "csv": ("Segment table CSV", ".csv", "analysis"),
    "audacity": ("Audacity labels", ".audacity.txt", "analysis"),
    "svcsv": ("Sonic Visualiser CSV", ".sv.csv", "analysis"),
    "chords": ("Chord labels", ".chords.txt", "analysis"),
    "wav": ("Render WAV", ".render.wav", "render"),
    "midi": ("Render MIDI", ".render.mid", "render"),
}


class Exports(QObject):
    """Writes analyses and renders off the GUI thread, the newest request winning.

    GUI thread only.  Owns its :class:`~gui.workers.Worker`.  ``post(level, text,
    doc)`` says what went wrong (and, once written, where the file is).
    """

    finished = Signal(str)  # path written

    def __init__(self, post: Callable[[str, str, Document | None], None],
                 parent: QObject | None = None):
        super().__init__(parent)
        self._post = post
        self._worker = Worker(self)
        self._worker.finished.connect(self._on_worker_finished)
        self._worker.failed.connect(lambda msg: self._post("error", msg, None))

    def export(self, kind: str, path: str, doc: Document | None) -> bool:
        """Write ``doc``'s analysis or render as ``kind`` (of :data:`EXPORT_KINDS`) to
        ``path``; False (and a message) when ``doc`` has nothing of that kind."""
        text, _suffix, needs = EXPORT_KINDS[kind]
        if doc is None or (needs == "analysis" and doc.analysis is None):
            self._post("error", f"{text}: there is no analysis to export yet.", None)
            return False
        if needs == "render" and doc.render is None:
            self._post("error", f"{text}: render the track first.", None)
            return False
        if kind == "midi" and not doc.render.render.events:
            self._post("error", f"{text}: this render was opened from a file "
                       "and its notes are not known; press Render for a new one.", doc)
            return False
        if needs == "analysis":
            self._worker.start(export_analysis, doc.analysis, path, kind)
        elif kind == "wav":
            self._worker.start(export_render_audio, doc.render.render, path)
        else:
            self._worker.start(export_render_midi, doc.render.render, path)
        return True

    def shutdown(self, timeout: float = 3.0) -> bool:
        """Stop and wait for the writing thread (at exit); True if it ended."""
        return self._worker.shutdown(timeout=timeout)

    def _on_worker_finished(self, path: str) -> None:
        self._post("info", f"Saved {path}", None)
        self.finished.emit(path)
