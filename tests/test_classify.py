"""Hierarchical descriptor classifiers: consistency, UNK, honest splits, safe persistence.

Most tests use a synthetic corpus: Gaussian clusters per descriptor in the 21-D feature
space (genre + subgenre + mood offsets, so the hierarchy is real), each source shifted
by its own offset and its windows scattered around it, so windows of one source are
closer to each other than to other sources (as overlapping windows of a render are).
The noise/silence test renders a tiny real corpus instead.
"""

from __future__ import annotations

import pickle
import warnings
import zipfile
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from core import classify
from core.classify import estimators, hierarchy
from core.classify import (UNK, DescriptorModel, TrainingError, UntrustedModelError,
                           cross_validate_target, evaluate, load_model, save_model,
                           split_indices)
from core.descriptors import load_dictionary
from core.errors import FormatError
from core.analysis.featureset import FEATURE_NAMES

#: Subgenre names that repeat across genres (ambient, indie) are in on purpose.
PATHS = [("cinematic", "ambient"), ("cinematic", "percussion"), ("electronica", "ambient"),
         ("electronica", "house"), ("pop", "indie"), ("rock", "indie")]


def _descriptors(moods_per_path: int = 2) -> list:
    d = load_dictionary()
    return [d.find(g, s, m) for g, s in PATHS for m in d.children(g, s)[:moods_per_path]]


def synthetic_corpus(*, seed: int = 0, sources: int = 6, windows: int = 8,
                     source_spread: float = 0.6, spread: float = 1.0) -> pd.DataFrame:
    """Windows around ``genre + subgenre + mood`` centres with per-source offsets."""
    rng = np.random.default_rng(seed)
    centre: dict[str, np.ndarray] = {}

    def at(*key: str) -> np.ndarray:
        return centre.setdefault("/".join(key), rng.normal(0.0, spread, len(FEATURE_NAMES)))

    rows = []
    for desc in _descriptors():
        mu = 4 * at(desc.genre) + 2 * at(desc.genre, desc.subgenre) + at(*desc.parts)
        for s in range(sources):
            offset = rng.normal(0.0, source_spread, len(FEATURE_NAMES))
            x = mu + offset + rng.normal(0.0, 0.15, (windows, len(FEATURE_NAMES)))
            for w in range(windows):
                rows.append({"source": f"{desc.name}#{s}", "descriptor": desc.name,
                             **desc.labels(), "window_start": 2.0 * w,
                             "window_end": 2.0 * w + 10.0, **dict(zip(FEATURE_NAMES, x[w]))})
    return pd.DataFrame(rows)


def X(table: pd.DataFrame) -> np.ndarray:
    return table[list(FEATURE_NAMES)].to_numpy()


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return synthetic_corpus()


@pytest.fixture(scope="module", params=["knn", "mlp"])
def fitted(request, corpus) -> tuple[DescriptorModel, pd.DataFrame]:
    """A model of each kind trained on the grouped-split training side (no warnings)."""
    tr, te = split_indices(corpus, split="grouped", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = DescriptorModel.fit(corpus.iloc[tr], kind=request.param, seed=3)
    return model, corpus.iloc[te]


# ----------------------------------------------------------------------------- hierarchy
def test_every_prediction_is_a_consistent_path(fitted, rng):
    model, test = fitted
    d = load_dictionary()
    # Held-out windows plus points between clusters, where flat classifiers disagree.
    mixed = 0.5 * X(test) + 0.5 * X(test)[rng.permutation(len(test))]
    pred = model.predict(np.vstack([X(test), mixed]))
    labels = [dict(zip(pred.labels, v)) for v in zip(*pred.labels.values())]
    assert set(pred.labels) == set(hierarchy.TARGETS)
    known = [lab for lab in labels if lab["genre"] != UNK]
    assert len(known) > len(test) * 0.9
    for lab in known:
        assert d.is_consistent(**lab), lab
    for t, probs in pred.probabilities.items():
        assert all(0.0 <= p <= 1.0 + 1e-9 for p in probs), t


def test_both_kinds_classify_held_out_sources(fitted):
    model, test = fitted
    pred = model.predict(X(test))
    for t in ("genre", "subgenre", "mood", "sentiment"):
        assert np.mean(np.array(pred.labels[t]) == test[t].to_numpy()) > 0.85, t
    assert pred.descriptors()[0] in {*test["descriptor"], UNK}
    assert model.kind in model.version and model.metadata["feature_names"] == list(FEATURE_NAMES)


@pytest.mark.parametrize("kind", ["knn", "mlp"])
def test_same_seed_same_model(corpus, kind):
    small = corpus.iloc[::2]
    a = DescriptorModel.fit(small, kind=kind, seed=7).predict(X(corpus)[::5])
    b = DescriptorModel.fit(small, kind=kind, seed=7).predict(X(corpus)[::5])
    assert a == b


def test_only_labelled_targets_are_modelled(corpus):
    user = corpus.drop(columns=["subgenre", "mood", "valence", "momentum"])
    user = user.assign(sentiment="")  # an unlabelled column
    model = DescriptorModel.fit(user, kind="knn")
    assert model.targets == ("genre",)
    assert set(model.predict(X(corpus)[:3]).labels) == {"genre"}


def test_bad_input_is_refused(corpus, fitted):
    model, _ = fitted
    with pytest.raises(FormatError):
        model.predict(np.zeros((3, 20)))
    with pytest.raises(FormatError):
        DescriptorModel.fit(corpus.drop(columns=["tempo"]))
    with pytest.raises(TrainingError):
        DescriptorModel.fit(corpus.iloc[:0])
    assert model.predict(np.zeros((0, 21))).labels["genre"] == ()


# ----------------------------------------------------------------------------- splits
def test_grouped_split_never_shares_a_source(corpus):
    for seed in range(3):
        tr, te = split_indices(corpus, split="grouped", seed=seed)
        assert not set(corpus.source.iloc[tr]) & set(corpus.source.iloc[te])
        assert 0.15 < len(te) / len(corpus) < 0.35
        # every descriptor is on both sides
        assert set(corpus.descriptor.iloc[te]) == set(corpus.descriptor)


def test_window_split_leaks_through_shared_sources():
    # Sources scattered further than descriptors are apart: only leakage makes this easy.
    hard = synthetic_corpus(seed=1, source_spread=2.5, spread=0.5)
    tr, te = split_indices(hard, split="window", seed=0)
    assert set(hard.source.iloc[tr]) & set(hard.source.iloc[te])
    grouped = evaluate(hard, kind="knn", split="grouped", seed=0, calibrate=False)
    window = evaluate(hard, kind="knn", split="window", seed=0, calibrate=False)
    assert window.accuracy["mood"] > grouped.accuracy["mood"] + 0.2


def test_evaluation_reports_and_confusion_files(corpus, tmp_path):
    ev = evaluate(corpus, kind="knn", split="grouped", seed=0)
    assert set(ev.accuracy) == {*hierarchy.TARGETS, "descriptor"}
    assert ev.accuracy["genre"] > 0.9 and ev.n_test + ev.n_train == len(corpus)
    assert set(ev.source_accuracy) == set(hierarchy.TARGETS) and ev.source_accuracy["genre"] > 0.9
    cm = ev.confusion["genre"]
    assert int(cm.to_numpy().sum()) == ev.n_test and "precision" in ev.reports["genre"]
    files = ev.write(tmp_path)
    assert len(files) == 18 and all(f.exists() for f in files)
    png = tmp_path / "confusion_knn_grouped_genre.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(ev.write(tmp_path / "plain", png=False)) == 12
    back = pd.read_csv(tmp_path / "confusion_knn_grouped_genre.csv", index_col=0)
    assert back.to_numpy().tolist() == cm.to_numpy().tolist()


def test_cross_validation_on_a_separable_corpus(corpus):
    acc = cross_validate_target(corpus, target="genre", cv=5, kind="knn")
    assert 0.9 < acc <= 1.0
    assert classify.format_accuracy("genre", acc).startswith("genre accuracy: ")
    with pytest.raises(TrainingError):
        cross_validate_target(corpus[corpus.source.isin(corpus.source.unique()[:3])],
                              target="genre", cv=5)


# ----------------------------------------------------------------------------- UNK
def test_far_points_are_unk_and_in_distribution_mostly_not(fitted):
    model, test = fitted
    far = X(test)[:5] + 50.0
    odd = np.vstack([far, np.full((1, 21), np.nan), -far])
    pred = model.predict(odd)
    for t in model.targets:
        assert set(pred.labels[t]) == {UNK} and set(pred.probabilities[t]) == {0.0}
    assert set(pred.descriptors()) == {UNK}
    # The nearest path is still a consistent descriptor path, except for the NaN row.
    d = load_dictionary()
    nearest = [dict(zip(pred.nearest, v)) for v in zip(*pred.nearest.values())]
    assert nearest[5] == {t: UNK for t in model.targets}
    for lab in nearest[:5] + nearest[6:]:
        assert d.is_consistent(**lab), lab
    assert all(v > 1.0 for v in pred.novelty)
    held = model.predict(X(test))
    assert np.mean(np.array(held.labels["genre"]) == UNK) < 0.1


def test_without_calibration_nothing_is_unk(corpus):
    model = DescriptorModel.fit(corpus, kind="knn", calibrate=False)
    assert UNK not in model.predict(X(corpus)[:3] + 50.0).labels["genre"]


# ----------------------------------------------------------------------------- persistence
def test_skops_round_trip_predicts_identically(fitted, tmp_path):
    model, test = fitted
    model = model.with_metrics({"accuracy": {"genre": 1.0}})
    path = tmp_path / "model.skops"
    save_model(model, path)
    back = load_model(path)
    x = np.vstack([X(test), X(test)[:3] + 50.0])
    assert back.predict(x) == model.predict(x)
    assert back.version == model.version and back.metadata == dict(model.metadata)
    assert back.metadata["metrics"]["accuracy"]["genre"] == 1.0
    assert not list(tmp_path.glob(".*tmp*"))  # written atomically, nothing left over


def test_adam_mlp_converges_and_round_trips(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(estimators, "MLP_ADAM_MIN", 100)  # the full-corpus solver, on a small one
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = DescriptorModel.fit(corpus.iloc[::2], kind="mlp", seed=1)
    assert model.estimators["genre"].named_steps["clf"].estimators_[0].solver == "adam"
    save_model(model, tmp_path / "adam.skops")
    assert load_model(tmp_path / "adam.skops").predict(X(corpus)) == model.predict(X(corpus))


class _Marker:
    """Creates its marker file when unpickled or rebuilt: must never happen."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))

    def __setstate__(self, state):
        open(state["path"], "w").close()


def test_pickle_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    for name in ("model.skops", "model.pkl"):
        path = tmp_path / name
        path.write_bytes(pickle.dumps(_Marker(str(marker))))
        with pytest.raises(UntrustedModelError, match="not a Twintrack model"):
            load_model(path)
    assert not marker.exists()


def test_unexpected_types_in_a_skops_file_are_refused(fitted, tmp_path):
    import skops.io as sio
    from sklearn.ensemble import RandomForestClassifier

    model, _ = fitted
    marker = tmp_path / "ran"
    state = {"format": hierarchy.FORMAT, "metadata": "{}", "estimators": {}}
    obj = _Marker.__new__(_Marker)
    obj.__dict__["path"] = str(marker)
    cases = {"custom": obj,  # an arbitrary class with side effects on load
             "sklearn": RandomForestClassifier(n_estimators=1)}  # trusted by skops, not us
    for name, extra in cases.items():
        path = tmp_path / f"{name}.skops"
        sio.dump({**state, "extra": extra}, path)
        with pytest.raises(UntrustedModelError, match="refused") as info:
            load_model(path)
        assert type(extra).__name__ in str(info.value)
    assert not marker.exists()


def test_damaged_or_foreign_files_are_refused(tmp_path, rng):
    junk = tmp_path / "junk.skops"
    junk.write_bytes(rng.bytes(2048))
    with pytest.raises(UntrustedModelError):
        load_model(junk)
    empty_zip = tmp_path / "empty.skops"
    with zipfile.ZipFile(empty_zip, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(UntrustedModelError):
        load_model(empty_zip)
    with pytest.raises(FormatError):
        load_model(tmp_path / "missing.skops")


def test_incomplete_skops_state_is_refused(tmp_path):
    import skops.io as sio

    path = tmp_path / "partial.skops"
    sio.dump({"format": hierarchy.FORMAT, "metadata": "{}", "estimators": {"genre": [1]}}, path)
    with pytest.raises(FormatError, match="not a complete"):
        load_model(path)


@pytest.mark.parametrize("change", [{"feature_names": list(FEATURE_NAMES)[::-1]},
                                    {"pca": "pca-v0"}])
def test_models_for_other_features_are_refused(fitted, tmp_path, change):
    model, _ = fitted
    path = tmp_path / "other.skops"
    save_model(replace(model, metadata={**model.metadata, **change}), path)
    with pytest.raises(FormatError, match="retrain"):
        load_model(path)


def test_train_and_save_records_metrics(corpus, tmp_path):
    path = tmp_path / "m.skops"
    model = classify.train_and_save(corpus, path, kind="knn", seed=1, description="synthetic")
    meta = load_model(path).metadata
    assert meta["corpus"]["description"] == "synthetic" and meta["kind"] == "knn"
    assert meta["metrics"]["accuracy"]["genre"] > 0.9 and meta["version"] == model.version
    assert meta["dictionary"] == load_dictionary().version and meta["unk"]["threshold"] > 0


# ----------------------------------------------------------------------------- real audio
def _render_features(name: str, *, seed: int, seconds: float = 20.0) -> np.ndarray:
    from core.analysis.pipeline import window_feature_table
    from core.analysis.audio import audio_from_array
    from core.render.planning import instrumentation
    from core.render.engine import render_timeline
    from core.render.timeline import Timeline

    desc = load_dictionary().by_name(name)
    bpm = (desc.tags.tempo_min + desc.tags.tempo_max) / 2 + seed % 5
    timeline = Timeline.from_regions((0.0, seconds), descriptors=[name],
                                     keys=[("D", desc.tags.mode)], tempi=[bpm],
                                     instrument_groups=[instrumentation(desc, seed=seed)])
    render = render_timeline(timeline, seed=seed)
    return window_feature_table(audio_from_array(render.audio, render.sr))[1]


def _audio_features(y: np.ndarray, sr: int = 22050) -> np.ndarray:
    from core.analysis.pipeline import window_feature_table
    from core.analysis.audio import audio_from_array

    return window_feature_table(audio_from_array(y.astype(np.float32), sr))[1]


@pytest.mark.slow
def test_noise_and_silence_are_unk_on_real_features(rng):
    names = ["rock_hard_aggressive", "cinematic_ambient_ethereal", "hip_hop_trap_dark"]
    rows = []
    for name in names:
        for seed in range(2):
            feats = _render_features(name, seed=seed, seconds=14.0)
            rows += [{"source": f"{name}#{seed}", "descriptor": name,
                      **load_dictionary().by_name(name).labels(), **dict(zip(FEATURE_NAMES, f))}
                     for f in feats]
    model = DescriptorModel.fit(pd.DataFrame(rows), kind="knn", seed=0)
    sr = 22050
    noise = _audio_features(0.3 * rng.standard_normal(14 * sr), sr)
    quiet = _audio_features(1e-5 * rng.standard_normal(14 * sr), sr)
    for feats in (noise, quiet):
        assert set(model.predict(feats).labels["genre"]) == {UNK}
    fresh = model.predict(_render_features(names[0], seed=99, seconds=14.0))
    assert np.mean(np.array(fresh.labels["genre"]) == UNK) <= 0.5


def test_a_model_of_another_feature_set_reads_only_that_set(corpus, tmp_path):
    from core.analysis.featureset import EXTENDED_NAMES, feature_names

    rng = np.random.default_rng(5)
    wide = corpus.copy()
    # The extra columns carry the genre too (as the extended features do on renders).
    codes = wide["genre"].astype("category").cat.codes.to_numpy()
    for i, name in enumerate(EXTENDED_NAMES):
        wide[name] = codes * (i % 3) + rng.normal(0.0, 0.1, len(wide))
    model = DescriptorModel.fit(wide, kind="knn", seed=0, feature_set="extended-v1")
    assert model.feature_set == "extended-v1"
    assert model.metadata["feature_names"] == list(feature_names("extended-v1"))
    x = wide[list(feature_names("extended-v1"))].to_numpy()
    with pytest.raises(FormatError, match="extended-v1"):
        model.predict(X(wide))
    assert np.mean(np.array(model.predict(x).labels["genre"]) == wide["genre"]) > 0.9
    save_model(model, tmp_path / "wide.skops")
    back = load_model(tmp_path / "wide.skops")
    assert back.feature_set == "extended-v1"
    assert back.predict(x[:7]).labels == model.predict(x[:7]).labels
    assert DescriptorModel.fit(corpus, kind="knn").version != model.version
    with pytest.raises(FormatError, match="rebuild"):
        DescriptorModel.fit(corpus, kind="knn", feature_set="extended-v1")


def test_targets_can_read_part_of_the_set(corpus, tmp_path):
    """extended-v4: the harmony above the bass (MID_NAMES) feeds mood and sentiment; the
    genre, subgenre, valence and momentum classifiers read extended-v3 only."""
    from core.analysis.featureset import MID_NAMES, feature_names

    rng = np.random.default_rng(6)
    codes = corpus["genre"].astype("category").cat.codes.to_numpy()
    extra = {n: rng.normal(0.0, 1.0, len(corpus)) for n in feature_names("wide-v2")
             if n not in corpus}
    # A signal the mid-harmony readers can use.
    extra.update({n: codes * 3.0 + rng.normal(0.0, 0.1, len(corpus)) for n in MID_NAMES})
    wide = pd.concat([corpus, pd.DataFrame(extra, index=corpus.index)], axis=1)
    model = DescriptorModel.fit(wide, kind="knn", seed=0, feature_set="extended-v4",
                                calibrate=False)
    assert model.metadata["target_features"] == {
        "genre": "extended-v3", "subgenre": "extended-v3", "valence": "extended-v3",
        "momentum": "extended-v3"}
    width = {k: e.named_steps["scale"].n_features_in_ for k, e in model.estimators.items()
             if not isinstance(e, str)}
    assert width["genre"] == len(feature_names("extended-v3"))
    assert width["sentiment"] == len(feature_names("extended-v4"))
    assert {w for k, w in width.items() if k.startswith('["mood"')} == {
        len(feature_names("extended-v4"))}
    x = wide[list(feature_names("extended-v4"))].to_numpy()
    # Noise in the mid-harmony columns moves mood and sentiment, never the genre.
    mid = [feature_names("extended-v4").index(n) for n in MID_NAMES]
    noisy = x.copy()
    noisy[:, mid] = rng.normal(0.0, 1.0, (len(x), len(mid)))
    genre = model.estimators["genre"]
    cols = [feature_names("extended-v4").index(n) for n in feature_names("extended-v3")]
    np.testing.assert_array_equal(genre.predict_proba(x[:, cols]),
                                  genre.predict_proba(noisy[:, cols]))
    a, b = model.predict(x), model.predict(noisy)
    assert a.labels["sentiment"] != b.labels["sentiment"]
    save_model(model, tmp_path / "v4.skops")
    back = load_model(tmp_path / "v4.skops")
    assert back.metadata["target_features"] == model.metadata["target_features"]
    assert back.predict(x[:9]).labels == model.predict(x[:9]).labels
    assert model.version != DescriptorModel.fit(wide, kind="knn", seed=0,
                                                feature_set="extended-v3",
                                                calibrate=False).version


def test_knn_finds_neighbours_in_the_discriminant_space_of_the_paths(corpus):
    """73 columns of pure noise beside the 21 informative ones: among standardised
    features the noise decides who is near; in the linear discriminant space of the
    label paths (estimators.KNN_SPACE) the informative directions do."""
    from core.analysis.featureset import EXTENDED_NAMES, feature_names

    rng = np.random.default_rng(7)
    noise = pd.DataFrame({n: rng.normal(0.0, 1.0, len(corpus)) for n in EXTENDED_NAMES},
                         index=corpus.index)
    wide = pd.concat([corpus, noise], axis=1)
    tr, te = split_indices(wide, split="grouped", seed=0)
    model = DescriptorModel.fit(wide.iloc[tr], kind="knn", seed=0, calibrate=False,
                                feature_set="extended-v1")
    assert model.metadata["knn_space"] == estimators.KNN_SPACE
    assert "lda" in model.estimators["genre"].named_steps
    x = wide[list(feature_names("extended-v1"))].to_numpy()
    got = model.predict(x[te]).labels
    plain = estimators._estimator("knn", len(tr), 0, ovr=False).fit(x[tr], wide["mood"].iloc[tr])
    truth = wide["mood"].iloc[te].to_numpy()
    ours, theirs = np.mean(np.array(got["mood"]) == truth), np.mean(plain.predict(x[te]) == truth)
    assert ours > theirs + 0.1, (ours, theirs)


def test_a_model_saved_with_another_scikit_learn_is_refused_by_name(corpus, tmp_path,
                                                                     monkeypatch):
    import sklearn

    from core.errors import FormatError

    path = tmp_path / "m.skops"
    classify.train_and_save(corpus, path, kind="knn", seed=1, description="synthetic")
    saved = load_model(path).metadata["scikit_learn"]
    assert saved == sklearn.__version__
    major, minor = sklearn.__version__.split(".")[:2]
    monkeypatch.setattr(sklearn, "__version__", f"{major}.{minor}.99")  # a patch: fine
    load_model(path)
    monkeypatch.setattr(sklearn, "__version__", f"{major}.{int(minor) + 1}.0")
    with pytest.raises(FormatError, match=f"saved with scikit-learn {saved}"):
        load_model(path)
