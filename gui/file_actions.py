"""The window's file intents: open audio (a dialog, the recent files), import labels
and export what the current track has (analysis formats, render audio and MIDI, the
timeline as a PNG).

:class:`FileActions` owns the File-menu actions for these, asks where through file
dialogs (a save path through the window's ``ask_save_path``, which tests answer),
prepares the folders and hands the work on: opening and exports to the
:class:`~gui.session.Session` and its :class:`~gui.exports.Exports`, labels to the
current document, the PNG to the timeline.  Projects have their own controller
(:mod:`gui.project`).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu

from core.errors import TwintrackError
from gui.exports import EXPORT_KINDS

__all__ = ["FileActions", "fill_recent_menu", "OPEN_FILTER"]

logger = logging.getLogger(__name__)

OPEN_FILTER = ("Audio files (*.wav *.flac *.ogg *.oga *.opus *.mp3 *.aif *.aiff *.m4a *.aac "
               "*.wma *.caf *.w64);;All files (*)")


def fill_recent_menu(menu: QMenu, paths: list[str], open_path: Callable[[str], None],
                     clear: Callable[[], None]) -> None:
    """Fill ``menu`` with an entry per recent path (``open_path(path)`` when chosen),
    then "Clear list" (``clear``); "(none)" without paths."""
    menu.clear()
    for path in paths:
        menu.addAction(path, lambda p=path: open_path(p))
    if not paths:
        menu.addAction("(none)").setEnabled(False)
    else:
        menu.addSeparator()
        menu.addAction("Clear list", clear)


class FileActions(QObject):
    """Open, import and export for ``window``.  GUI thread only.

    ``window`` is the main window (its session, settings, timeline, ``open_paths``,
    ``show_message``, ``ask_save_path`` and status bar).  The actions and menus are
    attributes; the window puts them in its File menu.
    """

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.settings = window.settings
        self.open_action = QAction("&Open...", window)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.open_dialog)
        self.recent_menu = QMenu("Open &recent", window)
        self.recent_menu.aboutToShow.connect(self._on_recent_menu_about_to_show)
        self.export_menu = QMenu("&Export", window)
        self.export_actions: dict[str, QAction] = {}
        for kind, (text, _suffix, _needs) in EXPORT_KINDS.items():
            self.export_actions[kind] = self.export_menu.addAction(
                text + "...", lambda k=kind: self.export_dialog(k))
        self.export_actions["png"] = self.export_menu.addAction(
            "Timeline PNG...", lambda: self.export_dialog("png"))
        self.import_labels_action = QAction("&Import labels...", window)
        self.import_labels_action.triggered.connect(self.import_labels_dialog)

    # -- open and import ---------------------------------------------------------------
    def open_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self.window, "Open audio", self._start_dir(),
                                                OPEN_FILTER)
        if files:
            self.window.open_paths(files)

    def import_labels_dialog(self) -> None:
        """Ask for an Audacity, Sonic Visualiser CSV or JAMS label file and show it."""
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Import labels", self._start_dir(),
            "Label files (*.txt *.csv *.jams);;All files (*)")
        if path:
            self.import_labels(path)

    def import_labels(self, path: str) -> bool:
        """Show the labels in ``path`` as a lane beside the current track's analysis."""
        from core.io.labels import read_labels

        doc = self.session.current
        if doc is None:
            self.window.show_message("error", "Open a track before importing labels for it.")
            return False
        try:
            track = read_labels(path)
        except TwintrackError as exc:
            self.window.show_message("error", f"Could not import labels: {exc}",
                                     file=doc.name)
            return False
        doc.set_imported(track)
        self.window.statusBar().showMessage(
            f"imported {len(track.spans)} labels from {track.name}")
        return True

    def _start_dir(self) -> str:
        recent = self.settings.recent_files
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def _on_recent_menu_about_to_show(self) -> None:
        fill_recent_menu(self.recent_menu, self.settings.recent_files,
                         lambda p: self.window.open_paths([p]), self.settings.clear_recent)

    # -- export ------------------------------------------------------------------------
    def export_dialog(self, kind: str) -> None:
        """Ask where to write the current track's ``kind`` (of :data:`EXPORT_KINDS`, or
        ``"png"``: the timeline) and write it."""
        doc = self.session.current
        if doc is None:
            self.window.show_message("error", "Open and analyse a track before exporting.")
            return
        stem = Path(doc.path).stem
        folder = self._export_folder()
        if kind == "png":
            path = self.window.ask_save_path("Export timeline PNG",
                                             str(folder / f"{stem}.timeline.png"),
                                             "PNG image (*.png)")
            if path:
                self.export_timeline_png(path)
            return
        text, suffix, _ = EXPORT_KINDS[kind]
        path = self.window.ask_save_path(f"Export {text}", str(folder / f"{stem}{suffix}"),
                                         f"{text} (*{suffix});;All files (*)")
        if path:
            os.makedirs(Path(path).parent, exist_ok=True)
            self.session.exports.export(kind, path, doc)

    def _export_folder(self) -> Path:
        """The export folder, created if needed: a save dialog pointed at a folder that
        does not exist opens in the working directory instead."""
        folder = Path(self.settings.output_dir).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            logger.warning("cannot create the export folder %s (%s)", folder, exc)
            while not folder.is_dir() and folder != folder.parent:
                folder = folder.parent
        return folder

    def export_timeline_png(self, path: str) -> None:
        """Write the timeline as a PNG to ``path`` (a failure is said, not raised)."""
        try:
            os.makedirs(Path(path).parent, exist_ok=True)
            self.window.timeline.export_png(path)
        except OSError as exc:
            self.window.show_message("error", f"Could not save the timeline image: {exc}")
            return
        self.window.show_message("info", f"Saved {path}")
