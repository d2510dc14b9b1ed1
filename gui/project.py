"""The project the window works in: File > Save Project, Save Project As, Open Project and
recent projects; the window title's project name and modified mark; and the question
asked before renders that exist only in memory are thrown away (Save / Discard /
Cancel).

The file format is :mod:`core.io.project`, the use cases :mod:`core.app.project`; the
session restores the tracks (:meth:`gui.session.Session.restore`); this module says
what the window looks like afterwards (the view: zoom range, A/B mode, loop, selected
segment, spectrogram lane).
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from core.app.project import WorkspaceTrack, save_workspace
from core.app.renders import RenderedVariant
from core.errors import TwintrackError
from core.io.project import SUFFIX, open_project
from gui.document import Document
from gui.file_actions import fill_recent_menu

__all__ = ["ProjectController", "PROJECT_FILTER"]

PROJECT_FILTER = f"Twintrack project (*{SUFFIX});;All files (*)"


class ProjectController(QObject):
    """The window's project: its file, its modified state, its File-menu actions.

    GUI thread only.  ``window`` is the main window (its session, settings, timeline,
    transport, ``show_message`` and ``ask_save_path``).
    """

    saved = Signal(str)  # the project file written

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.settings = window.settings
        self.path: str | None = None
        self.modified = False
        # id(variant) -> (variant, file): renders made here and since written; the
        # variant is kept so its id is not reused.
        self._on_disk: dict[int, tuple[RenderedVariant, str]] = {}
        self._watched: set[Document] = set()
        self._pending_view: tuple[str, dict] | None = None  # (track path, view)

        self.save_action = self._action("&Save Project", QKeySequence.StandardKey.Save,
                                        self.save)
        self.save_as_action = self._action("Save Project &As...", "Ctrl+Shift+S",
                                           self.save_as)
        self.open_action = self._action("Open &Project...", "Ctrl+Shift+O", self.open_dialog)
        self.recent_menu = QMenu("Recent pro&jects", window)
        self.recent_menu.aboutToShow.connect(self._on_recent_menu_about_to_show)
        self.session.documents_changed.connect(self._on_session_documents_changed)
        self.session.document_restored.connect(self._on_session_document_restored)

    def _action(self, text: str, keys, slot) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # -- state ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return Path(self.path).stem if self.path else ""

    def set_modified(self, on: bool) -> None:
        self.modified = on
        self.update_title()

    def update_title(self) -> None:
        """"<track> - <project>[*] - Twintrack"; Qt draws ``[*]`` as the modified mark."""
        doc = self.session.current
        parts = [doc.name] if doc is not None else []
        parts += [f"{self.name}[*]"] if self.path else []
        if doc is not None and not self.path:
            parts[0] += "[*]"
        self.window.setWindowTitle(" - ".join([*parts, "Twintrack"]))
        self.window.setWindowModified(self.modified and bool(parts))

    def unsaved_renders(self, doc: Document) -> bool:
        """Whether ``doc`` holds renders that exist only in memory."""
        return any(not v.source and id(v) not in self._on_disk for v in doc.renders)

    def confirm_discard(self, docs: list[Document] | None = None) -> bool:
        """Ask before renders of ``docs`` (all documents if None) that exist only in
        memory are thrown away: Save (the project), Discard, or Cancel (False)."""
        unsaved = [d for d in (self.session.documents if docs is None else docs)
                   if self.unsaved_renders(d)]
        if not unsaved:
            return True
        names = ", ".join(d.name for d in unsaved)
        answer = self.ask_unsaved(
            f"The renders of {names} are not saved.  Save them in the project first?")
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def ask_unsaved(self, text: str) -> QMessageBox.StandardButton:
        """The Save / Discard / Cancel question (a modal message box)."""
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved renders", text, buttons,
                          self.window)
        box.setObjectName("unsaved_renders")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        return QMessageBox.StandardButton(box.exec())

    # -- saving --------------------------------------------------------------------------
    def save(self) -> bool:
        """Save to the project's file (asking where the first time); False if not saved."""
        return self.save_to(self.path) if self.path else self.save_as()

    def save_as(self) -> bool:
        folder = Path(self.path).parent if self.path else Path(self.settings.output_dir)
        suggested = folder.expanduser() / f"{self.name or 'Untitled'}{SUFFIX}"
        path = self.window.ask_save_path("Save project", str(suggested), PROJECT_FILTER)
        if not path:
            return False
        return self.save_to(path if path.endswith(SUFFIX) else path + SUFFIX)

    def save_to(self, path: str) -> bool:
        """Write the workspace to ``path`` (renders made here as FLAC beside it)."""
        docs = [d for d in self.session.documents if d.status != "failed" or d.loaded]
        tracks = [WorkspaceTrack(d.path, d.analysis, d.renders, d.render_index) for d in docs]
        current = docs.index(self.session.current) if self.session.current in docs else -1
        try:
            files = save_workspace(tracks, path, current=current, view=self.view_state())
        except (TwintrackError, OSError) as exc:
            self.window.show_message("error", f"Could not save the project {Path(path).name}: "
                                              f"{exc}")
            return False
        for d in docs:
            self._on_disk.update({id(v): (v, files[id(v)]) for v in d.renders})
        self.path = str(path)
        self.settings.add_recent(self.path, kind="projects")
        self.set_modified(False)
        self.window.show_message("info", f"Saved the project {self.path}")
        self.saved.emit(self.path)
        return True

    def view_state(self) -> dict:
        """What the window shows, as plain values a project stores."""
        w, doc = self.window, self.session.current
        x0, x1 = w.timeline.x_range()
        player = w.transport.player
        return {"range": [float(x0), float(x1)],
                "mode": getattr(player, "mode", "A") if player is not None else "A",
                "loop": w.transport.loop_button.isChecked(),
                "segment": doc.selected_segment if doc is not None else -1,
                "spectrogram": w.spectrogram_action.isChecked(),
                "hidden_lanes": sorted(w.timeline.grid.hidden)}

    # -- opening -------------------------------------------------------------------------
    def open_dialog(self) -> None:
        start = str(Path(self.path).parent) if self.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self.window, "Open project", start,
                                              PROJECT_FILTER)
        if path:
            self.open(path)

    def open(self, path: str) -> bool:
        """Replace the workspace with the project at ``path`` (after asking about unsaved
        renders); what cannot be restored is said, the rest is shown."""
        try:
            opened = open_project(path)
        except TwintrackError as exc:
            self.window.show_message("error", f"Could not open the project: {exc}")
            return False
        if not self.confirm_discard():
            return False
        for doc in list(self.session.documents):
            self.session.close_document(doc)
        project = opened.project
        self.path = str(path)
        self.settings.add_recent(self.path, kind="projects")
        if 0 <= project.current < len(project.tracks):
            self._pending_view = (project.tracks[project.current].file.path, project.view)
        self.session.restore(list(project.tracks), project.current)
        for problem in opened.problems:
            self.window.show_message("error", f"{Path(path).name}: {problem}")
        self.set_modified(bool(opened.problems))
        return True

    def _apply_view(self, doc: Document, view: dict) -> None:
        w = self.window
        w.spectrogram_action.setChecked(bool(view.get("spectrogram",
                                                      w.spectrogram_action.isChecked())))
        x = view.get("range")
        if (isinstance(x, list) and len(x) == 2 and all(isinstance(v, (int, float)) for v in x)
                and all(math.isfinite(v) for v in x) and x[0] < x[1]):
            w.timeline.set_x_range(float(x[0]), float(x[1]))
        segment = view.get("segment")
        if isinstance(segment, int) and not isinstance(segment, bool):
            doc.select_segment(segment)
        if view.get("mode") in ("B", "AB") and doc.render is not None:
            w.transport.set_mode(view["mode"])
        if view.get("loop") is True:
            w.transport.set_loop_enabled(True, quiet=True)
        hidden = view.get("hidden_lanes")
        if isinstance(hidden, list) and all(isinstance(n, str) for n in hidden):
            for name in w.lane_menus.actions:   # unknown names (a newer version's) pass
                w.lane_menus.set_lane_visible(name, name not in hidden)

    # -- slots ---------------------------------------------------------------------------
    def _on_session_documents_changed(self) -> None:
        for doc in self.session.documents:
            if doc not in self._watched:
                self._watched.add(doc)
                for signal in (doc.analysis_changed, doc.renders_changed,
                               doc.render_index_changed):
                    signal.connect(self._on_document_changed)
        self._watched &= set(self.session.documents)
        self._on_document_changed()

    def _on_document_changed(self, *_args) -> None:
        # Forget renders no document holds any more: their audio is freed, and a new
        # render that happens to get a freed id is not taken for a saved one.
        alive = {id(v) for d in self.session.documents for v in d.renders}
        self._on_disk = {k: e for k, e in self._on_disk.items() if k in alive}
        if not self.session.restoring:
            self.set_modified(True)

    def _on_session_document_restored(self, doc: Document) -> None:
        if self._pending_view is not None and self._pending_view[0] == doc.path:
            self._apply_view(doc, self._pending_view[1])
            self._pending_view = None
        if not self.session.restoring:
            self.update_title()

    def _on_recent_menu_about_to_show(self) -> None:
        fill_recent_menu(self.recent_menu, self.settings.recent(kind="projects"), self.open,
                         lambda: self.settings.clear_recent(kind="projects"))
