"""Help > Keyboard Shortcuts (read from the window's actions) and Help > User Guide (the
Markdown guide shipped in resources/help) in a real offscreen window."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from gui.help import GuideDialog, ShortcutsDialog


def _help_action(window, text: str):
    (menu,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&Help"]
    (action,) = [a for a in menu.actions() if a.text() == text]
    return action


def _keys(text: str) -> str:
    return QKeySequence(text).toString(QKeySequence.SequenceFormat.NativeText)


def test_the_shortcuts_sheet_lists_the_window_s_actions(qtbot, window):
    _help_action(window, "&Keyboard Shortcuts").trigger()
    sheet = window.findChild(ShortcutsDialog)
    assert sheet is not None and sheet.isVisible()
    rows = sheet.rows()
    assert ("Playback", "Play / Pause", _keys("Space")) in rows
    assert ("File", "Save Project", _keys("Ctrl+S")) in rows
    assert ("File", "Save Project As", _keys("Ctrl+Shift+S")) in rows
    assert ("File", "Open Project", _keys("Ctrl+Shift+O")) in rows
    assert ("File", "Open", _keys("Ctrl+O")) in rows
    assert ("Track", "Render", "R") in rows
    assert ("View", "Messages", _keys("Ctrl+M")) in rows
    shortcuts = [keys for _where, _what, keys in rows]
    assert len(shortcuts) == len(set(shortcuts)), "two actions share a shortcut"


def test_the_sheet_follows_actions_added_later(qtbot, window):
    _help_action(window, "&Keyboard Shortcuts").trigger()
    sheet = window.findChild(ShortcutsDialog)
    sheet.reject()
    (view,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&View"]
    view.addAction("Zoom &in").setShortcut(QKeySequence("Ctrl+="))
    _help_action(window, "&Keyboard Shortcuts").trigger()
    assert window.findChild(ShortcutsDialog) is sheet  # reused, read again
    assert ("View", "Zoom in", _keys("Ctrl+=")) in sheet.rows()


def test_the_user_guide_is_rendered_from_markdown(qtbot, window):
    _help_action(window, "&User Guide").trigger()
    guide = window.findChild(GuideDialog)
    assert guide is not None and guide.isVisible()
    text = guide.browser.toPlainText()
    assert text.startswith("Twintrack user guide")  # a heading, not "# ..."
    assert "Save Project (Ctrl+S)" in text and "**" not in text
    assert guide.browser.document().toMarkdown().count("#") >= 6
