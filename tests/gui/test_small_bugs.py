"""Issue 14, bug 6: the small things a new user trips over in the window, one test each
(offscreen, tasks on threads, a fake player)."""

from __future__ import annotations

from pathlib import Path

from tests.gui.conftest import drop_files


def _current(window, path):
    """``path`` as the current document, not loaded (enough for dialogs and labels)."""
    from gui.document import Document

    doc = Document(str(path), window.session)
    window.session.documents.append(doc)
    window.session.set_current(doc)
    return doc


def test_export_dialog_starts_in_the_export_folder_with_its_filter(window, settings,
                                                                   tmp_path, short_track):
    settings.output_dir = str(tmp_path / "not yet" / "exports")
    _current(window, short_track)
    asked = []
    window.ask_save_path = lambda title, suggested, pattern: asked.append(
        (suggested, pattern)) or ""
    window.export_dialog("json")
    window.export_dialog("audacity")
    (json_path, json_filter), (aud_path, aud_filter) = asked
    assert Path(json_path) == tmp_path / "not yet" / "exports" / "short track.json"
    assert Path(json_path).parent.is_dir()  # the dialog can open there
    assert json_filter.startswith("Analysis JSON (*.json)")
    assert aud_filter.startswith("Audacity labels (*.audacity.txt)")
    assert Path(aud_path).name == "short track.audacity.txt"


def test_alt_then_a_letter_opens_its_menu(qtbot, window):
    """Alt alone gives the menu bar the keyboard; F then opens File (it used to zoom:
    F is also the window's zoom-to-fit shortcut).  Alt+F opens it too."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    window.setFocus()
    zoomed = []
    fit = next(a for a in window.menuBar().actions()[2].menu().actions()
               if a.text() == "Zoom to &fit")
    fit.triggered.connect(lambda: zoomed.append(True))
    qtbot.keyPress(window, Qt.Key.Key_Alt, Qt.KeyboardModifier.AltModifier)
    qtbot.keyRelease(window, Qt.Key.Key_Alt, Qt.KeyboardModifier.NoModifier)
    bar = window.menuBar()
    assert QApplication.focusWidget() is bar
    qtbot.keyClick(bar, Qt.Key.Key_F)
    popup = QApplication.activePopupWidget()
    assert popup is not None and popup.title() == "&File" and not zoomed
    popup.close()
    qtbot.keyClick(window, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    popup = QApplication.activePopupWidget()
    assert popup is not None and popup.title() == "&View"
    popup.close()
