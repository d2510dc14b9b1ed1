"""The compare window and the descriptor map on a real (offscreen) window: a real track
analysed and rendered by the session, the Analysis menu's entries, CSV export, a click
on the map's path seeking the player."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import QPointF, Qt

from core.record import TARGETS


def _analysed(qtbot, window, path):
    window.open_paths([str(path)])
    qtbot.waitUntil(lambda: window.session.current is not None
                    and window.session.current.status == "analysed", timeout=60000)
    return window.session.current


def test_compare_window_opens_for_a_rendered_track_and_exports_csv(qtbot, window, short_track,
                                                                  tmp_path):
    doc = _analysed(qtbot, window, short_track)
    assert not window.compare.compare_action.isEnabled()  # no render yet
    assert window.compare.open_compare() is None
    window.session.render()
    qtbot.waitUntil(lambda: doc.status == "analysed" and doc.render is not None, timeout=90000)
    assert window.compare.compare_action.isEnabled()
    window.compare.compare_action.trigger()
    dialog = window.compare.windows[-1]
    qtbot.waitExposed(dialog)
    names = doc.analysis.windows.feature_names
    table = dialog.table
    assert table.rowCount() == len(names) and not dialog.error
    assert {table.item(r, 0).text() for r in range(len(names))} == set(names)
    table.sortItems(1, Qt.SortOrder.AscendingOrder)  # numeric sort, not text
    overlaps = [table.item(r, 1).data(Qt.ItemDataRole.DisplayRole) for r in range(len(names))]
    assert overlaps == sorted(overlaps) and all(0.0 <= v <= 1.0 for v in overlaps)
    assert len(dialog.plots.ci.items) == len(names)
    # The feedback loop: one row per render and the mean; one row per target.
    assert dialog.per_title.rowCount() == len(doc.renders) + 1
    assert dialog.per_target.rowCount() == len(TARGETS)
    path = tmp_path / "distances.csv"
    dialog.export_csv(str(path))
    rows = list(csv.DictReader(path.open()))
    assert [r["feature"] for r in rows] == list(names)
    assert [float(r["overlap_area"]) for r in rows] == pytest.approx(
        [d.overlap for d in dialog.distances], abs=1e-6)


def test_descriptor_map_draws_the_path_and_a_click_seeks(qtbot, window, short_track,
                                                        fake_player):
    doc = _analysed(qtbot, window, short_track)
    assert window.compare.map_action.isEnabled()
    view = window.compare.open_map()
    qtbot.waitExposed(view)
    assert len(view.path.times) == len(doc.analysis.windows) >= 2
    assert list(view.path.times) == sorted(view.path.times)
    assert len(view.track_points.points()) == len(doc.analysis.windows)
    assert "start" in [i.toPlainText() for i in view.plot.items() if hasattr(i, "toPlainText")]
    i = len(view.path.times) - 1
    vb = view.plot.getPlotItem().getViewBox()
    # The view ranges itself on the event loop's next turn; the point is then inside.
    qtbot.waitUntil(lambda: vb.viewRect().contains(QPointF(*view.point_position(i))))
    scene_pos = vb.mapViewToScene(QPointF(*view.point_position(i)))
    pos = view.plot.mapFromScene(scene_pos)
    with qtbot.waitSignal(view.time_chosen, timeout=5000) as got:
        qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert got.args == [pytest.approx(view.point_time(i))]
    assert ("seek", round(view.point_time(i), 3)) in fake_player.calls
    ring = view.playhead.points()[0].pos()
    assert (ring.x(), ring.y()) == pytest.approx(view.point_position(i))


def test_compare_window_says_why_it_cannot_compare(qtbot, small_analysis):
    """Renders analysed with other window features: the reason, not a traceback, and
    nothing to export."""
    from dataclasses import replace
    from types import SimpleNamespace

    from gui.compare import CompareWindow
    from gui.document import Document

    doc = Document("/music/t.wav")
    doc.set_analysis(small_analysis)
    other = replace(small_analysis, windows=replace(
        small_analysis.windows, feature_names=small_analysis.windows.feature_names[:-1]))
    doc.set_renders((SimpleNamespace(index=0, analysis=other, render=None),))
    dialog = CompareWindow(doc)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "same version" in dialog.summary.text() and dialog.table.rowCount() == 0
    assert not dialog.export_button.isEnabled()
