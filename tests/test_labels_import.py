"""Label files from other tools (core.io.labels): our own exports read back, and files
that do not read are refused with the line named."""

from __future__ import annotations

import pytest

from core.errors import FormatError
from core.io.export import write_formats
from core.io.labels import read_labels


@pytest.mark.parametrize("kind, suffix, source", [("audacity", ".audacity.txt", "audacity"),
                                                  ("svcsv", ".sv.csv", "svcsv"),
                                                  ("jams", ".jams", "jams:segment_open")])
def test_our_own_exports_read_back_as_the_form(small_analysis, tmp_path, kind, suffix,
                                                source):
    (path,) = write_formats(small_analysis, tmp_path, [kind])
    track = read_labels(path)
    assert track.source == source and track.name == path.name
    assert [(round(s, 3), round(e, 3)) for s, e, _ in track.spans] == \
        [(s.start, s.end) for s in small_analysis.segments]
    assert [label.split()[0] for *_t, label in track.spans] == ["A", "B", "A"]


def test_audacity_points_and_spectral_lines(tmp_path):
    path = tmp_path / "marks.txt"
    path.write_text("1.5\t1.5\tclap\n\\\t200\t4000\n0.25\t3.0\tintro\n", encoding="utf-8")
    assert read_labels(path).spans == ((0.25, 3.0, "intro"), (1.5, 1.5, "clap"))


def test_sv_csv_with_a_header_and_three_columns(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("time,duration,label\n0,2.5,verse\n2.5,1.5,chorus\n", encoding="utf-8")
    assert read_labels(path).spans == ((0.0, 2.5, "verse"), (2.5, 4.0, "chorus"))


@pytest.mark.parametrize("name, text, problem", [
    ("a.txt", "0\t1\tok\nzero\t2\tbad\n", "line 2: 'zero' is not a number"),
    ("b.txt", "3\t1\tbackwards\n", "line 1: ends (1.0) before it starts"),
    ("c.txt", "1 2 spaces\n", "line 1: expected start<TAB>end<TAB>label"),
    ("d.csv", "0,1,2,ok\n-4,1,2,neg\n", "line 2: '-4' is not a time"),
    ("e.txt", "\n\n", "holds no labels"),
    ("f.wav", "RIFF", "not a label file"),
    ("g.jams", "{not json", "not a readable JAMS file")])
def test_files_that_do_not_read_are_refused_clearly(tmp_path, name, text, problem):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        read_labels(path)


def test_a_missing_or_binary_file(tmp_path):
    with pytest.raises(FormatError, match="cannot read the file"):
        read_labels(tmp_path / "gone.txt")
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00\x81 binary")
    with pytest.raises(FormatError, match="not a text file"):
        read_labels(tmp_path / "bin.txt")
