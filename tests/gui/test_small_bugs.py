"""Issue 14, bug 6: the small things a new user trips over in the window, one test each
(offscreen, tasks on threads, a fake player)."""

from __future__ import annotations

from pathlib import Path


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
    window.files.export_dialog("json")
    window.files.export_dialog("audacity")
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
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    fit = next(a for a in view.actions() if a.text() == "Zoom to &fit")
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


def _hover(qtbot, window, seconds: float) -> str:
    """Move the pointer over the A lane at ``seconds``; the hover read-out after."""
    from PySide6.QtCore import QPoint, QPointF

    view = window.timeline
    vb = view.plots["A"].getViewBox()
    scene = vb.mapViewToScene(QPointF(seconds, 0.0))
    pos = view._glw.mapFromScene(scene)  # noqa: SLF001
    viewport = view._glw.viewport()  # noqa: SLF001
    qtbot.mouseMove(viewport, pos + QPoint(4, 4))  # a move even if the pointer was there
    qtbot.mouseMove(viewport, pos)
    return view._info.text()  # noqa: SLF001


def _analysed_doc(window, name="synthetic.wav", **options):
    from gui.document import Document
    from tests.gui.test_timeline import synthetic_analysis

    doc = Document(name, window.session)
    doc.set_analysis(synthetic_analysis(**options))
    window.session.documents.append(doc)
    window.session.set_current(doc)
    window.timeline.finish_drawing()
    return doc


def test_hover_read_out_is_cleared_when_the_track_changes_or_closes(qtbot, window):
    first = _analysed_doc(window)
    qtbot.waitExposed(window)
    assert "segment B" in _hover(qtbot, window, 50.0)
    _analysed_doc(window, "second.wav", labelled=False)
    assert "segment" not in window.timeline._info.text()  # noqa: SLF001
    window.session.set_current(first)
    assert "segment B" in _hover(qtbot, window, 50.0)
    window.session.close_document(first)
    assert "segment" not in window.timeline._info.text()  # noqa: SLF001


def test_hover_read_out_shows_every_descriptor(qtbot, window):
    """At the window's default size the read-out fits: valence and momentum included."""
    _analysed_doc(window)
    qtbot.waitExposed(window)
    text = _hover(qtbot, window, 50.0)
    assert "valence" in text and "momentum" in text
    info = window.timeline._info  # noqa: SLF001
    metrics, width = info.fontMetrics(), info.contentsRect().width()
    lines = text.splitlines()
    assert all(metrics.horizontalAdvance(line) <= width for line in lines)
    assert len(lines) * metrics.lineSpacing() <= info.contentsRect().height()


def test_descriptor_hint_waits_for_the_analysis(qtbot, window, short_track, settings):
    """While a track loads with the default model set, the hint lane does not claim
    there is no descriptor model; it does when the analysis was made without one."""
    from core.app.tracks import load_track
    from gui.document import Document

    assert settings.model == "default"
    doc = Document(str(short_track), window.session)
    doc.set_loaded(load_track(short_track))
    window.session.documents.append(doc)
    window.session.set_current(doc)
    hint = window.timeline._model_hint.hint  # noqa: SLF001
    assert window.timeline.plots["descriptors"].isVisible()
    assert "no descriptor model" not in hint.toPlainText()
    from gui.lanes.descriptors import HINTS
    from tests.gui.test_timeline import synthetic_analysis

    assert hint.toPlainText() == HINTS["pending"]

    doc.set_analysis(synthetic_analysis(labelled=False))
    assert hint.toPlainText() == HINTS["no model"]


def test_a_banner_floats_over_the_timeline_without_moving_it(qtbot, window):
    from PySide6.QtWidgets import QApplication

    _analysed_doc(window)
    qtbot.waitExposed(window)
    view = window.timeline
    before = (view.geometry(), view._glw.geometry())  # noqa: SLF001
    a_plot = view._glw.mapToGlobal(view._glw.rect().topLeft())  # noqa: SLF001
    window.show_message("error", "Could not open x.wav: " + "a long reason " * 30)
    QApplication.processEvents()
    banner = window.banner
    assert banner.isVisible() and "long reason" in banner.text
    assert (view.geometry(), view._glw.geometry()) == before  # noqa: SLF001
    assert view._glw.mapToGlobal(view._glw.rect().topLeft()) == a_plot  # noqa: SLF001
    top = banner.mapTo(window, banner.rect().topLeft())
    assert top == view.mapTo(window, view.rect().topLeft()) and banner.width() == view.width()
    assert banner.height() >= banner.label.heightForWidth(banner.label.width())
    window.resize(window.width() - 300, window.height())
    QApplication.processEvents()
    assert banner.width() == view.width()


def _lightness(button) -> float:
    """Mean lightness (0-255) of the button's face, as drawn."""
    from PySide6.QtGui import QColor

    img = button.grab().toImage()
    return sum(QColor(img.pixel(x, y)).lightness()
               for x in range(3, img.width() - 3, 2)
               for y in range(3, img.height() - 3, 2)) / len(range(3, img.width() - 3, 2)) \
        / len(range(3, img.height() - 3, 2))


def test_on_and_off_states_of_a_b_and_loop_are_told_apart(window):
    """Each of A, B, A+B and Loop, switched on, is far darker than off (it was a shade:
    about 25 of 255 in lightness)."""
    t = window.transport
    modes = t.mode_buttons
    for button in [*modes.values(), t.loop_button]:
        button.setEnabled(True)
    for mode, button in [*modes.items(), ("loop", t.loop_button)]:
        if mode == "loop":
            button.setChecked(False)
        else:  # exclusive: another mode on turns this one off
            modes["B" if mode == "A" else "A"].setChecked(True)
        assert not button.isChecked()
        off = _lightness(button)
        button.setChecked(True)
        on = _lightness(button)
        assert off - on > 90, (button.text(), off, on)
