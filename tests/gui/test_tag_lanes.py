"""Real-music tags in the window: the timeline first, the instrument and voice lanes
filling in after; cancel and failure of the tag step keep the analysis; the vocal
suppression preference reaches the engine (real offscreen windows, real audio)."""

from __future__ import annotations

import threading

import pytest

from tests.gui.conftest import wait_idle


def _open(qtbot, window, path):
    window.open_paths([str(path)])
    qtbot.waitUntil(lambda: window.session.current is not None, timeout=60000)
    return window.session.current


def test_tag_lanes_fill_in_after_the_timeline(qtbot, window, demo_track):
    doc = _open(qtbot, window, demo_track)
    seen = {}

    def on_status(status):
        if status == "tagging":  # the analysis is shown, the tags are still coming
            seen["tags"] = dict(doc.analysis.windows.tags)
            seen["segments"] = window.timeline.segment_count()
            seen["hint"] = (window.timeline._instruments.text, window.timeline._voice.text)

    doc.status_changed.connect(on_status)
    wait_idle(qtbot, window.session, timeout=180000)
    assert doc.status == "analysed"
    assert seen["tags"] == {} and seen["segments"] > 0
    assert seen["hint"] == ("computing real-music tags...",) * 2
    assert set(doc.analysis.windows.tags) == {"msd", "mtt"}

    tl = window.timeline
    tl.finish_drawing()
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
    from core.analysis.tags import TaggerError
    from core.app import tagging
    from core.errors import Cancelled

    state = {"fail": False, "started": threading.Event()}

    def tag_analysis(analysis, audio, *, progress=None, cancelled=None):
        state["started"].set()
        if state["fail"]:
            raise TaggerError("musicnn-mtt.onnx: not a readable ONNX tagger")
        while not cancelled():
            state["started"].wait(0.01)
        raise Cancelled("cancelled")

    monkeypatch.setattr(tagging, "tag_analysis", tag_analysis)
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
