"""``twintrack analyze`` at scale: folders, @lists and globs, mirrored outputs, the cache
that skips files already done, the summary and the report (issue 16, part 1).

Before: ``analyze`` took files only, named outputs by stem (``01 Intro.mp3`` from two
albums became ``01 Intro`` and ``01 Intro-2`` depending on their order), analysed
everything again on every run and wrote no report.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.app.batch_inputs import collect_inputs, loose_inputs
from core.cli import main

SR = 22050


def _tone(path: Path, freq: float) -> Path:
    """A 12 s two-tone WAV with clicks (long enough for one analysis window)."""
    t = np.arange(12 * SR) / SR
    y = 0.1 * (np.sin(2 * np.pi * freq * t) + np.sin(2 * np.pi * 1.26 * freq * t))
    y[::SR // 2] += 0.5
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, y.astype(np.float32), SR, subtype="PCM_16")
    return path


@pytest.fixture
def library(tmp_path, monkeypatch):
    """``lib/A/01 Intro.wav``, ``lib/B/cd1/01 Intro.wav``, a text file; records in tmp."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("core.app.batch_cache.default_cache_dir", lambda: tmp_path / "records")
    _tone(Path("lib/A/01 Intro.wav"), 220.0)
    _tone(Path("lib/B/cd1/01 Intro.wav"), 330.0)
    Path("lib/B/notes.txt").write_text("not audio\n")
    return tmp_path


def _analyze(*args: str) -> int:
    return main(["analyze", *args, "--model", "none", "--format", "json,csv", "--jobs", "1",
                 "--quiet"])


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_folder_mirrors_its_tree_and_same_named_files_do_not_collide(library, capsys):
    assert _analyze("lib", "--out-dir", "out") == 0
    assert _tree(Path("out")) == ["lib/A/01 Intro.csv", "lib/A/01 Intro.json",
                                  "lib/B/cd1/01 Intro.csv", "lib/B/cd1/01 Intro.json"]
    a = json.loads(Path("out/lib/A/01 Intro.json").read_text())
    b = json.loads(Path("out/lib/B/cd1/01 Intro.json").read_text())
    assert a["track"]["path"].endswith("A/01 Intro.wav")
    assert b["track"]["path"].endswith("B/cd1/01 Intro.wav")
    assert "files" in capsys.readouterr().err  # the summary table


def test_a_list_file_and_a_glob(library):
    Path("lists").mkdir()
    Path("lists/todo.txt").write_text("# the first album\n\n../lib/A/01 Intro.wav\n"
                                      "../lib/gone.wav\n../lib/B/**/*.wav\n")
    inputs, problems = collect_inputs(["@lists/todo.txt"])
    assert [(x.path.as_posix(), x.rel.as_posix()) for x in inputs] == [
        ("lists/../lib/B/cd1/01 Intro.wav", "cd1/01 Intro"),
        ("lists/../lib/A/01 Intro.wav", "01 Intro")]
    assert problems == [("lists/todo.txt:4: ../lib/gone.wav", "no such file or folder")]
    inputs, problems = collect_inputs(["lib/*/cd1/*.wav", "lib/*.flac", "@lists/none.txt"])
    assert [x.rel.as_posix() for x in inputs] == ["B/cd1/01 Intro"]
    assert problems == [("lib/*.flac", "the pattern matches no files"),
                        ("@lists/none.txt", "no such list file")]


def test_loose_files_sharing_a_name_go_under_their_folders_in_any_order(library):
    a, b = Path("lib/A/01 Intro.wav"), Path("lib/B/cd1/01 Intro.wav")
    assert [x.rel.as_posix() for x in loose_inputs([a, b])] == ["A/01 Intro", "cd1/01 Intro"]
    assert [x.rel.as_posix() for x in loose_inputs([b, a])] == ["cd1/01 Intro", "A/01 Intro"]
    assert [x.rel.as_posix() for x in loose_inputs([a, a])] == ["01 Intro"]


def test_a_missing_input_is_one_line_and_the_others_run(library, capsys):
    assert _analyze("lib/A", "nowhere", "@none.txt", "--out-dir", "out") == 1
    err = capsys.readouterr().err
    assert "twintrack: nowhere: no such file or folder" in err
    assert "twintrack: @none.txt: no such list file" in err and "Traceback" not in err
    assert _tree(Path("out")) == ["A/01 Intro.csv", "A/01 Intro.json"]


def test_a_second_run_skips_files_done_and_force_redoes_them(library, capsys):
    assert _analyze("lib", "--out-dir", "out", "--report", "first.jsonl") == 0
    json_out = Path("out/lib/A/01 Intro.json")
    before = json_out.stat().st_mtime_ns
    os.utime(json_out, ns=(before - 10**9, before - 10**9))  # a rewrite would be newer
    stamp = json_out.stat().st_mtime_ns
    capsys.readouterr()
    assert _analyze("lib", "--out-dir", "out", "--report", "second.jsonl") == 0
    out = capsys.readouterr().out
    assert out.count("up to date, skipped") == 2 and "analysed" not in out
    assert json_out.stat().st_mtime_ns == stamp
    assert [r["status"] for r in _lines("second.jsonl")] == ["skipped", "skipped"]

    assert _analyze("lib", "--out-dir", "out", "--force") == 0
    assert capsys.readouterr().out.count("analysed") == 2
    assert json_out.stat().st_mtime_ns != stamp
    _tone(Path("lib/A/01 Intro.wav"), 440.0)  # new content: redone without --force
    json_out.unlink()  # and a deleted output too
    assert _analyze("lib", "--out-dir", "out", "--report", "third.jsonl") == 0
    assert [r["status"] for r in _lines("third.jsonl")] == ["analysed", "skipped"]
    assert json_out.is_file()


def test_the_report_has_a_line_per_file(library):
    Path("lib/A/broken.wav").write_bytes(b"RIFF not really a wave file")
    assert _analyze("lib", "gone.wav", "--out-dir", "out", "--report", "r.jsonl") == 1
    lines = _lines("r.jsonl")
    assert [(r["path"], r["status"]) for r in lines] == [
        ("lib/A/01 Intro.wav", "analysed"), ("lib/A/broken.wav", "failed"),
        ("lib/B/cd1/01 Intro.wav", "analysed"), ("gone.wav", "failed")]
    assert lines[0]["error"] is None and lines[0]["seconds"] > 0
    assert lines[0]["outputs"] == ["out/lib/A/01 Intro.json", "out/lib/A/01 Intro.csv"]
    assert "broken.wav" in lines[1]["error"] and lines[1]["outputs"] == []
    assert lines[3]["error"] == "no such file or folder"
    assert not Path("out/lib/A/broken.json").exists()


def _lines(path: str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def test_records_of_outputs_that_are_gone_are_pruned_once_a_day(tmp_path):
    """A record whose outputs were deleted can never skip a file again: prune drops it
    (and unreadable records), keeps the others, and looks again only a day later."""
    from core.app.batch_cache import prune, remember, up_to_date

    cache = tmp_path / "records"
    kept, lost = tmp_path / "out" / "a", tmp_path / "out" / "b"
    for place in (kept, lost):
        place.parent.mkdir(parents=True, exist_ok=True)
        out = place.with_suffix(".json")
        out.write_text("{}\n")
        remember(cache, place, "key", [out])
    (cache / "zz").mkdir()
    (cache / "zz" / "broken.json").write_text("not json")
    lost.with_suffix(".json").unlink()
    assert len(list(cache.glob("??/*.json"))) == 3
    assert prune(cache) == 2
    assert up_to_date(cache, kept, "key") == (kept.with_suffix(".json"),)
    assert len(list(cache.glob("??/*.json"))) == 1
    kept.with_suffix(".json").unlink()
    assert prune(cache) == 0  # pruned less than a day ago: not looked at
    assert prune(cache, every=0.0) == 1


def test_a_batch_run_prunes_its_records(library):
    """``twintrack analyze`` prunes after its run: the record of a deleted output goes."""
    records = library / "records"
    assert _analyze("lib", "--out-dir", "out") == 0
    assert len(list(records.glob("??/*.json"))) == 2
    for p in Path("out").rglob("*.json"):
        p.unlink()
    (records / ".pruned").unlink()  # the first run pruned just now
    assert _analyze("lib/A", "--out-dir", "elsewhere") == 0
    # B's record is gone (its outputs are); A's old one too; A's new one stays
    assert len(list(records.glob("??/*.json"))) == 1
