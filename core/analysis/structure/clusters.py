"""Laplacian structural segmentation: the section labels (and the previous boundaries).

Affinity, spectral embedding, KMeans for every candidate k, the choice of k
("silhouette gap" with a section-length prior) and segments from frame labels; see
:mod:`core.analysis.structure` for the method and the evidence.
"""

from __future__ import annotations

import functools
import warnings

import librosa
import numpy as np
import scipy.linalg
import scipy.ndimage
import scipy.sparse.csgraph
import scipy.spatial.distance
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_score

from core.progress import raise_if_cancelled


#: Frames of the median filter applied to the eigenvectors (McFee & Ellis).
EVEC_SMOOTH = 9
#: A k must beat the structure-less null model by this much silhouette to be chosen.
NULL_MARGIN = 0.02
#: Prior on the mean segment length: median (s) and weight per squared octave of deviation.
PRIOR_LENGTH_S = 16.0
PRIOR_WEIGHT = 0.1
#: Names of the k-selection rules accepted by :func:`core.analysis.structure.segment`.
K_RULES = ("silhouette-gap", "silhouette")


# ------------------------------------------------------------------ affinity
def _knn_recurrence(X: np.ndarray, *, width: int = 3) -> np.ndarray:
    """Mutual k-NN affinity between the columns of ``X`` (dense n x n).

    Same definition as ``librosa.segment.recurrence_matrix(X, width=width,
    mode='affinity', sym=True)``, vectorised (librosa's per-row loop is slow).
    """
    n = X.shape[1]
    D = scipy.spatial.distance.cdist(X.T, X.T)
    lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    D[lag < width] = np.inf
    k = int(np.clip(2 * np.ceil(np.sqrt(max(n - 2 * width + 1, 1))), 1, n - 2 * width))
    idx = np.argpartition(D, k - 1, axis=1)[:, :k]
    rows = np.arange(n)[:, None]
    link = np.zeros((n, n), dtype=bool)
    link[rows, idx] = True
    link &= np.isfinite(D)
    kth = D[rows, idx].max(axis=1)
    link &= link.T
    kth = kth[np.isfinite(kth)]
    bw = float(np.median(kth)) if kth.size else 0.0
    R = np.zeros((n, n))
    R[link] = np.exp(-D[link] / (bw if bw > 0 else 1.0))
    return R


def _path_affinity(M: np.ndarray) -> np.ndarray:
    """Affinity between successive frames from the squared MFCC difference."""
    d = np.sum(np.diff(M, axis=1) ** 2, axis=0)
    sigma = float(np.median(d))
    if not sigma > 0:
        sigma = float(np.mean(d)) if np.mean(d) > 0 else 1.0
    s = np.exp(-d / sigma)
    return np.diag(s, k=1) + np.diag(s, k=-1)


def affinity(Csync: np.ndarray, Msync: np.ndarray, *, width: int = 3,
              filter_size: int = 7) -> np.ndarray:
    """Balanced sum of the enhanced recurrence and the path affinity (symmetric)."""
    R = _knn_recurrence(Csync, width=width)
    Rf = librosa.segment.timelag_filter(scipy.ndimage.median_filter)(R, size=(1, filter_size))
    Rp = _path_affinity(Msync)
    dp, dr = Rp.sum(axis=1), Rf.sum(axis=1)
    den = float(np.sum((dp + dr) ** 2))
    mu = float(dp.dot(dp + dr)) / den if den > 0 else 0.5
    A = mu * Rf + (1.0 - mu) * Rp
    return 0.5 * (A + A.T)


def spectral(A: np.ndarray, n_vec: int, smooth: int = EVEC_SMOOTH):
    """First ``n_vec`` eigenpairs of the normalised Laplacian, vectors median-smoothed."""
    L = scipy.sparse.csgraph.laplacian(A, normed=True)
    n = L.shape[0]
    evals, evecs = scipy.linalg.eigh(L, subset_by_index=[0, min(n_vec, n) - 1])
    evecs = scipy.ndimage.median_filter(evecs, size=(min(smooth, n), 1), mode="nearest")
    return evals, evecs


def _embed(evecs: np.ndarray, k: int) -> np.ndarray:
    """Rows of the first ``k`` eigenvectors, normalised to unit length."""
    X = evecs[:, :k]
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-10)


def _cluster(evecs: np.ndarray, k: int, seed: int) -> np.ndarray:
    """KMeans labels of the k-dimensional embedding (all zeros for k = 1)."""
    if k <= 1:
        return np.zeros(evecs.shape[0], dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(n_clusters=k, n_init=5, random_state=seed).fit_predict(_embed(evecs, k))


# ------------------------------------------------------------------ choice of k
def _silhouette(evecs: np.ndarray, labels: np.ndarray, k: int) -> float:
    if len(np.unique(labels)) < 2 or len(labels) < 3:
        return -1.0
    return float(silhouette_score(_embed(evecs, k), labels))


@functools.lru_cache(maxsize=None)
def _null_silhouette(k: int, n: int = 400) -> float:
    """Embedding silhouette of a structure-less chain graph split into k clusters.

    Nearly independent of ``n`` (0.73, 0.65, 0.58, 0.53 for k = 2, 3, 5, 10 at n = 60
    ... 1000), so it is computed once per k.
    """
    chain = np.diag(np.ones(n - 1), 1) + np.diag(np.ones(n - 1), -1)
    _, evecs = spectral(chain, k)
    return _silhouette(evecs, _cluster(evecs, k, 0), k)


def _length_penalty(n_segments: int, duration: float) -> float:
    """``PRIOR_WEIGHT * log2(mean segment length / PRIOR_LENGTH_S) ** 2``."""
    return PRIOR_WEIGHT * np.log2(duration / max(n_segments, 1) / PRIOR_LENGTH_S) ** 2


def choose_k(evecs, k_lo, k_hi, *, rule, t_all, min_segment, seed, cancelled):
    """The chosen k, merged labels and score of every candidate k, and the raw labels."""
    labels, scores, raw_labels = {}, {}, {}
    duration = float(t_all[-1])
    for k in range(max(k_lo, 1), k_hi + 1):
        raise_if_cancelled(cancelled)
        raw = raw_labels[k] = _cluster(evecs, k, seed)
        labels[k] = _merge_short(raw, t_all, min_segment, evecs[:, :max(k, 2)].T)
        if k < 2:
            continue
        sil = _silhouette(evecs, raw, k)
        if rule == "silhouette-gap":
            n_seg = len(runs(labels[k])[0])
            sil += -_null_silhouette(k) - _length_penalty(n_seg, duration)
        scores[k] = sil
    best = max(scores, key=scores.get) if scores else k_lo
    floor = NULL_MARGIN if rule == "silhouette-gap" else -np.inf
    if k_lo == 1 and (not scores or scores[best] < floor):
        best = 1
    return best, labels, scores, raw_labels


# ------------------------------------------------------------------ segments
def runs(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) indices of the runs of equal labels."""
    starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
    return starts, np.r_[starts[1:], len(lab)]


def _merge_short(lab: np.ndarray, t_edges: np.ndarray, min_len: float,
                 F: np.ndarray) -> np.ndarray:
    """Merge runs shorter than ``min_len`` s, shortest first, into the closer neighbour.

    ``F`` (dims x frames) is the embedding used to measure closeness of run means.
    """
    lab = lab.copy()
    while True:
        s, e = runs(lab)
        dur = t_edges[e] - t_edges[s]
        i = int(np.argmin(dur))
        if len(s) <= 1 or dur[i] >= min_len:
            return lab
        me = F[:, s[i]:e[i]].mean(axis=1)
        cand = [j for j in (i - 1, i + 1) if 0 <= j < len(s)]
        dist = [np.linalg.norm(F[:, s[j]:e[j]].mean(axis=1) - me) for j in cand]
        j = cand[int(np.argmin(dist))]
        lab[s[i]:e[i]] = lab[s[j]]
