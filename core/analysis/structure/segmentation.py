"""Segmentation: the analysis grid, and boundaries and labels joined into sections.

Owns :func:`segment` and its result, :class:`Segmentation`: beats cleaned and frames
aggregated into at most ``max_frames`` analysis frames, the beat-synchronous inputs,
the choice of k, and the joining of the boundaries
(:mod:`core.analysis.structure.boundaries`) with the cluster labels
(:mod:`core.analysis.structure.clusters`).  The method and its evidence are written up
in :mod:`core.analysis.structure`.
"""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass
from typing import Callable, Sequence

import librosa
import numpy as np
from threadpoolctl import threadpool_limits

from core.progress import raise_if_cancelled
from core.analysis.structure.boundaries import (CHANGE_HOP, REFINE_S, beat_chroma, detect,
                                                extra_starts, join_boundaries, long_texture,
                                                refine, segment_labels, silence_edges,
                                                texture_sums)
from core.analysis.structure.clusters import K_RULES, affinity, choose_k, runs, spectral

log = logging.getLogger(__name__)

__all__ = ["Segmentation", "segment", "duration_bounds", "BOUNDARY_METHODS", "MAX_FRAMES",
           "MIN_FRAMES"]

#: Most analysis frames in the affinity (n x n dense matrices of 8 MB each).
MAX_FRAMES = 1024
#: Fewest analysis frames for which a recurrence analysis is attempted.
MIN_FRAMES = 12
#: Names of the boundary detectors accepted by :func:`segment` (the first is the default).
BOUNDARY_METHODS = ("structure-features", "laplacian")
_FALLBACK_PERIOD_S = 0.5


@dataclass(frozen=True)
class Segmentation:
    """Result of :func:`segment`.

    Attributes
    ----------
    boundaries : tuple of float
        Segment edges in seconds: ``0.0``, the section starts, ``duration``; strictly
        increasing, so there are ``len(labels) + 1`` of them.
    labels : tuple of str
        One letter per segment ('A', 'B', 'A', 'C', ...), assigned in order of first
        appearance; equal letters mean the same cluster (neighbours may share one:
        e.g. two choruses in a row).
    k : int
        Number of clusters used (letters may be fewer unless ``k`` was given).
    k_scores : tuple of (int, float)
        The k-selection score of every candidate k (empty if k was given or forced).
    k_rule : str
        How k was chosen: a name from :data:`K_RULES`, ``"given"`` or ``"degenerate"``.
    beat_times : tuple of float
        Start times (s) of the analysis frames the boundaries were chosen from.
    """

    boundaries: tuple[float, ...]
    labels: tuple[str, ...]
    k: int
    k_scores: tuple[tuple[int, float], ...] = ()
    k_rule: str = "given"
    beat_times: tuple[float, ...] = ()

    @property
    def segments(self) -> list[tuple[float, float, str]]:
        """``(start, end, label)`` for every segment."""
        b = self.boundaries
        return [(b[i], b[i + 1], lab) for i, lab in enumerate(self.labels)]


def duration_bounds(duration: float) -> tuple[int, int]:
    """Range of the number of distinct section types k allowed for a track.

    Rule: every section type needs on average at least 12 s of music, so
    ``k_max = clip(duration // 12, 1, 10)``; a track longer than 90 s has at least two
    types and one longer than 180 s at least three, ``k_min = clip(1 + duration // 90, 1,
    3)`` (never above ``k_max``).  A 10 s file gets (1, 1), a 60 s file (1, 5), a 4-minute
    file (3, 10).

    Parameters
    ----------
    duration : float
        Track length in seconds.

    Returns
    -------
    (int, int)
        ``(k_min, k_max)``, both at least 1.
    """
    d = float(duration) if np.isfinite(duration) else 0.0
    d = max(d, 0.0)
    k_max = int(np.clip(d // 12.0, 1, 10))
    k_min = int(np.clip(1 + d // 90.0, 1, 3))
    return min(k_min, k_max), k_max


# ------------------------------------------------------------------ analysis grid
def _clean_beats(beat_frames, n_frames: int, sr: int, hop_length: int) -> np.ndarray:
    """Sorted beat frames inside ``(0, n_frames)``; gaps filled, nonsense replaced by a grid."""
    fps = sr / hop_length
    b = np.asarray(beat_frames if beat_frames is not None else [], dtype=float).ravel()
    b = np.unique(np.round(b[np.isfinite(b)]).astype(np.int64))
    b = b[(b > 0) & (b < n_frames)]
    if len(b) < 4 or not 0.2 * fps <= np.median(np.diff(b)) <= 2.0 * fps:
        step = _FALLBACK_PERIOD_S * fps
        return np.unique(np.round(np.arange(step, n_frames, step)).astype(np.int64))
    step = float(np.median(np.diff(b)))
    edges = np.concatenate([[0], b, [n_frames]])
    out = [b]
    for a, z in zip(edges[:-1], edges[1:]):
        if z - a > 2 * step:  # head, tail or a dropout of the beat tracker
            m = int(round((z - a) / step))
            out.append(np.round(a + (z - a) * np.arange(1, m) / m).astype(np.int64))
    out = np.unique(np.concatenate(out))
    return out[(out > 0) & (out < n_frames)]


def _frame_edges(beats: np.ndarray, n_frames: int, max_frames: int) -> np.ndarray:
    """Edges ``[0, b0, b1, ..., n_frames]`` of at most ``max_frames`` analysis frames."""
    edges = np.unique(np.concatenate([[0], beats, [n_frames]]).astype(np.int64))
    n = len(edges) - 1
    if n > max_frames:
        step = int(np.ceil(n / max_frames))
        edges = np.unique(np.concatenate([edges[:-1:step], [n_frames]]))
    return edges


def _sync(X: np.ndarray, edges: np.ndarray, aggregate=np.mean) -> np.ndarray:
    """Aggregate the columns of ``X`` between successive ``edges``."""
    return np.stack([aggregate(X[:, a:z], axis=1) for a, z in zip(edges[:-1], edges[1:])],
                    axis=1)


# ------------------------------------------------------------------ segments
def _letters(ids: Sequence[int]) -> tuple[str, ...]:
    """Letters in order of first appearance ('A', 'B', ..., 'Z', 'AA', ...)."""
    names: dict[int, str] = {}
    for i in ids:
        if i not in names:
            q, r = divmod(len(names), 26)
            names[i] = (string.ascii_uppercase[q - 1] if q else "") + string.ascii_uppercase[r]
    return tuple(names[i] for i in ids)


def _to_segmentation(lab, t_edges, duration, **extra) -> Segmentation:
    """Runs of ``lab`` over the frames starting at ``t_edges`` as a :class:`Segmentation`."""
    lab = np.asarray(lab)
    s, _ = runs(lab)
    bounds, ids = [0.0], [int(lab[0])]
    for i in s[1:]:
        t = float(t_edges[i])
        if bounds[-1] < t < duration and int(lab[i]) != ids[-1]:
            bounds.append(t)
            ids.append(int(lab[i]))
    return Segmentation(boundaries=(*bounds, float(duration)), labels=_letters(ids), **extra)


def _single(duration: float, beat_times=()) -> Segmentation:
    return Segmentation((0.0, float(duration)), ("A",), 1, (), "degenerate", tuple(beat_times))


# ------------------------------------------------------------------ entry point
def _inputs(cqt, mfcc, beat_frames, *, sr, hop_length, max_frames):
    """Analysis-frame edges and the beat-synchronous CQT (dB) and MFCC.

    The CQT is aggregated before the dB conversion (the median commutes with the
    monotonic dB map), so a 60-minute track needs no extra full-size copies.
    """
    cqt, mfcc = np.asarray(cqt), np.asarray(mfcc)
    n = min(cqt.shape[-1], mfcc.shape[-1])
    beats = _clean_beats(beat_frames, n, sr, hop_length)
    edges = _frame_edges(beats, n, max_frames)
    step = max(1, int(np.ceil((len(beats) + 1) / max_frames)))
    Cs = np.nan_to_num(np.abs(_sync(cqt, edges, np.median)), nan=0.0, posinf=0.0)
    Ms = np.nan_to_num(_sync(mfcc, edges, np.mean), nan=0.0, posinf=0.0, neginf=0.0)
    ref = float(np.max(Cs)) if Cs.size else 0.0
    Cdb = librosa.amplitude_to_db(Cs, ref=ref if ref > 0 else 1.0)
    chroma = beat_chroma(Cs.astype(np.float64))
    return edges, step, Cdb.astype(np.float64), Ms.astype(np.float64), chroma


def _is_flat(*feats: np.ndarray) -> bool:
    """True when no feature varies over time (silence, a constant signal)."""
    return all(float(np.max(np.std(F, axis=1))) < 1e-6 for F in feats)


def _k_range(duration, n, k, k_min, k_max) -> tuple[int, int]:
    """Candidate range of k: given k, overrides or :func:`duration_bounds`; <= n // 4."""
    lo, hi = duration_bounds(duration)
    lo, hi = (k_min or lo), (k_max or hi)
    if k is not None:
        lo = hi = int(k)
    hi = max(1, min(hi, n // 4))
    return max(1, min(lo, hi)), hi


def _analyse(Cs, Ms, t_all, *, lo, hi, rule, min_segment, seed, cancelled):
    """Affinity, embedding and clustering; None if the embedding is degenerate."""
    A = affinity(Cs, Ms)
    raise_if_cancelled(cancelled)
    _, evecs = spectral(A, max(hi, 2) + 1)
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(evecs))):
        return None
    return choose_k(evecs, lo, hi, rule=rule, t_all=t_all, min_segment=min_segment,
                     seed=seed, cancelled=cancelled)


def segment(cqt: np.ndarray, mfcc: np.ndarray, beat_frames: np.ndarray | None, *,
            sr: int = 22050, hop_length: int = 512, duration: float,
            k: int | None = None, k_min: int | None = None, k_max: int | None = None,
            min_segment: float = 4.0, k_rule: str = "silhouette-gap",
            max_frames: int = MAX_FRAMES, seed: int = 0,
            cancelled: Callable[[], bool] | None = None,
            boundary_method: str = "structure-features") -> Segmentation:
    """Segment a track into labelled sections.

    Boundaries from structure features (default) or, with ``boundary_method=
    "laplacian"``, where the Laplacian cluster labels change (the previous method);
    labels from the Laplacian clusters either way.  See :mod:`core.analysis.structure`.

    Parameters
    ----------
    cqt : np.ndarray, shape (n_bins, T)
        CQT magnitude (84 bins from C1, 12 per octave, ``hop_length`` frames).
    mfcc : np.ndarray, shape (n_mfcc, T)
        MFCC on the same frames.
    beat_frames : np.ndarray or None
        Beat positions in frames; missing or implausible beats fall back to a 0.5 s grid.
    sr, hop_length : int
        Sampling rate and hop of the frames.
    duration : float
        Track length in seconds (the last boundary).
    k : int, optional
        Number of clusters; chosen by ``k_rule`` within ``[k_min, k_max]`` when None.
    k_min, k_max : int, optional
        Override :func:`duration_bounds`.
    min_segment : float
        Shortest section (seconds): boundaries are at least this far apart and from the
        ends (a leading or trailing silence of 0.5 s or more is its own segment).
    k_rule : {'silhouette-gap', 'silhouette'}
        Null-corrected silhouette (default) or plain silhouette (biased to small k;
        kept for comparison).
    max_frames : int
        Most analysis frames; beats are aggregated beyond that (memory ~ 40 n^2 bytes).
    seed : int
        ``random_state`` of KMeans; equal inputs and seed give equal results.
    cancelled : callable, optional
        Polled between steps; raise :class:`core.errors.Cancelled` when it returns True.
    boundary_method : {'structure-features', 'laplacian'}
        Boundary detector (see :data:`BOUNDARY_METHODS`).

    Returns
    -------
    Segmentation
    """
    if not np.isfinite(duration) or duration <= 0:
        raise ValueError(f"duration must be a positive number of seconds, not {duration!r}")
    if k_rule not in K_RULES:
        raise ValueError(f"k_rule must be one of {K_RULES}, not {k_rule!r}")
    if boundary_method not in BOUNDARY_METHODS:
        raise ValueError(f"boundary_method must be one of {BOUNDARY_METHODS}, "
                         f"not {boundary_method!r}")
    raise_if_cancelled(cancelled)
    edges, step, Cs, Ms, ch = _inputs(cqt, mfcc, beat_frames, sr=sr, hop_length=hop_length,
                                max_frames=max_frames)
    t_edges = np.minimum(librosa.frames_to_time(edges[:-1], sr=sr, hop_length=hop_length),
                         duration)
    n = Cs.shape[1]
    if n < MIN_FRAMES or _is_flat(Cs, Ms):
        log.info("structure: %d frames, flat features: one segment", n)
        return _single(duration, t_edges)
    lo, hi = _k_range(duration, n, k, k_min, k_max)
    t_all = np.r_[t_edges, duration]
    with threadpool_limits(limits=1):  # small problems: threads cost more than they save
        found = _analyse(Cs, Ms, t_all, lo=lo, hi=hi, rule=k_rule,
                         min_segment=min_segment, seed=seed, cancelled=cancelled)
        if found is None:
            log.warning("structure: non-finite embedding; one segment")
            return _single(duration, t_edges)
        best, labels, scores, raw = found
        log.debug("structure: n=%d k in [%d, %d] -> %d, scores %s", n, lo, hi, best, scores)
        extra = dict(k=best, k_rule="given" if k is not None else k_rule,
                     k_scores=tuple((kk, round(float(v), 4)) for kk, v in sorted(scores.items()))
                     if k is None else (),
                     beat_times=tuple(float(t) for t in t_edges))
        if boundary_method == "laplacian":
            return _to_segmentation(labels[best], t_edges, duration, **extra)
        raise_if_cancelled(cancelled)
        n_cqt = min(np.shape(cqt)[-1], np.shape(mfcc)[-1])
        sums = texture_sums(np.asarray(cqt)[:, :n_cqt], np.asarray(mfcc)[:, :n_cqt],
                             hop=CHANGE_HOP)
        step_s = CHANGE_HOP * hop_length / sr
        texture = long_texture(sums, t_all, step=step_s)
        starts, nov = detect(ch, Ms, t_all, beats_per_frame=step, min_gap=min_segment,
                              labels=raw.get(best, np.zeros(n, dtype=int)), texture=texture)
    raise_if_cancelled(cancelled)
    lab_best = raw.get(best, np.zeros(n, dtype=int))
    silence = silence_edges(np.asarray(cqt), n_cqt, sr=sr, hop_length=hop_length,
                             duration=duration)
    if k is not None and len(starts) + 1 + len(silence) < best:
        changes = np.flatnonzero(labels[best][1:] != labels[best][:-1]) + 1
        starts = extra_starts(starts, nov, t_all, best - 1 - len(starts) - len(silence),
                               changes, min_segment)
    times = [float(t_all[j]) for j in starts]
    if REFINE_S > 0 and times:
        times = refine(times, sums, step=step_s, duration=duration, min_gap=min_segment,
                        beat_times=t_all[1:-1])
    bounds = join_boundaries(times, silence, duration)
    seg_lab = segment_labels(bounds, t_all, lab_best, best, force=k is not None)
    return Segmentation(boundaries=tuple(float(b) for b in bounds), labels=_letters(seg_lab),
                        **extra)
