"""Set distances between an original and its renders, in the spirit of MGEval.

Owns the per-feature comparison of two sets of analysis windows: for each named window
feature (``windows.feature_names``), a Gaussian kernel density estimate over the
original's windows and one over all the renders' windows, evaluated on a common grid,
and two numbers that say how alike the two distributions are (Yang & Lerch 2018, "On
the evaluation of generative models in music"):

* the **overlapping area** ``OA = integral of min(p, q)``: 1 for identical
  distributions, 0 for disjoint ones;
* the **KL divergence** ``KL(p || q) = integral of p log(p / q)`` of the renders'
  density ``q`` from the original's ``p``: 0 for identical distributions, large where the
  renders miss values the original has.

MGEval compares the distributions of pairwise distances within and across sets; here
the feature values themselves are compared, which a listener can read (a render whose
tempo or brightness sits elsewhere shows as a low OA on that feature).

It also gathers the feedback loop's tables for one original and its renders
(:func:`feedback_tables`), from :mod:`core.evaluation.feedback` (not recomputed here),
and writes the distance table as CSV (:func:`write_distances_csv`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from core.errors import TwintrackError
from core.evaluation.feedback import Comparison, compare_multi, summarise
from core.io.atomic import atomic_write_text
from core.record import TARGETS, Analysis

__all__ = ["FeatureDistance", "DistanceError", "kde", "densities", "overlap_area",
           "kl_divergence", "feature_distances", "feedback_tables", "write_distances_csv",
           "CSV_HEADER"]

#: Grid points per feature: enough that OA and KL of two normals are within 1e-4 of
#: their closed forms (tests/test_distances.py).
GRID_POINTS = 512
#: Floor of a grid density (as a share of the grid's mass) inside the KL logarithm, so
#: disjoint sets give a large but finite divergence instead of infinity.
KL_FLOOR = 1e-10
CSV_HEADER = "feature,overlap_area,kl_divergence,original_mean,renders_mean"


class DistanceError(TwintrackError):
    """The windows cannot be compared (no windows, or features that do not match)."""


@dataclass(frozen=True)
class FeatureDistance:
    """One feature's two densities on their common grid, and how alike they are."""

    feature: str
    overlap: float  # overlapping area, 0..1
    kl: float  # KL(original || renders), >= 0
    grid: np.ndarray
    original: np.ndarray  # density of the original's windows on ``grid``
    renders: np.ndarray  # density of the renders' windows on ``grid``
    original_mean: float
    renders_mean: float


def _bandwidth(x: np.ndarray, span: float) -> float:
    """Scott's rule as :class:`scipy.stats.gaussian_kde` applies it in 1-D
    (``std(ddof=1) * n ** -0.2``); a set without spread gets a narrow kernel (a
    thousandth of the grid's span) so a constant feature still has a density."""
    h = float(np.std(x, ddof=1)) * len(x) ** -0.2 if len(x) > 1 else 0.0
    return h if h > 0 and np.isfinite(h) else max(span, 1.0) * 1e-3


def kde(samples: Sequence[float], grid: np.ndarray, *, bandwidth: float | None = None
        ) -> np.ndarray:
    """Gaussian kernel density of ``samples`` at ``grid`` (integrates to 1 over the line).

    Parameters
    ----------
    samples : sequence of float
        The observations (at least one).
    grid : ndarray
        Where to evaluate the density.
    bandwidth : float, optional
        The kernel's standard deviation; default Scott's rule (equal to
        ``scipy.stats.gaussian_kde(samples)(grid)`` for samples with spread).
    """
    x = np.asarray(samples, dtype=np.float64)
    grid = np.asarray(grid, dtype=np.float64)
    h = bandwidth if bandwidth is not None else _bandwidth(x, float(np.ptp(grid)))
    z = (grid[:, None] - x[None, :]) / h
    return np.exp(-0.5 * z * z).sum(axis=1) / (len(x) * h * np.sqrt(2 * np.pi))


def densities(a: Sequence[float], b: Sequence[float], *, points: int = GRID_POINTS
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(grid, density of a, density of b)`` on one grid covering both sets and four
    bandwidths beyond them (the kernels' mass outside is below 1e-4)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    both = np.concatenate([a, b])
    span = float(np.ptp(both))
    ha, hb = _bandwidth(a, span), _bandwidth(b, span)
    pad = 4 * max(ha, hb)
    grid = np.linspace(both.min() - pad, both.max() + pad, points)
    return grid, kde(a, grid, bandwidth=ha), kde(b, grid, bandwidth=hb)


def _masses(grid: np.ndarray, p: np.ndarray) -> np.ndarray:
    """A density on a uniform grid as probability masses that sum to 1."""
    total = float(np.sum(p))
    return p / total if total > 0 else np.full(len(grid), 1.0 / len(grid))


def overlap_area(grid: np.ndarray, p: np.ndarray, q: np.ndarray) -> float:
    """Overlapping area of two densities on a uniform ``grid`` (0..1)."""
    return float(np.clip(np.minimum(_masses(grid, p), _masses(grid, q)).sum(), 0.0, 1.0))


def kl_divergence(grid: np.ndarray, p: np.ndarray, q: np.ndarray) -> float:
    """``KL(p || q)`` of two densities on a uniform ``grid`` (nats, >= 0; finite:
    ``q`` is floored at :data:`KL_FLOOR`)."""
    pm, qm = _masses(grid, p), np.maximum(_masses(grid, q), KL_FLOOR)
    keep = pm > 0
    return max(0.0, float(np.sum(pm[keep] * np.log(pm[keep] / qm[keep]))))


def _matrix(analysis: Analysis, names: tuple[str, ...], what: str) -> np.ndarray:
    w = analysis.windows
    if not len(w.features):
        raise DistanceError(f"{analysis.track.path}: the {what} has no analysis windows")
    if tuple(w.feature_names) != names:
        raise DistanceError(f"{analysis.track.path}: the {what}'s window features "
                            f"({len(w.feature_names)}) are not the original's ({len(names)}); "
                            "analyse both with the same version")
    return np.asarray(w.features, dtype=np.float64)


def feature_distances(original: Analysis, renders: Sequence[Analysis], *,
                      points: int = GRID_POINTS) -> tuple[FeatureDistance, ...]:
    """Per window feature, the original's and the renders' densities, OA and KL.

    Parameters
    ----------
    original : Analysis
        The original track's analysis.
    renders : sequence of Analysis
        The renders' analyses; their windows are pooled into one set.
    points : int
        Grid points per feature.

    Raises
    ------
    DistanceError
        No render, a set without windows, or feature names that differ.
    """
    if not renders:
        raise DistanceError(f"{original.track.path}: no render to compare with")
    names = tuple(original.windows.feature_names)
    a = _matrix(original, names, "original")
    b = np.vstack([_matrix(r, names, "render") for r in renders])
    out = []
    for j, name in enumerate(names):
        grid, p, q = densities(a[:, j], b[:, j], points=points)
        out.append(FeatureDistance(name, overlap_area(grid, p, q), kl_divergence(grid, p, q),
                                   grid, p, q, float(a[:, j].mean()), float(b[:, j].mean())))
    return tuple(out)


def feedback_tables(original: Analysis, renders: Sequence[tuple[str, object, Analysis]]
                    ) -> tuple[Comparison, list[dict], list[dict]]:
    """The feedback loop for one original: per-title rows and per-target rows.

    Parameters
    ----------
    original : Analysis
    renders : sequence of (title, Timeline, Analysis)
        Each render's title, the multi-region timeline it was rendered from and its
        analysis (scored by :func:`core.evaluation.feedback.compare_multi`).

    Returns
    -------
    comparison : Comparison
        As :func:`core.evaluation.feedback.summarise` makes it.
    per_title : list of dict
        One row per render (``title``, ``regions``, ``unk`` and one agreement per target
        or None), then the ``mean`` row.
    per_target : list of dict
        One row per target: ``target``, ``agreement`` (most probable labels),
        ``strict`` (UNK counted as wrong).
    """
    results = [compare_multi(title, timeline, analysis, original)
               for title, timeline, analysis in renders]
    comparison = summarise(str(original.track.path), results)
    per_title = [{"title": r.name, "regions": len(r.details), "unk": r.unk.get("render"),
                  **{t: r.targets.get(t) for t in TARGETS}} for r in results]
    per_title.append({"title": "mean", "regions": sum(len(r.details) for r in results),
                      "unk": None, **{t: comparison.targets.get(t) for t in TARGETS}})
    per_target = [{"target": t, "agreement": comparison.targets.get(t),
                   "strict": comparison.strict.get(t)} for t in TARGETS]
    return comparison, per_title, per_target


def write_distances_csv(path: str | os.PathLike, distances: Sequence[FeatureDistance]) -> None:
    """The distance table as CSV (:data:`CSV_HEADER`), written atomically."""
    rows = [CSV_HEADER] + [f"{d.feature},{d.overlap:.6f},{d.kl:.6f},{d.original_mean:.6g},"
                           f"{d.renders_mean:.6g}" for d in distances]
    atomic_write_text(path, "\n".join(rows) + "\n")
