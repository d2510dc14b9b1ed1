"""Form edits on the analysis record (core.analysis.form_edit): pure, checked, exported."""

from __future__ import annotations

import pytest

from core.analysis.form_edit import (EditError, merge_segments, move_boundary, rename_segment,
                                     split_segment)


def _spans(a):
    return [(s.start, s.end, s.label) for s in a.segments]


def test_move_a_boundary_keeps_a_partition(small_analysis):
    a = move_boundary(small_analysis, 0, 14.0)
    assert _spans(a) == [(0.0, 14.0, "A"), (14.0, 21.0, "B"), (21.0, 30.0, "A")]
    assert _spans(small_analysis)[0] == (0.0, 12.5, "A")     # the original is untouched
    with pytest.raises(EditError, match="shorter than"):
        move_boundary(small_analysis, 0, 20.9)
    with pytest.raises(EditError, match="last segment"):
        move_boundary(small_analysis, 2, 25.0)
    with pytest.raises(EditError, match="no segment 9"):
        move_boundary(small_analysis, 8, 25.0)


def test_split_then_merge_gives_the_form_back(small_analysis):
    s = split_segment(small_analysis, 5.0)
    assert _spans(s)[:2] == [(0.0, 5.0, "A"), (5.0, 12.5, "A")]
    assert s.segments[1].tempo == small_analysis.segments[0].tempo
    back = merge_segments(s, 0)
    assert back.segments == small_analysis.segments
    with pytest.raises(EditError, match="outside the form"):
        split_segment(small_analysis, 31.0)
    with pytest.raises(EditError, match="shorter than"):
        split_segment(small_analysis, 12.3)


def test_merge_weights_the_tempo_and_keeps_the_longer_key(small_analysis):
    m = merge_segments(small_analysis, 0)      # A 0-12.5 (120, C) + B 12.5-21 (121, Am)
    (seg, *_rest) = m.segments
    assert (seg.start, seg.end, seg.label) == (0.0, 21.0, "A")
    assert seg.tempo == pytest.approx((120 * 12.5 + 121 * 8.5) / 21, abs=0.01)
    assert (seg.tonic, seg.mode) == ("C", "major")
    with pytest.raises(EditError, match="no next segment"):
        merge_segments(small_analysis, 2)


@pytest.mark.parametrize("bad", ["", "  ", "A B", "toolongname", "A/1"])
def test_rename_checks_the_letter(small_analysis, bad):
    assert rename_segment(small_analysis, 1, " Chorus ").segments[1].label == "Chorus"
    with pytest.raises(EditError, match="not a segment letter"):
        rename_segment(small_analysis, 1, bad)


def test_the_exports_follow_an_edit(small_analysis, tmp_path):
    from core.io.export import write_formats

    edited = rename_segment(split_segment(small_analysis, 25.0), 3, "C")
    paths = write_formats(edited, tmp_path, ["audacity"])
    rows = paths[0].read_text(encoding="utf-8").splitlines()
    assert len(rows) == 4 and rows[-1].split("\t")[2].startswith("C")
