"""The main window end to end (offscreen, tasks on threads, a fake player)."""

from __future__ import annotations


import pytest
from PySide6.QtCore import Qt

from tests.gui.conftest import drop_files, wait_idle


def _analysed(qtbot, window, path):
    drop_files(window.timeline, [path])  # a child: the drop travels up to the window
    qtbot.waitUntil(lambda: window.session.current is not None
                    and window.session.current.status == "analysed", timeout=60000)
    return window.session.current


def test_drop_file_analyses_and_shows_segments(qtbot, window, short_track, settings):
    doc = _analysed(qtbot, window, short_track)
    assert doc.path == str(short_track)
    assert window.timeline.segment_count() == len(doc.analysis.segments) >= 1
    # The shipped model labels the windows: a lane per target instead of the hint lane.
    assert doc.analysis.windows.labels and doc.analysis.versions.model
    assert window.timeline.plots["genre"].isVisible()
    assert not window.timeline.plots["descriptors"].isVisible()
    assert "analysed" in window.banner.text
    assert settings.recent_files == [str(short_track)]
    assert window.transport.play_button.isEnabled()
    text = window.timeline.describe(11.0)
    assert "window" in text and "BPM" in text


def test_bad_files_keep_failed_rows_and_a_message_history(qtbot, window, short_track,
                                                          shared_data):
    """Issue 14, bug 4: of a batch of damaged files, every failure keeps its row (with
    its reason) and its message (View -> Messages), whatever track is current."""
    good = _analysed(qtbot, window, short_track)
    messages = []
    window.session.message_posted.connect(lambda level, text: messages.append((level, text)))
    bad = shared_data / "bad"
    drop_files(window, [bad])  # a folder: every file in it is queued
    wait_idle(qtbot, window.session, timeout=80000)
    names = sorted(p.name for p in bad.iterdir() if p.is_file())
    docs = {d.name: d for d in window.session.documents}
    assert sorted(docs) == sorted([*names, good.name])  # a row per file, failed or not
    failed = [name for name in names if docs[name].status == "failed"]
    assert len(failed) >= 2
    log = window.message_log
    for name in names:
        assert any(name in t for _, t in messages), f"no message about {name}"
        assert docs[name].status in ("analysed", "failed")
    rows = {name: window.session.documents.index(docs[name]) for name in failed}
    for name in failed:
        reason = docs[name].error
        assert reason and name not in reason  # the reason itself, not just the name
        item = window.track_list.item(rows[name])
        assert "failed" in item.text() and reason in item.text()
        assert reason in item.toolTip() and str(bad) in item.toolTip()
        logged = [m for m in log.errors() if m.file == name]
        assert logged and reason in logged[0].text
    assert len(log.errors()) >= len(failed)
    assert "earlier error" in window.banner.text  # the banner says it is not alone
    # still usable: select the good track again, its lanes come back; the history stays
    before = len(log.messages)
    window.session.set_current(good)
    window.session.set_current(docs[failed[0]])
    assert "Could not open this file" in window.timeline._empty.text()
    window.session.set_current(good)
    assert window.timeline.segment_count() == len(good.analysis.segments)
    assert len(log.messages) == before and log.row_texts(0)[2] == short_track.name
    assert not window.messages_dock.isVisible()
    window.messages_action.trigger()  # View -> Messages
    assert window.messages_dock.isVisible() and log.rowCount() == len(log.messages)
    time_text, level, file, text = log.row_texts(log.messages.index(logged[0]))
    assert (level, file) == ("error", failed[-1]) and time_text.count(":") == 2
    assert window.isVisible()


def test_render_button_adds_b_lane_and_b_key_switches(qtbot, window, short_track,
                                                      fake_player):
    doc = _analysed(qtbot, window, short_track)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_B)  # no render yet: a hint, no A/B switch
    assert "No render yet" in window.banner.text and "toggle_ab" not in fake_player.names()
    assert not window.timeline.has_b_lane()
    stages = []
    doc.progress_changed.connect(lambda f, s: stages.append(s))
    qtbot.mouseClick(window.job_bar.render_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: doc.status == "analysed" and doc.render is not None, timeout=60000)
    assert window.timeline.has_b_lane()
    assert any("region" in s for s in stages)  # the render engine names its regions
    assert any("analysing the render" in s for s in stages)
    assert window.transport.mode_buttons["B"].isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert "toggle_ab" in fake_player.names() and fake_player.mode == "B"
    qtbot.keyClick(window, Qt.Key.Key_Space)  # play: the player gets A and B, prepared
    qtbot.waitUntil(lambda: fake_player.state == "playing", timeout=10000)
    assert fake_player.b is not None and fake_player.prepared[-1]


def test_playback_after_a_second_render(qtbot, window, short_track, fake_player):
    """Issue 14: Render, play B, keep variant 1, Render again, Space: the new B plays."""
    doc = _analysed(qtbot, window, short_track)
    window.activateWindow()
    qtbot.mouseClick(window.job_bar.render_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: doc.status == "analysed" and doc.render is not None, timeout=60000)
    qtbot.keyClick(window, Qt.Key.Key_B)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: fake_player.state == "playing", timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    first = doc.render
    qtbot.mouseClick(window.job_bar.render_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: doc.status == "analysed" and doc.render is not first,
                    timeout=60000)
    assert doc.render_index == 0  # variant 1 again
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: fake_player.state == "playing", timeout=10000)
    assert window.transport.play_button.text() == "Pause" and fake_player.mode == "B"
    assert window.banner.level != "error"


def test_a_playback_failure_shows_in_the_window(qtbot, window, short_track, fake_player):
    _analysed(qtbot, window, short_track)

    def broken():
        raise RuntimeError("the output stream died")

    fake_player.play = broken
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "the output stream died" in window.banner.text, timeout=10000)
    assert window.banner.level == "error"
    assert "the output stream died" in window.statusBar().currentMessage()
    assert window.transport.play_button.text() == "Play"


def test_render_can_be_cancelled(qtbot, window, short_track):
    doc = _analysed(qtbot, window, short_track)
    window.session.render()
    with qtbot.waitSignal(window.session.message_posted, timeout=30000):
        qtbot.mouseClick(window.job_bar.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: doc.status == "analysed", timeout=30000)
    assert doc.render is None and "cancelled" in window.banner.text


def test_playhead_follows_player_position_through_the_clock(qtbot, window, short_track,
                                                            fake_player):
    _analysed(qtbot, window, short_track)
    fake_player.pos = 12.25
    qtbot.waitUntil(lambda: window.timeline.playhead == 12.25, timeout=1000)
    assert "0:12.2" in window.transport.position_label.text()
    fake_player.pos = 3.5
    qtbot.waitUntil(lambda: window.timeline.playhead == 3.5, timeout=1000)


def test_keyboard_shortcuts_drive_the_player(qtbot, window, short_track, fake_player):
    doc = _analysed(qtbot, window, short_track)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: fake_player.state == "playing", timeout=10000)
    assert fake_player.names()[-2:] == ["set_sources", "play"]
    fake_player.pos = 10.0
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert fake_player.calls[-1] == ("seek", 15.0)
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert fake_player.calls[-1] == ("seek", 10.0)
    qtbot.keyClick(window, Qt.Key.Key_L)  # nothing selected: a hint, no loop
    assert fake_player.loop is None and "select" in window.banner.text
    doc.select_segment(0)
    qtbot.keyClick(window, Qt.Key.Key_L)
    seg = doc.analysis.segments[0]
    assert fake_player.calls[-1] == ("set_loop", (seg.start, seg.end))
    qtbot.keyClick(window, Qt.Key.Key_L)
    assert fake_player.calls[-1] == ("set_loop", None)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert fake_player.calls[-1] == ("pause",)


def test_clicking_a_segment_selects_it(qtbot, window, short_track):
    doc = _analysed(qtbot, window, short_track)
    seg = doc.analysis.segments[-1]
    with qtbot.waitSignal(window.timeline.segment_selected) as blocker:
        t = (seg.start + seg.end) / 2
        window.timeline.segment_selected.emit(window.timeline.segment_at(t))
    assert blocker.args == [len(doc.analysis.segments) - 1]
    vb = window.timeline.plots["A"].getViewBox()
    view = window.timeline._glw
    scene_pt = vb.mapViewToScene(vb.mapToView(vb.boundingRect().center()))
    scene_pt.setX(vb.mapViewToScene(
        vb.mapToView(vb.boundingRect().center()).__class__(t, 0.0)).x())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.mapFromScene(scene_pt))
    qtbot.waitUntil(lambda: doc.selected_segment == len(doc.analysis.segments) - 1,
                    timeout=2000)


def test_no_audio_device_disables_transport_with_reason(qtbot, silent_window, short_track):
    w = silent_window
    assert "no usable audio output device" in w.transport.status_label.text()
    assert not w.transport.play_button.isEnabled()
    _analysed(qtbot, w, short_track)
    assert not w.transport.play_button.isEnabled()  # still disabled once a track is open
    w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_Space)  # shortcuts are disabled too: nothing happens
    assert w.isVisible()
    w.transport.play_pause()  # a direct call explains instead of failing
    assert "no usable audio output device" in w.banner.text


@pytest.mark.parametrize("kind", ["json", "jams", "csv", "audacity", "svcsv"])
def test_analysis_exports(qtbot, window, short_track, tmp_path, kind):
    _analysed(qtbot, window, short_track)
    target = tmp_path / f"out.{kind}"
    window.ask_save_path = lambda title, suggested, pattern: str(target)
    with qtbot.waitSignal(window.session.exports.finished, timeout=10000):
        window.files.export_dialog(kind)
    assert target.stat().st_size > 0


def test_timeline_png_export(qtbot, window, short_track, tmp_path):
    _analysed(qtbot, window, short_track)
    target = tmp_path / "timeline.png"
    window.ask_save_path = lambda title, suggested, pattern: str(target)
    window.files.export_dialog("png")
    assert target.read_bytes()[:4] == b"\x89PNG"


def test_export_before_analysis_says_why(qtbot, window, tmp_path):
    window.ask_save_path = lambda *a: str(tmp_path / "x.json")
    window.files.export_dialog("json")
    assert "Open and analyse" in window.banner.text


def test_settings_persist(settings, tmp_path):
    from PySide6.QtCore import QSettings

    from gui.settings import AppSettings

    assert (settings.model, settings.vocal_suppression) == ("default", "auto")
    settings.variants = 3
    settings.output_dir = str(tmp_path)
    settings.device = "pulse"
    settings.model = "/models/mine.skops"
    settings.vocal_suppression = True
    settings.add_recent("/music/a.wav")
    settings.sync()
    again = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert (again.variants, again.output_dir, again.device) == (3, str(tmp_path), "pulse")
    assert (again.model, again.vocal_suppression) == ("/models/mine.skops", True)
    assert again.recent_files == ["/music/a.wav"]


def test_descriptor_lanes_appear_when_windows_are_labelled(qtbot, window, short_track):
    from core.record import TARGETS

    doc = _analysed(qtbot, window, short_track)
    n = len(doc.analysis.windows)
    values = {"genre": "pop", "subgenre": "indie", "mood": "hopeful", "sentiment": "positive",
              "valence": "2", "momentum": "3"}
    labels = {t: tuple(values[t] if i % 3 else "UNK" for i in range(n)) for t in TARGETS}
    probs = {t: tuple(0.5 + 0.4 * (i % 2) for i in range(n)) for t in TARGETS}
    doc.set_analysis(doc.analysis.with_labels(labels, probs, model="test-model"))
    plots = window.timeline.plots
    assert all(plots[t].isVisible() for t in TARGETS)
    assert not plots["descriptors"].isVisible()
    assert "genre pop (0.90)" in window.timeline.describe(doc.analysis.windows.start[1] + 5.5)


def test_settle_heap_exempts_startup_objects_from_collections():
    import gc

    from gui.app import settle_heap

    try:
        settle_heap()
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()


def test_preferences_choose_the_model_and_vocal_suppression(qtbot, settings):
    from gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings, devices=[])
    qtbot.addWidget(dialog)
    assert dialog.model.currentData() == "default"
    assert dialog.vocal_suppression.currentData() == "auto"  # the default
    dialog.set_model_file("/models/mine.skops")
    dialog.vocal_suppression.setCurrentIndex(dialog.vocal_suppression.findData("always"))
    dialog.apply()
    assert settings.model == "/models/mine.skops" and settings.vocal_suppression is True
    again = SettingsDialog(settings, devices=[])
    qtbot.addWidget(again)
    assert again.model.currentData() == "/models/mine.skops"
    assert again.vocal_suppression.currentText() == "Always"
    again.vocal_suppression.setCurrentIndex(again.vocal_suppression.findData("never"))
    again.model.setCurrentIndex(again.model.findData("none"))
    again.apply()
    assert settings.model == "none" and settings.vocal_suppression is False


def test_without_a_model_the_descriptor_lanes_are_a_hint(qtbot, window, short_track, settings):
    settings.model = "none"
    doc = _analysed(qtbot, window, short_track)
    assert doc.analysis.windows.labels == {}
    assert window.timeline.plots["descriptors"].isVisible()
    assert not window.timeline.plots["genre"].isVisible()
