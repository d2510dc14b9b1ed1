"""Novelty: how far a window is from the training windows, and when that makes it ``UNK``.

The distance is the mean over the :data:`K_NOVELTY` nearest training windows in
standardised features; :func:`calibrate_novelty` sets the threshold at a quantile of
held-out sources' distances, so a score over 1 means unlike anything the model was
trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["K_NOVELTY", "NOVELTY_QUANTILE", "NOVELTY_MAX_POINTS", "Novelty",
           "calibrate_novelty"]

K_NOVELTY = 5             # neighbours averaged for the UNK distance
NOVELTY_QUANTILE = 0.99   # default share of held-out in-distribution windows kept
NOVELTY_MAX_POINTS = 8000  # reference windows kept for the UNK distance


@dataclass(frozen=True)
class Novelty:
    """Standardiser, k-NN index over training windows, and the calibrated threshold."""

    scaler: Any
    index: Any
    threshold: float

    def score(self, x: np.ndarray) -> np.ndarray:
        dist, _ = self.index.kneighbors(self.scaler.transform(x).astype(np.float32))
        return dist.mean(axis=1) / self.threshold


def calibrate_novelty(x: np.ndarray, groups: np.ndarray, seed: int,
                      quantile: float) -> Novelty:
    """Threshold = ``quantile`` of held-out sources' mean k-NN distances."""
    from sklearn.model_selection import GroupShuffleSplit
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    # Windows of one source overlap by 80 %: a regular subsample keeps the shape of the
    # training cloud and keeps the shipped model small (the index stores its points).
    step = max(1, -(-len(x) // NOVELTY_MAX_POINTS))
    z = scaler.transform(x[::step]).astype(np.float32)
    groups = np.asarray(groups)[::step]
    k = min(K_NOVELTY, len(z) - 1)
    if len(np.unique(groups)) >= 4:
        tr, te = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=seed)
                      .split(z, groups=groups))
    else:  # too few sources to hold any out: use every window, minus itself
        tr = te = np.arange(len(z))
    held = NearestNeighbors(n_neighbors=k + (tr is te), algorithm="brute").fit(z[tr])
    dist, _ = held.kneighbors(z[te])
    dist = dist[:, 1:] if tr is te else dist
    threshold = float(np.quantile(dist.mean(axis=1), quantile))
    index = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(z)
    return Novelty(scaler, index, max(threshold, 1e-9))
