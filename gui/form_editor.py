"""Form editing in the window, with undo and redo (issue 14).

Owns a :class:`QUndoGroup` with one :class:`QUndoStack` per document (the active one
follows the current track), the Edit menu's Undo / Redo actions, and the form edits a
user asks for at a time on the timeline: split the segment there, merge it with the
next, rename it, move the boundary nearest to a time.  The edits themselves are
:mod:`core.analysis.form_edit`'s (pure functions of the immutable analysis), so an undo
command holds the analysis before and after and swaps them; the segment table, the
exports and Render read the document's analysis and follow.  A new analysis of a track
(Analyse again, the tags coming in) clears its history: the edits belonged to the old one.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoGroup, QUndoStack
from PySide6.QtWidgets import QInputDialog, QWidget

from core.analysis import form_edit
from core.errors import TwintrackError
from gui.document import Document

__all__ = ["FormEditor"]


class _Edit(QUndoCommand):
    """One form edit of one document: the analysis before and after."""

    def __init__(self, editor: "FormEditor", doc: Document, before, after, text: str):
        super().__init__(text)
        self._editor, self._doc, self._before, self._after = editor, doc, before, after

    def redo(self) -> None:
        self._editor.apply(self._doc, self._after)

    def undo(self) -> None:
        self._editor.apply(self._doc, self._before)


class FormEditor(QObject):
    """The window's form edits and their history.  GUI thread only."""

    edit_failed = Signal(str)   # why an edit could not be made (nothing changed)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._parent = parent
        self.group = QUndoGroup(self)
        self._stacks: dict[Document, QUndoStack] = {}
        self._applying = False
        self.undo_action: QAction = self.group.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action: QAction = self.group.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)

    # -- documents ---------------------------------------------------------------------
    def set_document(self, doc: Document | None) -> None:
        """Make ``doc``'s history the one Undo and Redo act on."""
        if doc is None:
            self.group.setActiveStack(None)
            return
        if doc not in self._stacks:
            stack = QUndoStack(self.group)
            self._stacks[doc] = stack
            doc.analysis_changed.connect(lambda d=doc: self._on_doc_analysis_changed(d))
            doc.destroyed.connect(lambda *_a, d=doc: self._stacks.pop(d, None))
        self.group.setActiveStack(self._stacks[doc])

    def stack(self, doc: Document) -> QUndoStack | None:
        return self._stacks.get(doc)

    def apply(self, doc: Document, analysis) -> None:
        """Show ``analysis`` as ``doc``'s (an edit or its undo): history kept."""
        self._applying = True
        try:
            doc.set_analysis(analysis)
        finally:
            self._applying = False

    def _on_doc_analysis_changed(self, doc: Document) -> None:
        if not self._applying and doc in self._stacks:
            self._stacks[doc].clear()

    # -- edits -------------------------------------------------------------------------
    def edit(self, doc: Document | None, text: str, change: Callable) -> bool:
        """Apply ``change(analysis) -> analysis`` to ``doc`` as one undoable step named
        ``text``; False (and :attr:`edit_failed`) when it cannot be made."""
        if doc is None or doc.analysis is None:
            self.edit_failed.emit("Analyse a track before editing its form.")
            return False
        try:
            after = change(doc.analysis)
        except TwintrackError as exc:
            self.edit_failed.emit(f"{text}: {exc}")
            return False
        self.set_document(doc)
        self._stacks[doc].push(_Edit(self, doc, doc.analysis, after, text))
        return True

    def split_at(self, doc: Document | None, t: float) -> bool:
        return self.edit(doc, f"Split at {t:.1f} s",
                         lambda a: form_edit.split_segment(a, t))

    def merge_at(self, doc: Document | None, t: float) -> bool:
        return self.edit(doc, "Merge with the next segment",
                         lambda a: form_edit.merge_segments(a, _index_at(a, t)))

    def move_boundary(self, doc: Document | None, index: int, t: float) -> bool:
        """Move the boundary after segment ``index`` to ``t`` (a dragged handle); a
        refused move redraws the form as it was."""
        done = self.edit(doc, f"Move a boundary to {t:.1f} s",
                         lambda a: form_edit.move_boundary(a, index, t))
        if not done and doc is not None and doc.analysis is not None:
            self.apply(doc, doc.analysis)   # the handle goes back where the form has it
        return done

    def move_boundary_near(self, doc: Document | None, t: float) -> bool:
        """Move the boundary nearest to ``t`` to ``t``."""
        return self.edit(doc, f"Move a boundary to {t:.1f} s",
                         lambda a: form_edit.move_boundary(a, _nearest_boundary(a, t), t))

    def rename_at(self, doc: Document | None, t: float, letter: str | None = None) -> bool:
        """Rename the segment at ``t`` (asks for the letter when ``letter`` is None)."""
        if doc is None or doc.analysis is None:
            return self.edit(doc, "Rename", lambda a: a)
        index = _index_at(doc.analysis, t)
        if letter is None:
            current = doc.analysis.segments[index].label if index >= 0 else ""
            letter, ok = QInputDialog.getText(self._parent, "Rename segment",
                                              "Segment letter:", text=current)
            if not ok:
                return False
        return self.edit(doc, f"Rename to {letter}",
                         lambda a: form_edit.rename_segment(a, index, letter))

    def menu_entries(self, doc: Document | None, t: float) -> list[tuple[str, Callable]]:
        """What the form lane's right-click menu offers at time ``t``."""
        if doc is None or doc.analysis is None or not doc.analysis.segments:
            return []
        return [(f"Split the segment at {t:.1f} s", lambda: self.split_at(doc, t)),
                ("Merge the segment with the next", lambda: self.merge_at(doc, t)),
                ("Rename the segment...", lambda: self.rename_at(doc, t)),
                ("Move the nearest boundary here", lambda: self.move_boundary_near(doc, t))]


def _index_at(analysis, t: float) -> int:
    segs = analysis.segments
    return next((i for i, s in enumerate(segs) if s.start <= t < s.end),
                len(segs) - 1 if segs and t >= segs[-1].end else -1)


def _nearest_boundary(analysis, t: float) -> int:
    """The index of the segment whose end is the inner boundary nearest to ``t``."""
    ends = [s.end for s in analysis.segments[:-1]]
    if not ends:
        return len(analysis.segments) - 1   # no inner boundary: the edit says so
    return min(range(len(ends)), key=lambda i: abs(ends[i] - t))
