"""Corpora that merge (issue 16, part 2): shards built apart join into one corpus, and
``train`` takes several corpora.

Before: a corpus of a descriptor subset numbered its renders from ``r000000`` like any
other, so two subsets named different renders alike; nothing merged corpora and
``train`` read one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from core.cli import main
from core.corpus import (MANIFEST, CorpusMergeError, generate_corpus, load_corpus,
                         merge_corpora, merged_table)
from core.descriptors import load_dictionary
from core.errors import Cancelled


def _names() -> list[str]:
    active = load_dictionary().active()
    return [active[0].name, active[-1].name]  # two genres, in dictionary order


def _build(out: Path, descriptors: list[str], durations=(12.0,), **kw):
    return generate_corpus(out, per_descriptor=2, durations=durations, seed=3,
                           descriptors=descriptors, jobs=1, **kw)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> dict[str, Path]:
    """``both`` (two descriptors), ``second`` (the second alone: a subset of ``both``),
    ``first`` (the first alone) and ``shorter`` (the second alone, other durations)."""
    root = tmp_path_factory.mktemp("corpora")
    x, y = _names()
    for name, descriptors, durations in [("both", [x, y], (12.0,)), ("second", [y], (12.0,)),
                                         ("first", [x], (12.0,)), ("shorter", [y], (4.0,))]:
        _build(root / name, descriptors, durations)
    return {name: root / name for name in ("both", "second", "first", "shorter")}


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(["source", "window_start"], ignore_index=True)


def test_shards_of_subsets_merge_into_the_full_corpus(corpora, tmp_path):
    info = merge_corpora([corpora["second"], corpora["first"]], tmp_path / "merged")
    both = load_corpus(corpora["both"])
    merged = load_corpus(tmp_path / "merged")
    assert info.n_sources == 4 and info.n_windows == len(both) == 8
    pd.testing.assert_frame_equal(_sorted(merged), _sorted(both))
    manifest = json.loads((tmp_path / "merged" / MANIFEST).read_text())
    assert manifest["identity"]["kind"] == "merged" and len(manifest["identity"]["parts"]) == 2
    assert manifest["label_counts"] == json.loads(
        (corpora["both"] / MANIFEST).read_text())["label_counts"]


def test_a_source_in_both_corpora_is_kept_once(corpora):
    table, _ = merged_table([corpora["both"], corpora["second"], corpora["both"]])
    pd.testing.assert_frame_equal(table, load_corpus(corpora["both"]))


def test_one_id_with_other_rows_is_refused(corpora, tmp_path):
    with pytest.raises(CorpusMergeError, match="is in .*second and in .*shorter with different "
                                               "rows"):
        merge_corpora([corpora["second"], corpora["shorter"]], tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("keys, value, said", [
    (("identity", "pca_version"), "pca-v0", "different PCA basis"),
    (("identity", "feature_names"), ["mfcc_1"], "different feature set .*only in the first"),
    (("identity", "settings", "window"), 5.0, "different analysis settings .*window: 10.0 vs 5.0"),
    (("versions", "librosa"), "0.1.0", "different versions .*librosa"),
    (("identity", "format"), "twintrack-corpus-2", "different corpus format"),
])
def test_corpora_made_differently_are_refused(corpora, tmp_path, keys, value, said):
    other = tmp_path / "other"
    shutil.copytree(corpora["first"], other)
    doc = json.loads((other / MANIFEST).read_text())
    where = doc
    for key in keys[:-1]:
        where = where[key]
    where[keys[-1]] = value
    (other / MANIFEST).write_text(json.dumps(doc))
    with pytest.raises(CorpusMergeError, match=said):
        merge_corpora([corpora["second"], other], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unfinished_or_missing_corpora_and_a_full_output_are_refused(corpora, tmp_path):
    y = _names()[1]
    with pytest.raises(Cancelled):
        _build(tmp_path / "half", [y], cancelled=lambda: True)
    with pytest.raises(CorpusMergeError, match="unfinished build"):
        merge_corpora([corpora["first"], tmp_path / "half"], tmp_path / "out")
    with pytest.raises(CorpusMergeError, match="no corpus.json"):
        merge_corpora([corpora["first"], tmp_path / "nothing"], tmp_path / "out")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("mine\n")
    with pytest.raises(CorpusMergeError, match="not empty"):
        merge_corpora([corpora["first"], corpora["second"]], tmp_path / "full")
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["x.txt"]
    with pytest.raises(CorpusMergeError, match="two corpora"):
        merge_corpora([corpora["first"]], tmp_path / "out")


def test_cli_merges_and_trains_on_several_corpora(corpora, tmp_path, capsys):
    parts = [str(corpora["first"]), str(corpora["second"])]
    assert main(["corpus-merge", *parts, "-o", str(tmp_path / "merged")]) == 0
    assert "4 sources, 8 windows from 2 corpora" in capsys.readouterr().out
    assert main(["train", *parts, "--out", str(tmp_path / "m.skops"), "--kind", "knn"]) == 0
    assert "on 8 windows from 4 sources" in capsys.readouterr().out
    assert main(["corpus-merge", str(corpora["second"]), str(corpora["shorter"]),
                 "-o", str(tmp_path / "clash")]) == 1
    err = capsys.readouterr().err
    assert "different rows" in err and "Traceback" not in err
