"""Real-music tags in the window: the timeline first, the instrument and voice lanes
filling in after; cancel and failure of the tag step keep the analysis; the vocal
suppression preference reaches the engine (real offscreen windows, real audio)."""

from __future__ import annotations

import collections
import threading

import pytest

from tests.gui.conftest import wait_idle


def _open(qtbot, window, path):
    window.open_paths([str(path)])
    qtbot.waitUntil(lambda: window.session.current is not None, timeout=60000)
    return window.session.current


def test_tag_lanes_fill_in_after_the_timeline(qtbot, window, demo_track, settings):
    settings.vocal_suppression_mode = "never"  # not what this test is about: the fast path
    doc = _open(qtbot, window, demo_track)
    seen = {}

    def on_status(status):
        if status == "tagging":  # the analysis is shown, the tags are still coming
            seen["tags"] = dict(doc.analysis.windows.tags)
            seen["segments"] = window.timeline.segment_count()
            seen["hint"] = (window.timeline._instruments.text, window.timeline._voice.text)
            seen["genres"] = collections.Counter(doc.analysis.windows.labels["genre"])

    doc.status_changed.connect(on_status)
    wait_idle(qtbot, window.session, timeout=180000)
    assert doc.status == "analysed"
    assert seen["tags"] == {} and seen["segments"] > 0
    assert seen["hint"] == ("computing real-music tags...",) * 2
    assert set(doc.analysis.windows.tags) == {"msd", "mtt"}

    tl = window.timeline
    tl.finish_drawing()
    # the tags joined the genre (the render-trained hierarchy alone hears something
    # else in the bluegrass demo): the genre lane and the segment table follow
    assert seen["genres"].most_common(1)[0][0] != "folk", seen["genres"]
    drawn = collections.Counter(t[0] for t in tl._labels["genre"].names._texts)
    assert drawn.most_common(1)[0][0] == "folk", drawn
    table = window.segment_table
    descriptors = [table.row_texts(r)[5] for r in range(table.rowCount())]
    assert sum(d.startswith("folk") for d in descriptors) > len(descriptors) / 2, descriptors
    names = [r.name for r in tl._instruments.rows]
    assert "guitar" in names and tl._instruments.text == ""
    ticks = [t for _, t in tl.plots["instruments"].getAxis("left")._tickLevels[0]]
    assert ticks == names  # each row named on the axis
    assert tl.plots["instruments"].height() >= 13 * len(names)
    assert tl._voice.values.max() > 0.8 and tl._voice.names.shown()  # "voice" runs
    t = doc.analysis.windows.start[10] + 5.0
    tag_line = tl.describe(t).splitlines()[-1]
    assert tag_line.startswith("tags: ") and tag_line.count("%") >= 4, tag_line
    assert "voice " in tag_line and "instruments: " in tag_line


@pytest.fixture
def slow_tags(monkeypatch):
    """The tag step waits for a cancel (or fails when told to) instead of tagging."""
    from core.analysis import tags
    from core.analysis.tags import TaggerError
    from core.errors import Cancelled

    state = {"fail": False, "started": threading.Event()}

    def tag_patches(y, sr, *, cancelled=None, **options):
        state["started"].set()
        if state["fail"]:
            raise TaggerError("musicnn-mtt.onnx: not a readable ONNX tagger")
        while not cancelled():
            state["started"].wait(0.01)
        raise Cancelled("cancelled")

    monkeypatch.setattr(tags, "tag_patches", tag_patches)
    return state


def test_cancelling_the_tags_keeps_the_analysis(qtbot, window, short_track, slow_tags):
    doc = _open(qtbot, window, short_track)
    qtbot.waitUntil(lambda: doc.status == "tagging", timeout=60000)
    assert window.job_bar.cancel_button.isEnabled()
    assert window.job_bar.stage.text().startswith("tagging")
    analysis = doc.analysis
    window.job_bar.cancel_button.click()
    qtbot.waitUntil(lambda: doc.status == "analysed", timeout=60000)
    assert doc.analysis is analysis and doc.analysis.windows.tags == {}
    assert "tags cancelled" in window.banner.text
    assert "cancelled" in window.timeline._instruments.text
    assert window.timeline.segment_count() == len(analysis.segments)


def test_a_failed_tag_step_is_shown_and_keeps_the_analysis(qtbot, window, short_track,
                                                           slow_tags):
    slow_tags["fail"] = True
    doc = _open(qtbot, window, short_track)
    wait_idle(qtbot, window.session)
    assert doc.status == "analysed" and doc.analysis is not None
    assert doc.analysis.windows.tags == {} and doc.analysis.segments
    assert "Real-music tags failed" in window.banner.text
    assert "not a readable ONNX tagger" in window.timeline._voice.text
    assert window.job_bar.render_button.isEnabled()


def test_vocal_suppression_preference_reaches_the_engine(qtbot, window, short_track,
                                                         settings, monkeypatch):
    import gui.session
    from core.app.tagging import analyze_then_tag

    asked = []

    def spy(path, **kwargs):
        asked.append(kwargs["vocal_suppression"])
        return analyze_then_tag(path, **dict(kwargs, vocal_suppression=False))

    monkeypatch.setattr(gui.session, "analyze_then_tag", spy)
    doc = _open(qtbot, window, short_track)
    wait_idle(qtbot, window.session)
    for mode in ("always", "never"):
        settings.vocal_suppression_mode = mode
        window.session.analyse(doc)
        wait_idle(qtbot, window.session)
    assert asked == ["auto", True, False]


def test_old_stored_booleans_read_as_always_or_never(tmp_path):
    from PySide6.QtCore import QSettings

    from gui.settings import AppSettings

    store = QSettings(str(tmp_path / "old.ini"), QSettings.Format.IniFormat)
    s = AppSettings(store)
    assert (s.vocal_suppression_mode, s.vocal_suppression) == ("auto", "auto")
    for stored, mode, engine in (("true", "always", True), ("false", "never", False),
                                 ("sometimes", "auto", "auto")):
        store.setValue("analysis/vocal_suppression", stored)
        assert (s.vocal_suppression_mode, s.vocal_suppression) == (mode, engine)
    with pytest.raises(ValueError, match="always, never, auto"):
        s.vocal_suppression_mode = "often"
    assert s.vocal_suppression_mode == "auto"  # unchanged


def _scene_click(qtbot, timeline, name, button):
    """Click the middle of lane ``name`` with ``button`` (a real mouse event)."""
    glw = timeline._glw
    centre = timeline.plots[name].sceneBoundingRect().center()
    qtbot.mouseClick(glw.viewport(), button, pos=glw.mapFromScene(centre))


def test_lanes_hide_from_the_view_menu_and_a_right_click_and_stay_hidden(
        qtbot, window, short_track, settings, fake_player):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from tests.gui.conftest import _window

    doc = _open(qtbot, window, short_track)
    wait_idle(qtbot, window.session)
    tl, plots = window.timeline, window.timeline.plots
    tl.finish_drawing()

    def settle():
        QApplication.processEvents()
        tl._glw.ci.layout.activate()

    settle()
    assert "Voice activity" in plots["voice"].toolTip()  # the lanes' legends
    assert "a row per instrument" in plots["instruments"].toolTip()
    a_height = plots["A"].height()
    window.lane_menus.actions["tempo"].trigger()  # View -> Lanes -> tempo, unchecked
    settle()
    assert not plots["tempo"].isVisible() and settings.hidden_lanes == ["tempo"]
    assert plots["A"].height() > a_height  # the freed room goes to the other lanes

    _scene_click(qtbot, tl, "voice", Qt.MouseButton.RightButton)
    menu = window.lane_menus.context_menu
    assert menu is not None and menu.actions()[0].text() == "Hide the voice lane"
    menu.actions()[0].trigger()
    window.lane_menus.actions["key"].setChecked(False)
    settle()
    assert not plots["voice"].isVisible() and not plots["key"].isVisible()
    assert not window.lane_menus.actions["voice"].isChecked()
    assert plots["chords"].getAxis("bottom").isVisible()  # the last row shown
    assert settings.hidden_lanes == ["key", "tempo", "voice"]
    assert doc.selected_segment == -1  # a right click selects nothing

    again = _window(qtbot, settings, lambda device: (fake_player, "fake"))
    try:
        assert again.timeline.grid.hidden == {"key", "tempo", "voice"}
        assert not again.lane_menus.actions["tempo"].isChecked()
        again.lane_menus.show_all()
        assert settings.hidden_lanes == [] and again.timeline.grid.hidden == set()
    finally:
        again.session.shutdown()


def test_segment_table_shows_the_top_tags_of_each_segment(qtbot, window, demo_track,
                                                          settings):
    from core.analysis.reduce import segment_windows

    settings.vocal_suppression_mode = "never"
    doc = _open(qtbot, window, demo_track)
    table = window.segment_table
    window.segments_action.trigger()  # View -> Segment table
    assert window.segments_dock.isVisible()
    pending = []
    doc.status_changed.connect(
        lambda status: status == "tagging" and pending.append(table.row_texts(0)[-1]))
    wait_idle(qtbot, window.session, timeout=180000)
    assert pending == ["computing..."]
    a = doc.analysis
    assert table.rowCount() == len(a.segments) > 0
    msd = a.windows.tags["msd"]
    for row, idx in enumerate(segment_windows(a)):
        texts = table.row_texts(row)
        assert texts[0] == a.segments[row].label
        top = msd.top(idx, 3)
        assert texts[-1] == ", ".join(f"{n} {100 * p:.0f}%" for n, p in top)
    table.cellClicked.emit(1, 0)  # a clicked row selects the segment, and back
    assert doc.selected_segment == 1
    doc.select_segment(2)
    assert [i.row() for i in table.selectionModel().selectedRows()] == [2]


def test_lanes_move_and_resize_and_stay_so(qtbot, window, short_track, settings,
                                           fake_player):
    from PySide6.QtWidgets import QApplication

    from tests.gui.conftest import _window

    _open(qtbot, window, short_track)
    wait_idle(qtbot, window.session)
    tl, menus = window.timeline, window.lane_menus

    def settle():
        QApplication.processEvents()
        tl._glw.ci.layout.activate()

    def menu_action(lane, text):
        return next(a for a in menus.lane_menu(lane).actions() if a.text() == text)

    shipped = tl.grid.order()
    assert shipped.index("voice") > shipped.index("instruments")
    menu_action("voice", "Move up").trigger()
    settle()
    order = tl.grid.order()
    assert order.index("voice") == order.index("instruments") - 1
    assert tl.plots["voice"].y() < tl.plots["instruments"].y()  # drawn above it now
    menu_action("tempo", "Move down").trigger()  # past the chords,
    menu_action("tempo", "Move down").trigger()  # then past key: key is no longer last
    settle()
    shown = [n for n in tl.grid.order() if tl.plots[n].isVisible()]  # imported labels: none
    assert shown[-1] == "tempo" and tl.plots["tempo"].getAxis("bottom").isVisible()
    assert not tl.plots["key"].getAxis("bottom").isVisible()

    height = tl.plots["voice"].height()
    menu_action("voice", "Taller").trigger()
    menu_action("voice", "Taller").trigger()
    settle()
    assert tl.plots["voice"].height() > height * 1.4
    assert settings.lane_heights == {"voice": pytest.approx(1.5625)}

    again = _window(qtbot, settings, lambda device: (fake_player, "fake"))
    try:
        assert again.timeline.grid.order() == tl.grid.order()
        assert again.timeline.grid.heights == {"voice": pytest.approx(1.5625)}
        again.lane_menus.reset()
        assert again.timeline.grid.order() == shipped and again.timeline.grid.heights == {}
        assert (settings.lane_order, settings.lane_heights) == ([], {})
    finally:
        again.session.shutdown()


def test_a_render_during_the_tags_says_they_stopped(qtbot, window, short_track, slow_tags):
    from gui.session import TAGS_SKIPPED

    doc = _open(qtbot, window, short_track)
    qtbot.waitUntil(lambda: doc.status == "tagging", timeout=60000)
    assert window.session.render(doc)
    assert doc.status == "rendering" and doc.tags_note == TAGS_SKIPPED
    assert "tags stopped for the render" in window.banner.text
    wait_idle(qtbot, window.session, timeout=180000)
    assert doc.status == "analysed" and window.timeline.has_b_lane()
    assert window.timeline._instruments.text == TAGS_SKIPPED  # the lanes say why
