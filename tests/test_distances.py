"""Set distances between an original and its renders (core.evaluation.distances): known
answers for the densities, the overlapping area and the KL divergence, without audio."""

from __future__ import annotations

import csv
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from core.evaluation.distances import (CSV_HEADER, DistanceError, densities, feature_distances,
                                       feedback_tables, kde, kl_divergence, overlap_area,
                                       write_distances_csv)
from core.record import TARGETS


def _with_features(analysis, values):
    """``analysis`` with one window per row of ``values`` (columns: its feature names)."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    w = replace(analysis.windows, start=tuple(float(i) for i in range(n)),
                end=tuple(float(i + 1) for i in range(n)),
                features=tuple(tuple(float(v) for v in row) for row in values),
                tempo=(120.0,) * n, tempo_confidence=(0.5,) * n, tonic=("C",) * n,
                mode=("major",) * n, key_confidence=(0.5,) * n)
    return replace(analysis, windows=w)


def _normal_grid(m1, s1, m2, s2):
    grid = np.linspace(min(m1 - 10 * s1, m2 - 10 * s2), max(m1 + 10 * s1, m2 + 10 * s2), 4001)
    return grid, stats.norm.pdf(grid, m1, s1), stats.norm.pdf(grid, m2, s2)


def test_kde_equals_scipy_gaussian_kde():
    x = np.random.default_rng(1).gamma(2.0, 1.5, 300)
    grid = np.linspace(-2, 15, 200)
    assert np.allclose(kde(x, grid), stats.gaussian_kde(x)(grid), rtol=1e-10, atol=1e-14)


def test_oa_and_kl_of_two_normal_densities_match_the_closed_forms():
    m1, s1, m2, s2 = 0.0, 1.0, 1.5, 2.0
    grid, p, q = _normal_grid(m1, s1, m2, s2)
    kl = np.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - 0.5
    assert kl_divergence(grid, p, q) == pytest.approx(kl, abs=1e-4)
    # Equal spreads: the densities cross half-way, OA = 2 Phi(-|m1 - m2| / 2s).
    grid, p, q = _normal_grid(0.0, 1.0, 1.5, 1.0)
    assert overlap_area(grid, p, q) == pytest.approx(2 * stats.norm.cdf(-0.75), abs=1e-4)


def test_samples_of_two_normals_give_oa_and_kl_near_the_closed_forms():
    rng = np.random.default_rng(7)
    a, b = rng.normal(0.0, 1.0, 4000), rng.normal(1.0, 1.0, 4000)
    grid, p, q = densities(a, b)
    # The kernel widens each set by its bandwidth (~0.19 sd here), hence the tolerance.
    assert overlap_area(grid, p, q) == pytest.approx(2 * stats.norm.cdf(-0.5), abs=0.03)
    assert kl_divergence(grid, p, q) == pytest.approx(0.5, abs=0.05)


def test_identical_and_disjoint_window_sets(small_analysis):
    rng = np.random.default_rng(3)
    n_feat = len(small_analysis.windows.feature_names)
    values = rng.normal(size=(40, n_feat))
    original = _with_features(small_analysis, values)
    same = feature_distances(original, [_with_features(small_analysis, values[:20]),
                                        _with_features(small_analysis, values[20:])])
    assert [d.feature for d in same] == list(small_analysis.windows.feature_names)
    assert all(d.overlap == pytest.approx(1.0) and d.kl == pytest.approx(0.0, abs=1e-12)
               for d in same)
    far = feature_distances(original, [_with_features(small_analysis, values + 100.0)])
    assert all(d.overlap < 1e-6 and d.kl > 10 for d in far)
    assert far[0].renders_mean == pytest.approx(far[0].original_mean + 100.0)


def test_a_constant_feature_still_compares(small_analysis):
    n_feat = len(small_analysis.windows.feature_names)
    original = _with_features(small_analysis, np.ones((5, n_feat)))
    (d, *_) = feature_distances(original, [_with_features(small_analysis, np.ones((3, n_feat)))])
    assert d.overlap == pytest.approx(1.0) and d.kl == pytest.approx(0.0, abs=1e-12)
    assert np.isfinite(d.original).all()


def test_bad_input_is_a_clear_error(small_analysis):
    with pytest.raises(DistanceError, match="no render"):
        feature_distances(small_analysis, [])
    other = replace(small_analysis, windows=replace(
        small_analysis.windows, feature_names=small_analysis.windows.feature_names[:-1]))
    with pytest.raises(DistanceError, match="same version"):
        feature_distances(small_analysis, [other])


def test_csv_reads_back(small_analysis, tmp_path):
    rng = np.random.default_rng(5)
    n_feat = len(small_analysis.windows.feature_names)
    dist = feature_distances(_with_features(small_analysis, rng.normal(size=(30, n_feat))),
                             [_with_features(small_analysis, rng.normal(size=(30, n_feat)))])
    path = tmp_path / "d.csv"
    write_distances_csv(path, dist)
    rows = list(csv.DictReader(path.open()))
    assert ",".join(rows[0]) == CSV_HEADER and len(rows) == n_feat
    assert [float(r["overlap_area"]) for r in rows] == pytest.approx(
        [d.overlap for d in dist], abs=1e-6)


def test_feedback_tables_are_the_loop_per_title_and_per_target(small_analysis):
    from core.evaluation.feedback import compare_multi
    from core.render.timeline import Timeline

    d1 = ("pop", "indie", "hopeful", "positive", "2", "2")
    d2 = ("rock", "indie", "driving", "positive", "1", "3")

    def labelled(paths):
        labels = {t: tuple(p[i] for p in paths) for i, t in enumerate(TARGETS)}
        probs = {t: (0.8,) * len(paths) for t in TARGETS}
        return small_analysis.with_labels(labels, probs, "m", nearest=labels)

    original = labelled([d1, d2, d1])
    tl = Timeline.from_regions((0.0, 12.5, 21.0, 30.0), descriptors=[
        "pop_indie_hopeful", "rock_indie_driving", "pop_indie_hopeful"],
        keys=[("C", "major")] * 3, tempi=[120.0] * 3, instrument_groups=[()] * 3)
    renders = [("v1", tl, labelled([d1, d2, d2])), ("v2", tl, labelled([d1, d2, d1]))]
    comparison, per_title, per_target = feedback_tables(original, renders)
    assert [r["title"] for r in per_title] == ["v1", "v2", "mean"]
    assert per_title[0]["genre"] == compare_multi("v1", tl, renders[0][2], original
                                                  ).targets["genre"] == pytest.approx(2 / 3)
    assert per_title[1]["genre"] == 1.0
    assert per_title[2]["genre"] == pytest.approx(5 / 6) == comparison.targets["genre"]
    assert [r["target"] for r in per_target] == list(TARGETS)
    assert per_target[0]["agreement"] == pytest.approx(5 / 6)


def test_the_shipped_map_projects_like_the_corpus_fit(small_analysis):
    """The map's fixed projection is standardise-then-PCA: orthonormal axes, a window
    built from them lands at its coordinates."""
    from core.evaluation.space import load_space

    space = load_space()
    assert space.provenance["windows"] > 1000 and len(space.descriptors) >= 100
    assert space.components.shape == (2, len(space.feature_names))
    # Orthonormal principal axes (what scikit-learn's PCA fitted).
    assert space.components @ space.components.T == pytest.approx(np.eye(2), abs=1e-9)
    x = space.mean + space.scale * (2 * space.components[0] - space.components[1])
    assert space.project(x[None, :], space.feature_names)[0] == pytest.approx([2.0, -1.0])
    path = space.track_path(small_analysis)
    assert path.xy.shape == (3, 2) and list(path.times) == [5.0, 15.0, 25.0]
    assert path.name == "t\u00e9st track.wav"


def test_the_map_says_which_features_are_missing(small_analysis, tmp_path):
    from core.errors import FormatError
    from core.evaluation.space import load_space

    space = load_space()
    with pytest.raises(FormatError, match="tempo"):
        space.project(np.zeros((1, 2)), ("mfcc_1", "mfcc_2"))
    bad = tmp_path / "space.json"
    bad.write_text('{"version": "x"}')
    with pytest.raises(FormatError, match="missing feature_names"):
        load_space(str(bad))
