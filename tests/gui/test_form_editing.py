"""Editing the form in the window: the original's lane menu splits, merges, renames and
moves boundaries; Undo and Redo walk the history; the segment table and the exports
follow; a bad edit says why and changes nothing (real offscreen window, real audio)."""

from __future__ import annotations

import pytest

from tests.gui.conftest import wait_idle


@pytest.fixture
def analysed(qtbot, window, short_track, settings):
    settings.vocal_suppression_mode = "never"
    window.open_paths([str(short_track)])
    qtbot.waitUntil(lambda: window.session.current is not None, timeout=60000)
    wait_idle(qtbot, window.session, timeout=180000)
    doc = window.session.current
    assert doc.analysis is not None and len(doc.analysis.segments) >= 1
    return doc


def _menu_texts(window, t):
    window.lane_menus._on_lane_menu_requested("A", window.mapToGlobal(window.rect().center()),
                                              t)
    return {a.text(): a for a in window.lane_menus.context_menu.actions()}


def test_split_rename_merge_undo_redo_through_the_lane_menu(qtbot, window, analysed,
                                                            tmp_path):
    doc, editor = analysed, window.form_editor
    original = doc.analysis
    first = original.segments[0]
    t = round((first.start + first.end) / 2, 1)
    actions = _menu_texts(window, t)
    actions[f"Split the segment at {t:.1f} s"].trigger()
    assert len(doc.analysis.segments) == len(original.segments) + 1
    assert doc.analysis.segments[0].end == pytest.approx(t)
    assert window.segment_table.rowCount() == len(doc.analysis.segments)  # it follows
    editor.rename_at(doc, t + 0.1, "Z")
    assert doc.analysis.segments[1].label == "Z"
    assert "Z" in window.segment_table.row_texts(1)
    assert editor.undo_action.isEnabled() and "Rename" in editor.undo_action.text()
    editor.undo_action.trigger()
    assert doc.analysis.segments[1].label == first.label
    editor.undo_action.trigger()
    assert doc.analysis == original
    editor.redo_action.trigger()
    editor.redo_action.trigger()
    assert doc.analysis.segments[1].label == "Z"
    # merging back gives the original spans with the new letter kept on the first part
    _menu_texts(window, t - 0.1)["Merge the segment with the next"].trigger()
    assert [(s.start, s.end) for s in doc.analysis.segments] == \
        [(s.start, s.end) for s in original.segments]
    # the exports follow the edits
    assert window.session.exports.export("json", str(tmp_path / "edited.json"), doc)
    qtbot.waitUntil(lambda: (tmp_path / "edited.json").exists(), timeout=60000)
    from core.record import load_analysis

    assert load_analysis(tmp_path / "edited.json").segments == doc.analysis.segments


def test_a_bad_edit_says_why_and_changes_nothing(qtbot, window, analysed):
    doc, editor = analysed, window.form_editor
    before = doc.analysis
    with qtbot.waitSignal(editor.edit_failed, timeout=5000) as said:
        assert not editor.rename_at(doc, 0.1, "not a letter")
    assert "not a segment letter" in said.args[0]
    assert doc.analysis is before and not editor.undo_action.isEnabled()
    with qtbot.waitSignal(editor.edit_failed, timeout=5000):
        assert not editor.split_at(doc, doc.analysis.duration + 5)
    assert doc.analysis is before


def test_a_new_analysis_clears_the_history(qtbot, window, analysed):
    doc, editor = analysed, window.form_editor
    seg = doc.analysis.segments[0]
    assert editor.split_at(doc, (seg.start + seg.end) / 2)
    assert editor.stack(doc).count() == 1
    doc.set_analysis(doc.analysis)           # as a new analysis or the tags coming in
    assert editor.stack(doc).count() == 0 and not editor.undo_action.isEnabled()


def test_the_render_lane_shows_asked_heard_agreement_and_the_score(qtbot, window, analysed):
    doc = analysed
    assert window.session.render(doc)
    qtbot.waitUntil(lambda: doc.status == "analysed" and doc.render is not None,
                    timeout=120000)
    window.timeline.finish_drawing()
    lane = window.timeline._render_form
    texts = [t[0] for t in lane.details._texts]
    assert texts and any(t.startswith("asked ") and " heard " in t for t in texts), texts
    assert all(("\u2713" in t or "\u2717" in t) for t in texts if " heard " in t)
    assert lane.score_text.startswith("render vs A: genre ")
    # the numbers are the feedback loop's
    from core.evaluation.feedback import compare_multi

    want = compare_multi("render", doc.render.render.timeline, doc.render.analysis,
                         doc.analysis).targets
    assert f"genre {want['genre']:.2f}" in lane.score_text


def test_imported_labels_show_as_a_lane_and_bad_files_say_why(qtbot, window, analysed,
                                                              tmp_path):
    doc, tl = analysed, window.timeline
    assert tl._imported.height == 0          # no row until something is imported
    good = tmp_path / "marks.txt"
    good.write_text("0.5\t2.0\tintro\n2.0\t4.0\tverse\n", encoding="utf-8")
    assert window.files.import_labels(str(good))
    assert doc.imported.spans == ((0.5, 2.0, "intro"), (2.0, 4.0, "verse"))
    assert tl._imported.height > 0 and len(tl._imported.spans) == 2
    assert "marks.txt" in tl.plots["labels"].toolTip()
    bad = tmp_path / "broken.txt"
    bad.write_text("0\tx\toops\n", encoding="utf-8")
    assert not window.files.import_labels(str(bad))
    assert doc.imported.name == "marks.txt"   # the earlier labels stay
    errors = [m for m in window.message_log.messages if m.level == "error"]
    assert errors and "line 1" in errors[-1].text
    window.lane_menus.set_lane_visible("labels", False)   # hideable like the others
    assert "labels" in window.timeline.grid.hidden


def test_shift_drag_selects_a_range_that_loop_repeats(qtbot, window, analysed, fake_player):
    from PySide6.QtCore import QPoint, Qt

    doc, tl = analysed, window.timeline
    window.show()
    qtbot.waitExposed(window)
    tl.zoom_to_fit()
    view = tl.viewport_widget()
    box = tl.plots["A"].getViewBox()

    def at(t: float) -> QPoint:
        scene = box.mapViewToScene(__import__("PySide6.QtCore", fromlist=["QPointF"])
                                   .QPointF(t, 0.0))
        return view.mapFromScene(scene)

    vp, shift = view.viewport(), Qt.KeyboardModifier.ShiftModifier
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, shift, at(1.0))
    qtbot.mouseMove(vp, at(2.0))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, shift, at(3.0))
    lo, hi = doc.selection_range
    assert lo == pytest.approx(1.0, abs=0.1) and hi == pytest.approx(3.0, abs=0.1)
    assert window.range_selector.region.isVisible()
    window.transport.set_loop_enabled(True)
    assert fake_player.loop is not None
    assert (fake_player.loop.start, fake_player.loop.end) == pytest.approx((lo, hi))
    # choosing a segment replaces the range, and the loop follows it
    doc.select_segment(0)
    assert doc.selection_range is None and not window.range_selector.region.isVisible()
    seg = doc.analysis.segments[0]
    assert (fake_player.loop.start, fake_player.loop.end) == pytest.approx((seg.start, seg.end))
    # a tiny drag is a click: no range
    assert not window.range_selector.select(2.0, 2.1) and doc.selection_range is None


def test_dragging_a_boundary_handle_is_an_undoable_edit(qtbot, window, analysed):
    doc, editor = analysed, window.form_editor
    seg = doc.analysis.segments[0]
    t = round((seg.start + seg.end) / 2, 1)
    assert editor.split_at(doc, t)                  # at least one inner boundary
    window.timeline.finish_drawing()
    handles = window.timeline._form._handles
    assert len(handles) == len(doc.analysis.segments) - 1
    handles[0].setValue(t + 0.3)
    handles[0].sigPositionChangeFinished.emit(handles[0])
    assert doc.analysis.segments[0].end == pytest.approx(t + 0.3)
    assert "Move a boundary" in editor.undo_action.text()
    editor.undo_action.trigger()
    assert doc.analysis.segments[0].end == pytest.approx(t)
    # a drag past the neighbour is refused, said, and the handle goes back
    handles = window.timeline._form._handles
    with qtbot.waitSignal(editor.edit_failed, timeout=5000):
        handles[0].setValue(doc.analysis.segments[1].end + 1.0)
        handles[0].sigPositionChangeFinished.emit(handles[0])
    assert doc.analysis.segments[0].end == pytest.approx(t)
    assert window.timeline._form._handles[0].value() == pytest.approx(t)


def test_vertical_zoom_scales_both_waveforms_not_the_overlays(qtbot, window, analysed):
    tl = window.timeline
    lane = tl._original
    peak = float(lane._envelope.maxs.max())
    taller = next(a for m in window.menuBar().actions() if m.text() == "&View"
                  for a in m.menu().actions() if a.text() == "Waveforms &taller")
    taller.trigger()
    taller.trigger()
    assert lane.gain == 4.0 and tl._render.gain == 4.0
    assert float(lane.wave._maxs.max()) == pytest.approx(min(4 * peak, 1.0), rel=1e-5)
    assert tl.plots["A"].getViewBox().viewRange()[1] == pytest.approx([-1.05, 1.05])
    assert tl.zoom_waveforms(0.5) == 2.0
    assert tl.zoom_waveforms(None) == 1.0
    assert float(lane.wave._maxs.max()) == pytest.approx(peak)
    assert tl.zoom_waveforms(1e9) == 64.0      # bounded


def test_the_overview_strip_follows_and_moves_the_view(qtbot, window, analysed):
    tl = window.timeline
    strip = tl._overview
    assert len(strip.wave) > 0                      # the whole track, small
    tl.set_x_range(2.0, 6.0)
    qtbot.waitUntil(lambda: strip.region.getRegion() == pytest.approx((2.0, 6.0), abs=1e-6),
                    timeout=5000)                   # once the lanes pause
    strip.region.setRegion((8.0, 12.0))             # the user drags the region
    assert tl.x_range() == pytest.approx((8.0, 12.0), abs=1e-6)
