"""The main window: composition of the panels, menus, drag and drop.  Nothing else.

It wires user actions to the :class:`~gui.session.Session` (which decides what work
runs), points the views at the current document, and owns the player's lifetime.
The File menu's intents are :class:`~gui.file_actions.FileActions` (open, import,
export) and :class:`~gui.project.ProjectController` (projects).
No analysis, no argument parsing, no file decoding happens here.
"""

from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QMainWindow, QToolBar,
                               QVBoxLayout, QWidget)

from gui.compare import CompareActions
from gui.document import Document
from gui.file_actions import FileActions
from gui.form_editor import FormEditor
from gui.range_select import RangeSelector
from gui.lane_menu import LaneMenus
from gui.messages import MessageLog
from gui.panels import Banner, JobBar, MenuBar, TrackList
from gui.project import ProjectController
from gui.segment_table import SegmentTable
from gui.session import Session
from gui.settings_dialog import SettingsDialog
from gui.timeline_view import TimelineView
from gui.transport import Transport, open_player

__all__ = ["MainWindow"]

logger = logging.getLogger(__name__)

class MainWindow(QMainWindow):
    """Twintrack's window.  GUI thread only.

    Owns the panels and the player (opened with ``player_opener``, closed on exit or
    when the device changes); the session owns documents and work.
    """

    def __init__(self, session: Session, *,
                 player_opener: Callable[[str | None], tuple] = open_player,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.settings = session.settings
        self._player_opener = player_opener
        # False: closing does not ask about renders only in memory (a signal, a script).
        self.ask_before_closing = True
        self.setWindowTitle("Twintrack")
        self.setAcceptDrops(True)
        self.resize(1440, 900)

        self.banner = Banner()
        self.timeline = TimelineView()
        self.transport = Transport()
        self.job_bar = JobBar()
        self.track_list = TrackList()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(4, 4, 4, 0)
        column.setSpacing(4)
        column.addWidget(self.timeline, 1)
        self.banner.float_over(self.timeline)
        column.addWidget(self.transport)
        self.setCentralWidget(central)
        dock = QDockWidget("Tracks", self)
        dock.setObjectName("tracks")
        dock.setWidget(self.track_list)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.resizeDocks([dock], [220], Qt.Orientation.Horizontal)
        self.message_log = MessageLog()
        self.messages_dock = QDockWidget("Messages", self)
        self.messages_dock.setObjectName("messages")
        self.messages_dock.setWidget(self.message_log)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.messages_dock)
        self.messages_dock.hide()
        self.segment_table = SegmentTable()
        self.segments_dock = QDockWidget("Segments", self)
        self.segments_dock.setObjectName("segments")
        self.segments_dock.setWidget(self.segment_table)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.segments_dock)
        self.segments_dock.hide()
        toolbar = QToolBar("Job")
        toolbar.setObjectName("job")
        toolbar.setMovable(False)
        toolbar.addWidget(self.job_bar)
        self.addToolBar(toolbar)

        self.form_editor = FormEditor(self)
        self.range_selector = RangeSelector(self.timeline, self)
        self.timeline.set_boundary_handler(
            lambda i, t: self.form_editor.move_boundary(self.session.current, i, t))
        self.project = ProjectController(self)
        self.files = FileActions(self)
        self._build_menus()
        self.addActions(self.transport.actions_for_window())
        self._connect()
        self.timeline.set_spectrogram_visible(self.settings.show_spectrogram)
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.statusBar().showMessage("Ready - drop audio files or folders anywhere on the window")

    # -- construction ------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = MenuBar(self)
        self.setMenuBar(bar)
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.files.open_action)
        file_menu.addMenu(self.files.recent_menu)
        file_menu.addSeparator()
        for action in (self.project.open_action, self.project.save_action,
                       self.project.save_as_action):
            file_menu.addAction(action)
        file_menu.addMenu(self.project.recent_menu)
        file_menu.addSeparator()
        file_menu.addMenu(self.files.export_menu)
        file_menu.addAction(self.files.import_labels_action)
        file_menu.addSeparator()
        close = file_menu.addAction("&Close track", self._on_close_track_triggered)
        close.setShortcut(QKeySequence.StandardKey.Close)
        file_menu.addAction("&Quit", self.close).setShortcut(QKeySequence.StandardKey.Quit)

        edit = bar.addMenu("&Edit")
        edit.addAction(self.form_editor.undo_action)
        edit.addAction(self.form_editor.redo_action)

        track = bar.addMenu("&Track")
        self.render_action = track.addAction("&Render", self._on_render_requested)
        self.render_action.setShortcut(QKeySequence("R"))
        track.addAction("&Cancel job", self.session.cancel).setShortcut(QKeySequence("Esc"))
        track.addAction("Analyse &again", self._on_analyse_again_triggered)

        view = bar.addMenu("&View")
        self.spectrogram_action = view.addAction("&Spectrogram")
        self.spectrogram_action.setCheckable(True)
        self.spectrogram_action.setChecked(self.settings.show_spectrogram)
        self.spectrogram_action.toggled.connect(self._on_spectrogram_toggled)
        self.lane_menus = LaneMenus(self.timeline, self.settings, view, self)
        self.lane_menus.form_entries = (
            lambda t: self.form_editor.menu_entries(self.session.current, t))
        fit = view.addAction("Zoom to &fit", self.timeline.zoom_to_fit)
        fit.setShortcut(QKeySequence("F"))
        for text, key, factor in (("Waveforms &taller", "Ctrl+Up", 2.0),
                                  ("Waveforms &shorter", "Ctrl+Down", 0.5),
                                  ("Waveforms at full &scale", "Ctrl+0", None)):
            view.addAction(text, lambda f=factor: self.timeline.zoom_waveforms(f)
                           ).setShortcut(QKeySequence(key))
        self.messages_action = self.messages_dock.toggleViewAction()
        self.messages_action.setText("&Messages")
        self.messages_action.setShortcut(QKeySequence("Ctrl+M"))
        view.addAction(self.messages_action)
        self.segments_action = self.segments_dock.toggleViewAction()
        self.segments_action.setText("Se&gment table")
        self.segments_action.setShortcut(QKeySequence("Ctrl+T"))
        view.addAction(self.segments_action)

        self.compare = CompareActions(self.session, bar.addMenu("&Analysis"), self)
        play = bar.addMenu("&Playback")
        for action in self.transport.actions_for_window():
            play.addAction(action)

        settings = bar.addMenu("&Settings")
        settings.addAction("&Preferences...", self.preferences_dialog)
        helpm = bar.addMenu("&Help")
        helpm.addAction("&Keyboard Shortcuts", self._on_shortcuts_triggered).setShortcut(
            QKeySequence.StandardKey.HelpContents)
        helpm.addAction("&User Guide", self._on_guide_triggered)
        helpm.addAction("&About Twintrack", self._on_about_triggered)

    def _connect(self) -> None:
        s = self.session
        s.current_changed.connect(self._on_session_current_changed)
        s.documents_changed.connect(self._on_session_documents_changed)
        s.message_logged.connect(self._on_session_message_logged)
        self.transport.message_posted.connect(self._on_transport_message_posted)
        self.form_editor.edit_failed.connect(
            lambda text: self._on_transport_message_posted("error", text))
        self.transport.position_changed.connect(self.timeline.set_playhead)
        self.timeline.seek_requested.connect(self.transport.seek)
        self.range_selector.range_selected.connect(self.transport.seek)
        self.compare.seek_requested.connect(self.transport.seek)
        self.transport.position_changed.connect(self.compare.set_position)
        self.track_list.document_activated.connect(s.set_current)
        self.job_bar.render_requested.connect(self._on_render_requested)
        self.job_bar.cancel_requested.connect(s.cancel)
        self.job_bar.variant_chosen.connect(self._on_variant_chosen)

    # -- player ------------------------------------------------------------------------
    def open_player(self) -> None:
        """(Re)open the audio output named in the settings."""
        self.close_player()
        player, reason = self._player_opener(self.settings.device)
        self.transport.set_player(player, reason)
        self.transport.set_document(self.session.current)

    def close_player(self) -> None:
        player = self.transport.player
        self.transport.set_player(None, "Playback closed.")
        if player is not None:
            try:
                player.close()
            except Exception:  # closing a broken device must not stop the app from quitting
                logger.exception("closing the player failed")

    # -- intents -----------------------------------------------------------------------
    def open_paths(self, paths: list[str], *, render: str | None = None) -> None:
        """Queue ``paths``; ``render``: a render of the first, shown as its B lane."""
        self.session.open_paths(paths, render=render)

    def ask_save_path(self, title: str, suggested: str, pattern: str) -> str:
        """Where to save (a dialog); tests replace this method."""
        path, _ = QFileDialog.getSaveFileName(self, title, suggested, pattern)
        return path

    def preferences_dialog(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            if dialog.apply():
                self.open_player()
            self.timeline.spectrograms.set_settings(self.settings.spectrogram)

    def show_message(self, level: str, text: str, *, file: str = "") -> None:
        """Errors and notices: a banner over the timeline, the status bar and the message
        history (View -> Messages); never a crash."""
        self.message_log.add(level, text, file=file)
        self.banner.show_message(level, text)
        self.statusBar().showMessage(text, 0 if level == "error" else 8000)

    # -- slots ---------------------------------------------------------------------------
    def _on_session_current_changed(self, doc: Document | None) -> None:
        # The job bar first: its progress bar repaints the window synchronously, which
        # must not happen after the timeline has changed (its repaint belongs to the
        # next event-loop turn, not to this slot).
        self.job_bar.set_document(doc)
        self.track_list.set_documents(self.session.documents, doc)
        self.timeline.set_document(doc)
        self.segment_table.set_document(doc)
        self.transport.set_document(doc)
        self.form_editor.set_document(doc)
        self.range_selector.set_document(doc)
        self.project.update_title()

    def _on_session_message_logged(self, level: str, file: str, text: str) -> None:
        self.show_message(level, text, file=file)

    def _on_transport_message_posted(self, level: str, text: str) -> None:
        doc = self.session.current
        self.show_message(level, text, file=doc.name if doc is not None else "")

    def _on_session_documents_changed(self) -> None:
        self.track_list.set_documents(self.session.documents, self.session.current)

    def _on_variant_chosen(self, index: int) -> None:
        if self.session.current is not None:
            self.session.current.set_render_index(index)

    def _on_spectrogram_toggled(self, on: bool) -> None:
        self.settings.show_spectrogram = on
        self.timeline.set_spectrogram_visible(on)

    def _on_close_track_triggered(self) -> None:
        doc = self.session.current
        if doc is not None and self.project.confirm_discard([doc]):
            self.session.close_document(doc)

    def _on_render_requested(self) -> None:
        doc = self.session.current
        if doc is None or self.project.confirm_discard([doc]):  # a new render replaces them
            self.session.render()

    def _on_analyse_again_triggered(self) -> None:
        if self.session.current is not None:
            self.session.analyse(self.session.current)

    def _on_shortcuts_triggered(self) -> None:
        from gui.help import ShortcutsDialog, show_help

        show_help(self, ShortcutsDialog)

    def _on_guide_triggered(self) -> None:
        from gui.help import GuideDialog, show_help

        show_help(self, GuideDialog)

    def _on_about_triggered(self) -> None:
        from gui.about import show_about

        show_about(self)

    # -- drag and drop (anywhere: child views pass drops up to the window) --------------
    @staticmethod
    def _local_paths(event) -> list[str]:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return []
        return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._local_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self._local_paths(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._local_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_paths(paths)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.ask_before_closing and not self.project.confirm_discard():
            event.ignore()
            return
        self.settings.set_geometry(self.saveGeometry())
        self.settings.sync()
        self.close_player()
        self.transport.shutdown()
        self.session.shutdown()
        self.timeline.spectrograms.shutdown()
        super().closeEvent(event)


if __name__ == "__main__":  # preview: python -m gui.main_window [FILES]
    import sys

    from gui.app import main

    sys.exit(main(sys.argv[1:]))
