"""The metrical-level (tempo octave) decision: a small learnt model over candidates.

:func:`core.analysis.tempo.global_tempo` finds the strongest periodicity with a
perceptual prior and metrical support; most of its remaining errors are the right pulse
at the wrong level (x2, /2, x3/2 ...).  This module re-decides the level among the
candidates ``bpm * f`` for ``f`` in :data:`FACTORS` (inside 40-250 BPM) with a logistic
model whose features describe each candidate:

====  ================================================================
0, 1  ``log2(c / 115)`` and its square (preferred-tempo region)
2     salience at ``c`` relative to the track's maximum (tempogram)
3-6   salience at ``2c``, ``c/2``, ``3c``, ``c/3`` (is ``c`` mid-hierarchy?)
7     ``log2`` of onsets per beat at ``c`` (dense onsets: a slower beat)
8     1 for the candidate the tempogram itself chose
====  ================================================================

The weights were fitted (``sklearn.linear_model.LogisticRegression``, ``C=1``) on the
training half of the key and tempo kit (``python -m tools.build_keykit``; ``python -m
bench.keykit --only tempo`` refits and prints them, and scores the other half): 83
chorales and 84 generated progressions with drums, 60-172 BPM, the beat being the
rendered quarter note.  Scores (ACC1) before / after: held-out kit 0.825 / 0.867,
the four real dev items with a tempo 3 / 3 right (see the bench for the table).
"""

from __future__ import annotations

from typing import Final

import numpy as np

__all__ = ["FACTORS", "candidate_features", "choose_level"]

#: Ratios of the tempogram's tempo that are candidates for the beat.
FACTORS: Final = (1.0 / 3.0, 0.5, 2.0 / 3.0, 1.0, 1.5, 2.0, 3.0)
_RANGE: Final = (40.0, 250.0)
_PREFERRED_BPM: Final = 115.0
#: Logistic weights of the features (module doc) and the intercept, from bench.keykit.
WEIGHTS: Final = (-1.081, -2.024, 4.262, 1.535, -1.579, -0.655, 1.348, -0.082, 3.209)
INTERCEPT: Final = -4.773


def candidate_features(bpm: float, grid: np.ndarray, salience: np.ndarray,
                       onset_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidate tempi around ``bpm`` and their features (module doc).

    Parameters
    ----------
    bpm : float
        The tempogram's choice (> 0).
    grid, salience : np.ndarray, shape (G,)
        Log-spaced tempi and the track's salience on them (any scale).
    onset_rate : float
        Onsets per second in the track.

    Returns
    -------
    candidates : np.ndarray, shape (n,)
    features : np.ndarray, shape (n, 9)
    """
    rel = salience / max(float(np.max(salience)), 1e-12)

    def at(tempi: np.ndarray) -> np.ndarray:
        return np.interp(np.log2(tempi), np.log2(grid), rel, left=0.0, right=0.0)

    cands = np.array([bpm * f for f in FACTORS if _RANGE[0] <= bpm * f <= _RANGE[1]]
                     or [bpm])
    octaves = np.log2(cands / _PREFERRED_BPM)
    features = np.column_stack([
        octaves, octaves ** 2, at(cands), at(cands * 2), at(cands / 2), at(cands * 3),
        at(cands / 3), np.log2(onset_rate * 60.0 / cands + 1e-3),
        np.isclose(cands, bpm).astype(float)])
    return cands, features


def choose_level(bpm: float, grid: np.ndarray, salience: np.ndarray,
                 onset_rate: float) -> float:
    """The candidate with the highest model score (``bpm`` itself when it wins)."""
    cands, features = candidate_features(bpm, grid, salience, onset_rate)
    return float(cands[int(np.argmax(features @ np.asarray(WEIGHTS) + INTERCEPT))])
