"""Project files in a real offscreen window: save a workspace with an analysed and
rendered real recording, reopen it in a new window without analysing again; the
unsaved-renders question (Cancel keeps them); File-menu shortcuts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from core.errors import TwintrackError
from tests.gui.conftest import FakePlayer, _window, wait_idle

pytestmark = pytest.mark.slow


@pytest.fixture
def clip(tmp_path, shared_data):
    """The first 20 s of a real recording, as a WAV of its own."""
    import soundfile as sf

    y, sr = sf.read(shared_data / "audio" / "kevin_macleod-vibe_ace.ogg", frames=20 * 44100,
                    dtype="float32")
    path = tmp_path / "music" / "vibe clip.wav"
    path.parent.mkdir()
    sf.write(path, y, sr)
    return path


@pytest.fixture
def rendered(qtbot, window, clip):
    """The window with the clip analysed and rendered once."""
    window.open_paths([str(clip)])
    wait_idle(qtbot, window.session, timeout=180000)
    doc = window.session.current
    assert doc is not None and doc.analysis is not None
    window.render_action.trigger()
    wait_idle(qtbot, window.session, timeout=300000)
    assert len(doc.renders) == 1 and doc.renders[0].seconds > 0
    return window


def _answer(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    """Once the question is up, note its text and press ``button``."""
    def press():
        boxes = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.isVisible()]
        if not boxes:
            QTimer.singleShot(20, press)
            return
        seen.append(boxes[0].text())
        boxes[0].button(button).click()

    QTimer.singleShot(0, press)


def test_reopened_project_restores_track_analysis_renders_and_view(
        qtbot, rendered, settings, tmp_path, monkeypatch):
    window, doc = rendered, rendered.session.current
    assert window.isWindowModified()
    doc.select_segment(0)
    window.timeline.set_x_range(2.0, 9.0)
    window.transport.set_mode("B")
    window.lane_menus.set_lane_visible("voice", False)
    window.ask_save_path = lambda *args: str(tmp_path / "projects" / "evening")
    window.project.save_action.trigger()
    saved = tmp_path / "projects" / "evening.twintrack"
    assert saved.is_file()
    # shown again after saving: the preference says shown, the project says hidden
    window.lane_menus.set_lane_visible("voice", True)
    assert not window.isWindowModified()
    assert window.windowTitle() == "vibe clip.wav - evening[*] - Twintrack"
    render_file = tmp_path / "projects" / "evening renders" / "vibe clip.render-1.flac"
    assert render_file.is_file()
    assert window.project.unsaved_renders(doc) is False

    analysed = []

    def no_analysis(*args, **kwargs):
        analysed.append(args)
        raise TwintrackError("analysed again")

    monkeypatch.setattr("gui.session.analyze_then_tag", no_analysis)
    player = FakePlayer()
    again = _window(qtbot, settings, lambda device: (player, "output: fake"))
    try:
        assert again.project.open(str(saved))
        wait_idle(qtbot, again.session, timeout=120000)
        qtbot.waitUntil(lambda: not again.session.restoring, timeout=60000)
        back = again.session.current
        assert analysed == []
        assert back.path == doc.path and back.status == "analysed"
        assert back.analysis == doc.analysis
        assert len(back.renders) == 1 and back.render.source == str(render_file)
        assert back.render.analysis == doc.render.analysis
        assert back.render.render.timeline == doc.render.render.timeline
        assert back.selected_segment == 0
        assert again.timeline.x_range() == pytest.approx((2.0, 9.0), abs=1e-6)
        assert "voice" in again.timeline.grid.hidden
        assert not again.lane_menus.actions["voice"].isChecked()
        assert player.mode == "B"
        again.transport.play_pause()  # the render plays, as B
        qtbot.waitUntil(lambda: player.state == "playing", timeout=30000)
        assert len(player.b) == pytest.approx(len(doc.render.render.audio), abs=1)
        assert not again.isWindowModified()
        assert again.windowTitle() == "vibe clip.wav - evening[*] - Twintrack"
        assert again.project.confirm_discard()  # nothing only in memory: no question
    finally:
        again.session.shutdown()

    asked = []
    window.project.ask_unsaved = lambda text: asked.append(text) or \
        QMessageBox.StandardButton.Cancel
    window.render_action.trigger()  # the renders it replaces are saved: no question
    wait_idle(qtbot, window.session, timeout=300000)
    assert asked == [] and window.isWindowModified()
    assert window.project.unsaved_renders(doc)  # the new ones are not
    assert window.project.confirm_discard() is False and len(asked) == 1


def test_unsaved_renders_are_asked_about_and_cancel_keeps_them(qtbot, rendered):
    window, doc = rendered, rendered.session.current
    del window.project.ask_unsaved  # the real modal question
    renders = doc.renders
    seen: list[str] = []
    _answer(QMessageBox.StandardButton.Cancel, seen)
    window._on_close_track_triggered()
    assert seen == ["The renders of vibe clip.wav are not saved.  Save them in the project "
                    "first?"]
    assert window.session.documents == [doc] and doc.renders is renders

    _answer(QMessageBox.StandardButton.Cancel, seen)
    window.render_action.trigger()  # rendering again would replace them
    assert len(seen) == 2 and doc.status == "analysed" and doc.renders is renders

    _answer(QMessageBox.StandardButton.Cancel, seen)
    assert window.close() is False  # quitting is refused
    assert len(seen) == 3 and window.isVisible()

    _answer(QMessageBox.StandardButton.Discard, seen)
    window._on_close_track_triggered()
    assert len(seen) == 4 and window.session.documents == []


def test_closing_on_a_signal_does_not_ask(qtbot, rendered):
    window, asked = rendered, []
    window.project.ask_unsaved = lambda text: asked.append(text) or \
        QMessageBox.StandardButton.Cancel
    assert window.project.unsaved_renders(window.session.current)
    window.ask_before_closing = False  # as gui.app.close_on_signals does: nobody to answer
    assert window.close() is True and not window.isVisible()
    assert asked == []
