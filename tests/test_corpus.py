"""The training corpus: planning, determinism, resuming, parallel == serial, user corpora."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from core.corpus import (ALL_FEATURES, COLUMNS, MANIFEST, TABLE, CorpusMismatchError,
                         corpus_from_csv, corpus_from_folder, generate_corpus, load_corpus,
                         plan_renders)
from core.descriptors import load_dictionary
from core.errors import Cancelled, FormatError, TwintrackError
from core.analysis.featureset import FEATURE_NAMES, PCA_VERSION
from core.record import TARGETS

DURATIONS = (4.0, 12.0)  # one window, and two (10 s windows at a 2 s stride)
WINDOWS = {4.0: 1, 12.0: 2}


def _names(n: int) -> list[str]:
    active = load_dictionary().active()
    return [active[0].name, active[len(active) // 2].name, active[-1].name][:n]


def _build(out: Path, **kw):
    args = dict(per_descriptor=2, durations=DURATIONS, descriptors=_names(2), jobs=1)
    return generate_corpus(out, **{**args, **kw})


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    return _build(out), load_corpus(out)


# ----------------------------------------------------------------------------- planning
def test_plan_cycles_durations_and_follows_the_dictionary():
    d = load_dictionary()
    names = _names(3)
    plan = plan_renders(per_descriptor=20, durations=(10, 30, 60), seed=0, descriptors=names)
    assert len(plan) == 60
    for name in names:
        mine = [j for j in plan if j.descriptor == name]
        assert Counter(j.duration for j in mine) == {10.0: 7, 30.0: 7, 60.0: 6}
        desc = d.by_name(name)
        assert all(dict(j.labels) == desc.labels() for j in mine)
        assert all(desc.tags.tempo_min <= j.tempo <= desc.tags.tempo_max for j in mine)
        family = "major" if desc.tags.mode in ("major", "lydian", "mixolydian") else "minor"
        assert {j.mode for j in mine} == {family}
        assert all(set(j.groups) <= set(desc.tags.instrument_groups) for j in mine)
    assert len({j.seed for j in plan}) == len(plan)
    assert [j.source for j in plan] == [f"{j.descriptor}-s0-{i % 20:03d}"
                                        for i, j in enumerate(plan)]
    again = plan_renders(per_descriptor=20, durations=(10, 30, 60), seed=0, descriptors=names)
    assert again == plan
    other = plan_renders(per_descriptor=20, durations=(10, 30, 60), seed=1, descriptors=names)
    assert [j.tempo for j in other] != [j.tempo for j in plan]


def test_plan_of_one_descriptor_does_not_depend_on_the_others():
    names = _names(3)
    alone = plan_renders(per_descriptor=3, durations=(10,), seed=5, descriptors=names[1:2])
    among = plan_renders(per_descriptor=3, durations=(10,), seed=5, descriptors=names)
    key = lambda j: (j.tempo, j.tonic, j.seed, j.groups)  # noqa: E731
    assert [key(j) for j in alone] == [key(j) for j in among if j.descriptor == names[1]]


def test_a_subset_corpus_names_each_render_as_the_full_one_does():
    """Source ids come from descriptor, seed and number, not from the plan's positions
    (before: both corpora started at r000000, so their shards could not be merged)."""
    names = _names(3)
    full = plan_renders(per_descriptor=3, durations=(10,), seed=5, descriptors=names)
    for name in names:
        alone = plan_renders(per_descriptor=3, durations=(10,), seed=5, descriptors=[name])
        same = [j for j in full if j.descriptor == name]
        assert [(j.source, j.seed, j.tempo) for j in alone] == [
            (j.source, j.seed, j.tempo) for j in same]
    assert len({j.source for j in full}) == 9
    other = plan_renders(per_descriptor=3, durations=(10,), seed=6, descriptors=names)
    assert not {j.source for j in other} & {j.source for j in full}


def test_plan_refuses_bad_arguments():
    with pytest.raises(TwintrackError, match="per_descriptor"):
        plan_renders(per_descriptor=0, durations=(10,), seed=0)
    with pytest.raises(TwintrackError, match="did you mean|unknown descriptor"):
        plan_renders(per_descriptor=1, durations=(10,), seed=0, descriptors=["no_such_thing"])


# ----------------------------------------------------------------------------- renders
def test_table_shape_rows_and_labels(serial):
    info, df = serial
    assert list(df.columns) == list(COLUMNS)
    assert info.n_sources == 4 and info.n_failed == 0 and info.n_windows == len(df) == 6
    d = load_dictionary()
    for source, rows in df.groupby("source", sort=False):
        first = rows.iloc[0]
        assert len(rows) == WINDOWS[first["duration"]]
        assert {k: first[k] for k in TARGETS} == d.by_name(first["descriptor"]).labels()
        assert rows["window_start"].tolist() == sorted(rows["window_start"])
        assert (rows["window_end"] <= first["duration"] + 1e-9).all()
    assert np.isfinite(df[list(ALL_FEATURES)].to_numpy()).all()
    assert ALL_FEATURES[:len(FEATURE_NAMES)] == FEATURE_NAMES
    manifest = json.loads((info.out_dir / MANIFEST).read_text())
    assert manifest["status"] == "complete"
    assert manifest["identity"]["pca_version"] == PCA_VERSION
    assert manifest["identity"]["feature_names"] == list(ALL_FEATURES)
    assert manifest["counts"] == {"sources": 4, "with_rows": 4, "failed": 0, "windows": 6}


def test_same_arguments_same_table_and_parallel_equals_serial(serial, tmp_path):
    _, df = serial
    _build(tmp_path / "again")
    pd.testing.assert_frame_equal(load_corpus(tmp_path / "again"), df)
    info = _build(tmp_path / "parallel", jobs=2)
    assert info.n_windows == len(df)
    pd.testing.assert_frame_equal(load_corpus(tmp_path / "parallel"), df)


@pytest.mark.parametrize("jobs", [1, 2])
def test_cancel_then_resume_gives_the_uninterrupted_table(serial, tmp_path, jobs):
    _, df = serial
    out = tmp_path / "resumed"
    finished: list[str] = []

    def progress(fraction: float, stage: str) -> None:
        if "-s0-" in stage:  # one call per finished render (its source id)
            finished.append(stage)

    with pytest.raises(Cancelled):
        _build(out, jobs=jobs, progress=progress, cancelled=lambda: len(finished) >= 2)
    shards = sorted((out / "shards").glob("*.parquet"))
    # Serial stops right after the 2nd render; workers may finish the render they hold.
    assert len(shards) == 2 if jobs == 1 else len(shards) >= 2
    assert not (out / TABLE).exists()
    with pytest.raises(FormatError, match="resume"):
        load_corpus(out)
    info = _build(out, jobs=jobs)
    assert info.n_resumed == len(shards) and info.new_sources == 4 - len(shards)
    pd.testing.assert_frame_equal(load_corpus(out), df)


def test_resuming_with_other_arguments_is_refused(serial, tmp_path):
    info, _ = serial
    with pytest.raises(CorpusMismatchError, match="per_descriptor: was 2, now 3"):
        _build(info.out_dir, per_descriptor=3)
    with pytest.raises(CorpusMismatchError, match="durations"):
        _build(info.out_dir, durations=(4.0,))
    (tmp_path / "music").mkdir()
    (tmp_path / "music" / "song.wav").write_bytes(b"not a corpus")
    with pytest.raises(CorpusMismatchError, match="not empty"):
        _build(tmp_path / "music")


# ----------------------------------------------------------------------------- user audio
def _wav(path: Path, seconds: float, freq: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * 22050)) / 22050
    y = 0.3 * np.sin(2 * np.pi * freq * t) * (1 + 0.5 * np.sin(2 * np.pi * 2 * t))
    sf.write(path, np.stack([y, y], axis=1).astype(np.float32), 22050)


@pytest.fixture
def labelled(tmp_path) -> Path:
    root = tmp_path / "genres"
    _wav(root / "blues" / "b1.wav", 3.0, 220.0)
    _wav(root / "blues" / "live" / "b2.wav", 12.0, 330.0)
    _wav(root / "jazz" / "j1.wav", 5.0, 440.0)
    (root / "jazz" / "broken.wav").write_bytes(b"RIFF but not really a wave file")
    (root / "jazz" / "notes.txt").write_text("not audio, not listed")
    _wav(root / "loose.wav", 3.0, 110.0)  # no label folder: left out
    return root


def test_folder_corpus_labels_from_subfolders_and_skips_bad_files(labelled, tmp_path):
    info = corpus_from_folder(labelled, tmp_path / "out", jobs=2)
    df = load_corpus(tmp_path / "out")
    assert Counter(df["source"]) == {"blues/b1.wav": 1, "blues/live/b2.wav": 2, "jazz/j1.wav": 1}
    assert dict(zip(df["source"], df["genre"])) == {"blues/b1.wav": "blues",
                                                    "blues/live/b2.wav": "blues",
                                                    "jazz/j1.wav": "jazz"}
    assert (df[["subgenre", "mood", "descriptor"]] == "").all().all()
    assert df["tempo_asked"].isna().all() and df["seed"].isna().all()
    assert df.loc[df["source"] == "jazz/j1.wav", "duration"].item() == pytest.approx(5.0)
    assert info.n_failed == 1 and info.errors[0].startswith("jazz/broken.wav: ")
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert manifest["errors"] == list(info.errors)
    assert manifest["status"] == "complete with errors"
    again = corpus_from_folder(labelled, tmp_path / "out", jobs=1)  # resumes: retries the bad
    assert again.n_resumed == 3 and again.n_failed == 1
    with pytest.raises(CorpusMismatchError, match="target"):
        corpus_from_folder(labelled, tmp_path / "out", target="mood")


def test_folder_target_names_the_label(labelled, tmp_path):
    corpus_from_folder(labelled, tmp_path / "out", target="mood", jobs=1)
    df = load_corpus(tmp_path / "out")
    assert set(df["mood"]) == {"blues", "jazz"} and set(df["genre"]) == {""}
    with pytest.raises(TwintrackError, match="unknown target"):
        corpus_from_folder(labelled, tmp_path / "x", target="colour")


def test_csv_corpus_relative_and_absolute_paths(labelled, tmp_path):
    table = tmp_path / "labels.csv"
    absolute = labelled / "jazz" / "j1.wav"
    table.write_text("Path,mood,valence,comment\n"
                     "genres/blues/b1.wav,sad,0,first\n"
                     f"{absolute},happy,2,\n"
                     "genres/missing.wav,calm,1,gone\n"
                     "genres/jazz/broken.wav,calm,1,\n", encoding="utf-8")
    info = corpus_from_csv(table, tmp_path / "out", jobs=1)
    df = load_corpus(tmp_path / "out")
    assert df["source"].tolist() == ["genres/blues/b1.wav", absolute.as_posix()]
    assert df["mood"].tolist() == ["sad", "happy"] and df["valence"].tolist() == ["0", "2"]
    assert (df["genre"] == "").all()
    assert [e.split(":")[0] for e in info.errors] == ["genres/missing.wav",
                                                     "genres/jazz/broken.wav"]
    assert "no such file" in info.errors[0]


@pytest.mark.parametrize("text, problem", [
    ("file,genre\na.wav,rock\n", "path"),
    ("path,comment\na.wav,x\n", "path"),
    ("path,genre\na.wav,rock\na.wav,pop\n", "listed twice"),
    ("path,genre\n,rock\n", "empty path"),
    ("path,genre\n", "no rows"),
])
def test_csv_problems_are_format_errors(tmp_path, text, problem):
    table = tmp_path / "labels.csv"
    table.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError, match=problem):
        corpus_from_csv(table, tmp_path / "out")


# ----------------------------------------------------------------------------- loading
def test_load_corpus_validates(serial, tmp_path):
    _, df = serial
    df.drop(columns=["pca_2"]).to_parquet(tmp_path / "a.parquet")
    with pytest.raises(FormatError, match="missing column.*pca_2"):
        load_corpus(tmp_path / "a.parquet")
    df.rename(columns={"tempo": "bpm"}).to_parquet(tmp_path / "b.parquet")
    with pytest.raises(FormatError, match="unexpected: bpm"):
        load_corpus(tmp_path / "b.parquet")
    bad = df.copy()
    bad.loc[0, "rms_mean"] = np.nan
    bad.to_parquet(tmp_path / "c.parquet")
    with pytest.raises(FormatError, match="rms_mean"):
        load_corpus(tmp_path / "c.parquet")
    (tmp_path / "d.parquet").write_bytes(b"garbage")
    with pytest.raises(FormatError, match="Parquet"):
        load_corpus(tmp_path / "d.parquet")
    with pytest.raises(FormatError, match="no corpus table"):
        load_corpus(tmp_path / "nowhere")
    reordered = df[list(reversed(df.columns))]
    reordered.to_parquet(tmp_path / "e.parquet")
    pd.testing.assert_frame_equal(load_corpus(tmp_path / "e.parquet"), df)


def test_load_corpus_refuses_another_pca_basis(serial, tmp_path):
    info, df = serial
    out = tmp_path / "old"
    out.mkdir()
    df.to_parquet(out / TABLE)
    manifest = json.loads((info.out_dir / MANIFEST).read_text())
    manifest["identity"]["pca_version"] = "pca-v0"
    (out / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(FormatError, match="pca-v0"):
        load_corpus(out)


def test_a_format_1_table_with_only_default21_still_loads(serial, tmp_path):
    """Corpora built before the extended features load; models of default21 train on them."""
    _, df = serial
    old = df[[c for c in df.columns if c not in ALL_FEATURES or c in FEATURE_NAMES]]
    path = tmp_path / "old.parquet"
    old.to_parquet(path)
    back = load_corpus(path)
    assert list(back.columns) == list(old.columns)
    from core.classify import TrainingError, evaluate
    from core.errors import FormatError

    with pytest.raises(FormatError, match="rebuild"):
        try:
            evaluate(back, kind="knn", feature_set="extended-v1")
        except TrainingError:  # too few sources to split: fit directly instead
            from core.classify import DescriptorModel
            DescriptorModel.fit(back, feature_set="extended-v1")
