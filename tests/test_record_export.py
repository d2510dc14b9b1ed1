"""Analysis JSON round trip and every export format, checked with its own tools."""

from __future__ import annotations

import csv
import json

import jams
import pytest

from core.errors import FormatError
from core.io.export import WRITERS, to_jams, write_formats
from core.analysis.reduce import segment_table
from core.record import analysis_from_dict, analysis_to_dict, dumps, load_analysis


def test_json_round_trip_is_exact(small_analysis, tmp_path):
    text = dumps(small_analysis)
    again = analysis_from_dict(json.loads(text))
    assert again == small_analysis
    assert dumps(again) == text
    write_formats(small_analysis, tmp_path, ["json"])
    assert load_analysis(tmp_path / "t\u00e9st track.json") == small_analysis


@pytest.mark.parametrize("path, value, where", [
    (("segments", 0, "tonic"), "H", "$.segments[0].tonic"),
    (("windows", "tempo"), "fast", "$.windows.tempo"),
    (("globals",), None, "$.globals"),
    (("schema",), "other/1", "$.schema"),
])
def test_bad_documents_name_the_path(small_analysis, path, value, where):
    doc = json.loads(dumps(small_analysis))
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
        where = "$"
    else:
        node[path[-1]] = value
    with pytest.raises(FormatError) as info:
        analysis_from_dict(doc)
    assert str(info.value).startswith(where)


def test_column_length_mismatch_is_reported(small_analysis):
    doc = analysis_to_dict(small_analysis)
    doc["windows"]["tempo"] = [120.0]
    with pytest.raises(FormatError, match=r"\$\.windows\.tempo"):
        analysis_from_dict(json.loads(json.dumps(doc)))


def test_unreadable_json_file(tmp_path):
    (tmp_path / "x.json").write_text("{not json")
    with pytest.raises(FormatError, match="not valid JSON"):
        load_analysis(tmp_path / "x.json")


def test_jams_export_validates_and_reads_back(small_analysis, tmp_path):
    jam = to_jams(small_analysis)
    jam.validate()
    write_formats(small_analysis, tmp_path, ["jams"])
    back = jams.load(str(tmp_path / "t\u00e9st track.jams"))
    seg = back.search(namespace="segment_open")[0]
    assert [o.value for o in seg.data] == ["A", "B", "A"]
    assert back.search(namespace="key_mode")[0].data[0].value == "C:major"
    assert back.search(namespace="tempo")[0].data[0].value == pytest.approx(120.1)
    assert back.file_metadata.duration == pytest.approx(30.0)


def test_jams_tags_after_classification(small_analysis):
    labels = {"genre": ("rock", "rock", "UNK"), "subgenre": ("indie", "indie", "UNK"),
              "mood": ("driving", "driving", "UNK")}
    probs = {t: (0.9, 0.8, 0.2) for t in labels}
    jam = to_jams(small_analysis.with_labels(labels, probs, model="m1"))
    tags = jam.search(namespace="tag_open")[0]
    assert [o.value for o in tags.data] == ["rock_indie_driving", "rock_indie_driving", "UNK"]


def test_segment_table_and_csv(small_analysis, tmp_path):
    rows = segment_table(small_analysis)
    assert [r.label for r in rows] == ["A", "B", "A"]
    assert rows[1].duration == pytest.approx(8.5)
    write_formats(small_analysis, tmp_path, ["csv"])
    with open(tmp_path / "t\u00e9st track.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [r["label"] for r in table] == ["A", "B", "A"]
    assert table[1]["key"] == "A:minor" and float(table[1]["end"]) == 21.0
    assert set(table[0]) >= {"genre", "subgenre", "mood", "sentiment", "valence",
                             "momentum", "descriptor"}


def test_majority_labels(small_analysis):
    labels = {"genre": ("rock", "pop", "pop"), "subgenre": ("a", "b", "b"),
              "mood": ("x", "y", "y")}
    rows = segment_table(small_analysis.with_labels(labels, {}, model="m"))
    # Window centres 5, 15, 25: A holds window 0, B window 1, the last A window 2.
    assert [r.targets["genre"] for r in rows] == ["rock", "pop", "pop"]
    assert rows[0].descriptor == "rock_a_x"


def test_audacity_and_sonic_visualiser(small_analysis, tmp_path):
    write_formats(small_analysis, tmp_path, ["audacity", "svcsv"])
    lines = (tmp_path / "t\u00e9st track.audacity.txt").read_text().splitlines()
    assert len(lines) == 3
    start, end, label = lines[1].split("\t")
    assert float(start) == 12.5 and float(end) == 21.0 and label.startswith("B")
    sv = list(csv.reader(open(tmp_path / "t\u00e9st track.sv.csv")))
    assert [int(r[1]) for r in sv] == [1, 2, 1]
    assert float(sv[2][0]) == 21.0 and float(sv[2][2]) == pytest.approx(9.0)


def test_failed_write_leaves_old_file(small_analysis, tmp_path, monkeypatch):
    target = tmp_path / "t\u00e9st track.json"
    target.write_text("old")

    def boom(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr("core.io.export.dumps", boom)
    with pytest.raises(RuntimeError):
        WRITERS["json"][1](small_analysis, target)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_written_files_get_the_usual_permissions(small_analysis, tmp_path):
    import os
    import stat

    write_formats(small_analysis, tmp_path, ["json"])
    mode = stat.S_IMODE(os.stat(tmp_path / "t\u00e9st track.json").st_mode)
    mask = os.umask(0)
    os.umask(mask)
    assert mode == 0o666 & ~mask
