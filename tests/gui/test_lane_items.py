"""Graphics items of the lanes draw what they are given at any zoom (offscreen), and
the timeline leaves out of the paint what is out of view or unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from tests.gui.test_timeline import _show, synthetic_analysis, view  # noqa: F401 (fixture)

#: Uneven cells, as a window grid has them: a wide first and last cell.
EDGES = np.array([0.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 22.0])
COLOURS = [0xFFE69F00, 0xFF56B4E9, 0xFF009E73, 0x00000000, 0xFF0072B2, 0xFFD55E00,
           0xFFCC79A7]  # the fourth cell empty (alpha 0)


@pytest.fixture
def plot(qtbot):
    import pyqtgraph as pg

    widget = pg.PlotWidget(background="w")
    qtbot.addWidget(widget)
    widget.resize(600, 200)
    widget.show()
    qtbot.waitExposed(widget)
    item = widget.getPlotItem()
    item.hideAxis("left")
    item.hideAxis("bottom")
    item.getViewBox().setDefaultPadding(0.0)
    return widget


def _colour_at(widget, x: float, y: float) -> int:
    """The RGB drawn at data point (x, y) of ``widget``'s plot (0xRRGGBB)."""
    vb = widget.getPlotItem().getViewBox()
    image = widget.grab().toImage()
    pos = widget.mapFromScene(vb.mapViewToScene(__import__("pyqtgraph").Point(x, y)))
    return image.pixel(pos.x(), pos.y()) & 0xFFFFFF


@pytest.mark.parametrize("x_range", [(0.0, 22.0), (7.0, 13.0), (15.5, 16.5)])
def test_cells_item_paints_each_visible_cell_in_its_colour_at_any_zoom(qtbot, plot, x_range):
    from gui.lanes.items import CellsItem

    item = CellsItem()
    plot.addItem(item)
    item.set_cells(EDGES, np.array([COLOURS], np.uint32))
    plot.getPlotItem().setRange(xRange=x_range, yRange=(0, 1), padding=0)
    qtbot.wait(20)
    for i, colour in enumerate(COLOURS):
        middle = (EDGES[i] + EDGES[i + 1]) / 2
        if not x_range[0] < middle < x_range[1]:
            continue
        expected = colour & 0xFFFFFF if colour >> 24 else 0xFFFFFF  # empty: background
        assert _colour_at(plot, middle, 0.5) == expected, (i, x_range)


def test_cells_item_rows_are_inset_and_stacked_from_the_bottom(qtbot, plot):
    from gui.lanes.items import CellsItem

    item = CellsItem(inset=0.2)
    plot.addItem(item)
    argb = np.array([[0xFFFF0000] * 7, [0xFF0000FF] * 7], np.uint32)  # row 0, row 1
    item.set_cells(EDGES, argb)
    plot.getPlotItem().setRange(xRange=(0.0, 22.0), yRange=(0, 2), padding=0)
    qtbot.wait(20)
    assert _colour_at(plot, 11.0, 0.5) == 0xFF0000
    assert _colour_at(plot, 11.0, 1.5) == 0x0000FF
    assert _colour_at(plot, 11.0, 1.0) == 0xFFFFFF  # the gap between the rows
    item.set_cells(np.zeros(0), np.zeros((0, 0), np.uint32))  # nothing: nothing drawn
    qtbot.wait(20)
    assert _colour_at(plot, 11.0, 0.5) == 0xFFFFFF


def test_blocks_leave_a_gap_between_cells_empty(qtbot, plot):
    from PySide6.QtGui import QColor

    from gui.lanes.items import BlocksItem

    item = BlocksItem()
    plot.addItem(item)
    item.set_blocks([0.0, 5.0], [3.0, 9.0], [QColor("#ff0000"), QColor("#0000ff")])
    plot.getPlotItem().setRange(xRange=(0.0, 9.0), yRange=(0, 1), padding=0)
    qtbot.wait(20)
    assert [_colour_at(plot, x, 0.5) for x in (1.5, 4.0, 7.0)] == [0xFF0000, 0xFFFFFF,
                                                                    0x0000FF]
    assert [(a, b) for a, b, _ in item.cells] == [(0.0, 3.0), (5.0, 9.0)]


def test_lines_out_of_view_leave_the_paint(qtbot, view):  # noqa: F811 (fixture)
    """Boundary handles and playhead lines outside the visible range are hidden (the
    scene skips them); in view they show, and dragging still works on the same lines."""
    _show(qtbot, view, synthetic_analysis())  # boundaries at 40 and 80 s
    handles = view._form._handles  # noqa: SLF001
    view.set_x_range(0.0, 60.0)
    assert [h.isVisible() for h in handles] == [True, False]
    view.set_x_range(60.0, 120.0)
    assert [h.isVisible() for h in handles] == [False, True]
    lines = view.grid._lines  # noqa: SLF001  (a playhead line per row)
    view.set_playhead(10.0)
    assert not any(line.isVisible() for line in lines)
    view.set_playhead(70.0)
    assert [line.isVisible() for line in lines] == [p.isVisible() for p in view.plots.values()]


def test_a_new_form_reuses_the_handle_lines(qtbot, view):  # noqa: F811 (fixture)
    _show(qtbot, view, synthetic_analysis())
    before = list(view._form._handles)  # noqa: SLF001
    _show(qtbot, view, synthetic_analysis(duration=90.0))  # boundaries at 30 and 60 s
    after = view._form._handles  # noqa: SLF001
    assert after == before and [h.value() for h in after] == [30.0, 60.0]


def test_a_status_change_does_not_redraw_unchanged_tag_lanes(qtbot, view,  # noqa: F811
                                                             monkeypatch):
    doc = _show(qtbot, view, synthetic_analysis())
    drawn = []
    lane = view._instruments  # noqa: SLF001
    monkeypatch.setattr(lane, "show", lambda *a, **k: drawn.append(a))
    doc.set_status("analysed")
    doc.set_status("rendering")  # the tag lanes' hint stays the same
    assert drawn == []
    doc.set_status("tagging")  # now they say the tags are being computed
    assert len(drawn) == 1


def test_derived_tables_are_computed_once_per_analysis_and_forgotten_with_it():
    import gc

    from core.analysis.reduce import segment_table
    from gui import derived

    a = synthetic_analysis()
    derived.warm(a)
    rows = derived.segment_rows(a)
    assert rows is derived.segment_rows(a) and rows == segment_table(a)
    assert derived.windows_of_segments(a) is derived.windows_of_segments(a)
    assert derived.instruments(a) == []  # no real-music tags
    derived.warm("not an analysis")  # left alone
    key = id(a)
    assert key in derived._cache  # noqa: SLF001
    del a, rows
    gc.collect()
    assert key not in derived._cache  # noqa: SLF001


def test_missing_handle_lines_are_made_in_a_later_step(qtbot, view):  # noqa: F811
    """A form with more boundaries than lines made so far gets its spans at once and
    the extra handles one event-loop turn later (creating lines is the slow part)."""
    from gui.document import Document

    doc = Document("synthetic.wav")
    view.set_document(doc)
    doc.set_analysis(synthetic_analysis())  # two inner boundaries, no line made yet
    assert view.segment_count() == 3 and view._form._handles == []  # noqa: SLF001
    view.finish_drawing()
    assert [h.value() for h in view._form._handles] == [40.0, 80.0]  # noqa: SLF001
