"""The chord lane draws the analysis's chord runs, names those that fit, and hides."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.record import Chord
from tests.gui.test_timeline import DURATION, _show, synthetic_analysis, view  # noqa: F401

#: A chord every 0.5 s over the first minute (too short to name when zoomed out), then
#: four long chords and no chord at the end.
SHORT = tuple(Chord(0.5 * i, 0.5 * (i + 1), ("C:maj", "A:min")[i % 2], 0.2 + 0.6 * (i % 2))
              for i in range(120))
LONG = (Chord(60.0, 75.0, "F:maj", 0.9), Chord(75.0, 90.0, "G:maj", 0.5),
        Chord(90.0, 100.0, "D#:min", 0.7), Chord(100.0, 110.0, "E:maj", 0.3),
        Chord(110.0, DURATION, "N", 0.99))


def chorded():
    return replace(synthetic_analysis(), chords=SHORT + LONG)


def test_chord_lane_draws_each_run_coloured_by_root_with_confidence(qtbot, view):  # noqa: F811
    from gui.lanes.chords import NO_CHORD_TEXT
    from gui.lanes.colours import key_colour

    _show(qtbot, view, chorded())
    lane = view._chords  # noqa: SLF001
    cells = lane.blocks.cells
    assert len(cells) == len(SHORT + LONG)
    assert [(a, b) for a, b, _ in cells] == [(c.start, c.end) for c in SHORT + LONG]
    assert cells[0][2].rgba() == key_colour("C", "major", alpha=70 + 185 * 0.2).rgba()
    assert cells[1][2].rgba() == key_colour("A", "minor", alpha=70 + 185 * 0.8).rgba()
    assert cells[-1][2].alpha() == 70  # no chord: faint grey
    # Zoomed out, the half-second chords have no room for a name; the long ones do.
    names = [t for _, _, t in lane.names.shown()]
    assert names[:4] == ["F maj", "G maj", "D# min", "E maj"]
    assert names[-1] == NO_CHORD_TEXT and len(names) == len(LONG)
    view.set_x_range(0.0, 6.0)  # zoomed in: every chord is named
    assert [t for _, _, t in lane.names.shown()][:4] == ["C maj", "A min", "C maj", "A min"]
    assert "Chords per beat" in view.plots["chords"].toolTip()


def test_hover_names_the_chord_and_an_old_analysis_says_it_has_none(qtbot, view):  # noqa: F811
    from gui.lanes.chords import NO_CHORDS_TEXT

    _show(qtbot, view, chorded())
    assert "chord A min (0.80)" in view.describe(0.7)
    assert "chord F maj (0.90)" in view.describe(61.0)
    _show(qtbot, view, synthetic_analysis())  # made before chords existed
    lane = view._chords  # noqa: SLF001
    assert lane.blocks.cells == []
    assert [t for _, _, t in lane.names.shown()] == [NO_CHORDS_TEXT]
    assert "chord" not in view.describe(61.0)


@pytest.mark.parametrize("label, names", [("A:min", ("A min", "Am")), ("C#:maj", ("C# maj", "C#")),
                                          ("N", ("no chord", "N"))])
def test_chord_names(label, names):
    from gui.lanes.chords import chord_names, chord_text

    assert chord_names(label) == names
    assert chord_text(label) == names[0]


def test_chord_lane_hides_like_the_others(qtbot, view):  # noqa: F811
    from gui.lanes.grid import LANE_TITLES

    _show(qtbot, view, chorded())
    assert LANE_TITLES["chords"] == "chords"
    assert view.plots["chords"].isVisible()
    view.arrange_lanes(hidden={"chords"})
    assert not view.plots["chords"].isVisible() and view.plots["key"].isVisible()
    view.arrange_lanes(hidden=set())
    assert view.plots["chords"].isVisible()
