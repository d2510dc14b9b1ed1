"""Form segmentation: structure-feature boundaries, Laplacian labels.

Boundaries and labels come from two methods, each used for what it does well.

Boundaries: structure features (Serrà, Müller, Grosche & Arcos, "Unsupervised detection
of music boundaries by time series structure features", AAAI 2012; "Unsupervised music
structure annotation by time series structure features and segment similarity", IEEE
Trans. Multimedia 2014), among the strongest unsupervised boundary detectors on pop
(Beatles, RWC-Pop, SALAMI), and the boundary method of MSAF.

1. Beat-synchronous features: CQT in dB (median per beat), MFCC (mean per beat) and a
   log-compressed unit-norm chroma folded from the beat CQT.  Beats come from the tempo
   stage; missing, sparse or implausible beats are repaired or replaced by a fixed 0.5 s
   grid.  For very long tracks several beats are aggregated per analysis frame so that at
   most ``max_frames`` (1024) frames enter the n x n matrices; the beat-based constants
   below are then scaled to frames.
2. Chroma and MFCC 1-19 (each z-scored, the two blocks weighted equally), delay-embedded
   over 3 beats (centred), mutual k-NN recurrence with k = 4 % of the frames, time-lag
   representation, Gaussian smoothing along time (sigma 8 beats = 2 bars), novelty =
   squared distance between successive rows.  Serrà's circular lag splits any section
   made of two repeats of a loop in its middle (its first half recurs ahead, its second
   behind); the absolute lag ``|j - i|`` does not, but places boundaries less precisely;
   the novelty is the geometric mean of the two views.  Near the ends the smoothing is a
   renormalised weighted mean (padding inflates the novelty there and hid boundaries of
   first and last sections).  Within ``SF_EDGE_S`` (20 s) of either end the novelty is
   weighted down linearly to ``SF_EDGE_FLOOR`` (0.25) at the end: there it rests on
   truncated windows and on a section with a neighbour on one side only, and its peaks
   were mostly false (the first and last 10-15 s of renders and pop songs).
2b. Texture evidence (Foote-style, on feature means rather than a self-similarity
   matrix): the squared distance between the mean standardised log-CQT and MFCC of the
   ``h`` seconds before and after every point, for ``h`` in ``TEXTURE_HALVES_S`` (8, 12,
   16 s; each curve max-normalised, summed; inside ``h`` of an end a curve holds its
   edge value), read as the maximum within 1 s of every frame start, is added to the
   novelty with weight ``TEXTURE_WEIGHT`` (1).  Structure features find where the
   *pattern of repetitions* changes; they miss or misplace changes of instrumentation,
   tempo and key between sections that do not repeat (a medley, a DJ mix, the
   multi-region renders of :mod:`core.render`), where their 2-bar smoothing spans several
   seconds at slow tempi.  Measured (trimmed F@0.5 / F@1 / F@3, before -> after): render
   round trip, 28 multi-region timelines 0.55/0.60/0.67 -> 0.74/0.80/0.84 and 20 held-out
   ones 0.50/0.58/0.58 -> 0.92/0.95/0.95; dev real 0.33/0.36/0.55 -> 0.29/0.35/0.63;
   synthetic pop 0.66/0.76/0.92 -> 0.68/0.77/0.95; forms unchanged (1.00).  One scale of
   12 s gave 0.72/0.83 on the round trips but missed an 11 s section of the test forms;
   the edge weighting without the texture evidence changed little.
3. Peaks: local maxima above a moving median (32 beats) + 0.1 of the maximum, accepted
   strongest first at least ``min_segment`` seconds apart and from the ends.
4. Placement on the beat where the new section starts: each peak moves to whichever of
   the beat before, the beat itself and the beat after has the largest short-range
   checkerboard novelty (Foote 2000; half-width 4 beats on the chroma and MFCC cosine
   self-similarities), plus 0.5 where the Laplacian cluster label changes.  A boundary at
   frame i is the time of its first beat (frame i spans ``[beat[i-1], beat[i])``).
4b. Texture-change refinement, for sections that change tempo (where one beat grid at
   the track's tempo cannot hold the new section's beats, and the beat-level placement
   lands seconds off): a beat-independent change curve (squared distance between the
   mean standardised log-CQT and MFCC of the 3 s before and after, every 4 frames, by
   cumulative sums) is searched within ``REFINE_S`` (3 s) of the boundary; the boundary
   moves to its maximum, snapped to a beat within 0.3 s, only when that change is at
   least ``REFINE_MARGIN`` (2) times the change at the boundary as placed.  Measured:
   render round trip (16 multi-region timelines) F@1 0.53 -> 0.68; dev real 0.33/0.57
   -> 0.33/0.55, forms unchanged, synthetic pop 0.70/0.95 -> 0.66/0.92 (F@0.5/F@3).
   Without the margin (always move) precision collapsed (forms F@0.5 1.0 -> 0.26).
5. A leading or trailing silence of at least 0.5 s (CQT frame energy 60 dB below the
   loudest frame) is its own segment: references of pop corpora mark it (Isophonics
   "silence", SALAMI "Silence").

Labels: Laplacian structural segmentation (McFee & Ellis, "Analyzing song structure with
spectral clustering", ISMIR 2014, as in librosa's "Laplacian segmentation" gallery
example): mutual k-NN recurrence on the CQT frames (k = 2 ceil(sqrt(n)), Gaussian kernel,
diagonal median filter in time-lag space), MFCC path affinity between successive frames,
balanced by ``mu``; the first eigenvectors of the normalised Laplacian (median-smoothed,
rows normalised) clustered by KMeans for each candidate k; k chosen as below.  Each
segment takes the cluster that covers most of its duration; letters by first appearance.
Neighbouring segments may share a letter (two choruses in a row).  With ``k`` given, every
cluster gets a segment when there are at least k segments (a missing cluster takes the
segment where it has the largest share, among segments whose cluster occurs elsewhere),
and boundaries are added (the strongest remaining novelty peaks, then label changes)
when there are fewer.  ``boundary_method="laplacian"`` gives the previous method:
boundaries where the labels change, segments shorter than ``min_segment`` merged.

Evidence (``bench/dev_structure.py``; inputs as in the pipeline, beats from
:mod:`core.rhythm`; trimmed hit-rate F, means over items; new / previous / gallery k=5):

=====================================  ==================  ==================  =========
group                                  new F@0.5 / F@3     previous            gallery
=====================================  ==================  ==================  =========
dev, 7 real (5 classical, 2 pop/rock)  0.29 / 0.63         0.22 / 0.47         0.25/0.47
synthetic forms (3)                    1.00 / 1.00         1.00 / 1.00         0.42/0.48
synthetic pop songs (8)                0.68 / 0.95         0.77 / 0.95         0.52/0.63
=====================================  ==================  ==================  =========

On the one real pop song with a reference ("In the Year 2525") the new boundaries give
0.62 / 0.92 (previous 0.24 / 0.47: it merged the modulating verses into 5 segments).  The
synthetic pop songs repeat their sections almost exactly, which suits clustering: there
the previous method places boundaries better (F@0.5 0.77 vs 0.68) and is an optimistic
reference for real pop.  Tried and dropped (measured on the same data): summing Foote
novelty (kernels of 2 and 4 bars) or the Laplacian label changes into the detection
novelty (worse on every group); vetoing structure-feature boundaries without a label
change, or adding label changes (better on synthetic, worse on real); snapping to
downbeats estimated from the 4-beat phase of chord changes (+0.13 F@0.5 on synthetic pop,
but 0.67 -> 0.37 on "In the Year 2525", whose chords change every two beats); moving
peaks up to 2 beats (worse on real).  The constants are the published ones where there
are any (embedding, k-NN fraction), else musical units (beats, bars), not fitted.

Choice of k ("silhouette gap" with a section-length prior)
----------------------------------------------------------
The plain mean silhouette of the KMeans labels on the k-dimensional eigenvector
embedding is biased towards small k: with k = 2 the normalised rows lie on a circle and
any split looks well separated.  The bias is visible on a structure-less graph: for a
chain graph (only successive frames connected) the embedding silhouette is 0.73 / 0.65 /
0.58 / 0.53 for k = 2 / 3 / 5 / 10 whatever its length (n = 60 ... 1000).  Measured on
the dev set (7 real recordings with references, 5 synthetic forms with 3 section types):
plain silhouette picked k = 2 or 3 for 10 of 12 items, collapsed two real tracks to one
or two segments and gave mean trimmed F@0.5 / F@3 = 0.19 / 0.31 on the real recordings.

We score each candidate k (inside :func:`duration_bounds`) by

    silhouette(k) - silhouette_chain(k) - PRIOR_WEIGHT * log2(L(k) / 16 s) ** 2

i.e. the silhouette gained over the null model (a gap-statistic style correction) minus
a weak log-normal prior on the mean segment length L(k) after merging (16 s = 8 bars at
120 BPM; a factor-2 deviation costs 0.1 silhouette).  If k = 1 is allowed and no k beats
the null model by ``NULL_MARGIN``, one section is returned.  With boundaries at label
changes (the previous method) this gave real F@0.5 / F@3 = 0.28 / 0.44 with librosa's
beats, mean k 4.7.  The prior weight and length were set from the music (bar lengths),
not fitted: on the dev set they changed F@3 by less than 0.05 either way.
"""

from __future__ import annotations

import functools
import logging
import string
import warnings
from dataclasses import dataclass
from typing import Callable, Sequence

import librosa
import numpy as np
import scipy.linalg
import scipy.ndimage
import scipy.sparse.csgraph
import scipy.spatial.distance
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from core.progress import raise_if_cancelled

log = logging.getLogger(__name__)

__all__ = ["Segmentation", "segment", "duration_bounds", "K_RULES", "BOUNDARY_METHODS"]

#: Most analysis frames in the affinity (n x n dense matrices of 8 MB each).
MAX_FRAMES = 1024
#: Fewest analysis frames for which a recurrence analysis is attempted.
MIN_FRAMES = 12
#: Frames of the median filter applied to the eigenvectors (McFee & Ellis).
EVEC_SMOOTH = 9
#: A k must beat the structure-less null model by this much silhouette to be chosen.
NULL_MARGIN = 0.02
#: Prior on the mean segment length: median (s) and weight per squared octave of deviation.
PRIOR_LENGTH_S = 16.0
PRIOR_WEIGHT = 0.1
#: Names of the k-selection rules accepted by :func:`segment`.
K_RULES = ("silhouette-gap", "silhouette")
_FALLBACK_PERIOD_S = 0.5
#: Names of the boundary detectors accepted by :func:`segment` (the first is the default).
BOUNDARY_METHODS = ("structure-features", "laplacian")
#: Structure features (Serrà et al. 2014): delay embedding (beats), nearest-neighbour
#: fraction of the recurrence, Gaussian smoothing along time (standard deviation, beats).
SF_EMBED_BEATS = 3
SF_KAPPA = 0.04
SF_SIGMA_BEATS = 8.0
SF_SIGMA_LAG = 0.5
#: The structure-feature novelty is weighted from ``SF_EDGE_FLOOR`` at either end of
#: the track up to 1 at ``SF_EDGE_S`` seconds from it.
SF_EDGE_S = 20.0
SF_EDGE_FLOOR = 0.25
#: Peak picking: moving-median window (beats) and offset on the max-normalised novelty.
PEAK_WINDOW_BEATS = 32
PEAK_OFFSET = 0.1
#: Placement: half-width (beats) of the short-range checkerboard novelty.
FINE_BEATS = 4
LABEL_CHANGE_BONUS = 0.5
#: Chroma log compression; silence threshold (dB below the loudest frame) and shortest
#: leading or trailing silence (s) that gets its own segment.
# Texture-change refinement (step 4b): search radius, half-window and hop of the
# change curve, the margin a move needs, and the beat snap distance.
REFINE_S = 3.0
CHANGE_HALF_S = 3.0
#: Texture evidence in detection (step 2b): half-windows (s) of the long texture-change
#: curves (one per scale, summed), the radius (s) they are read over at each frame, and
#: their weight beside the structure-feature novelty.
TEXTURE_HALVES_S = (8.0, 12.0, 16.0)
TEXTURE_RADIUS_S = 1.0
TEXTURE_WEIGHT = 1.0
CHANGE_HOP = 4
REFINE_MARGIN = 2.0
SNAP_S = 0.3
CHROMA_GAMMA = 100.0
SILENCE_DB = -60.0
SILENCE_S = 0.5


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


def _affinity(Csync: np.ndarray, Msync: np.ndarray, *, width: int = 3,
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


def _spectral(A: np.ndarray, n_vec: int, smooth: int = EVEC_SMOOTH):
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
    _, evecs = _spectral(chain, k)
    return _silhouette(evecs, _cluster(evecs, k, 0), k)


def _length_penalty(n_segments: int, duration: float) -> float:
    """``PRIOR_WEIGHT * log2(mean segment length / PRIOR_LENGTH_S) ** 2``."""
    return PRIOR_WEIGHT * np.log2(duration / max(n_segments, 1) / PRIOR_LENGTH_S) ** 2


def _choose_k(evecs, k_lo, k_hi, *, rule, t_all, min_segment, seed, cancelled):
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
            n_seg = len(_runs(labels[k])[0])
            sil += -_null_silhouette(k) - _length_penalty(n_seg, duration)
        scores[k] = sil
    best = max(scores, key=scores.get) if scores else k_lo
    floor = NULL_MARGIN if rule == "silhouette-gap" else -np.inf
    if k_lo == 1 and (not scores or scores[best] < floor):
        best = 1
    return best, labels, scores, raw_labels


# ------------------------------------------------------------------ segments
def _runs(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
        s, e = _runs(lab)
        dur = t_edges[e] - t_edges[s]
        i = int(np.argmin(dur))
        if len(s) <= 1 or dur[i] >= min_len:
            return lab
        me = F[:, s[i]:e[i]].mean(axis=1)
        cand = [j for j in (i - 1, i + 1) if 0 <= j < len(s)]
        dist = [np.linalg.norm(F[:, s[j]:e[j]].mean(axis=1) - me) for j in cand]
        j = cand[int(np.argmin(dist))]
        lab[s[i]:e[i]] = lab[s[j]]


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
    s, _ = _runs(lab)
    bounds, ids = [0.0], [int(lab[0])]
    for i in s[1:]:
        t = float(t_edges[i])
        if bounds[-1] < t < duration and int(lab[i]) != ids[-1]:
            bounds.append(t)
            ids.append(int(lab[i]))
    return Segmentation(boundaries=(*bounds, float(duration)), labels=_letters(ids), **extra)


def _single(duration: float, beat_times=()) -> Segmentation:
    return Segmentation((0.0, float(duration)), ("A",), 1, (), "degenerate", tuple(beat_times))


# ------------------------------------------------------------------ boundary detection
def _chroma(Cs: np.ndarray) -> np.ndarray:
    """Log-compressed, unit-norm chroma (12 x n) of the beat-synchronous CQT magnitude."""
    n_oct = Cs.shape[0] // 12
    P = (Cs[:n_oct * 12] ** 2).reshape(n_oct, 12, -1).sum(axis=0)
    top = float(np.max(P)) if P.size else 0.0
    P = np.log1p(CHROMA_GAMMA * P / (top if top > 0 else 1.0))
    return P / np.maximum(np.linalg.norm(P, axis=0, keepdims=True), 1e-9)


def _standardise(X: np.ndarray) -> np.ndarray:
    """Each row z-scored over time, the block scaled to unit mean squared frame norm."""
    X = X - X.mean(axis=1, keepdims=True)
    sd = X.std(axis=1, keepdims=True)
    X = X / np.where(sd > 1e-9, sd, 1.0)
    return X / np.sqrt(max(X.shape[0], 1))


def _unit(x: np.ndarray) -> np.ndarray:
    """``x`` shifted to min 0 and scaled to max 1 (zeros if constant or non-finite)."""
    x = np.nan_to_num(np.asarray(x, dtype=float))
    x = x - x.min() if x.size else x
    top = float(x.max()) if x.size else 0.0
    return x / top if top > 1e-12 else np.zeros_like(x)


def _structure_novelty(X: np.ndarray, *, m: int, kappa: float, sigma: float) -> np.ndarray:
    """Structure-feature novelty (Serrà et al. 2012, 2014); ``nov[j]``: change at frame j.

    ``X`` (dims x n) is delay-embedded over ``m`` frames (centred) and a mutual k-NN
    recurrence (k = kappa n) computed.  Its time-lag representation is smoothed along
    time (Gaussian, ``sigma`` frames; a weighted mean of the rows that exist, so the ends
    get no artificial novelty) and the novelty is the squared distance between
    successive rows.  Two lag views are combined by a geometric mean: Serrà's circular
    lag ``(j - i) mod n`` and the absolute lag ``|j - i|``.  The circular view alone
    puts a boundary in the middle of any section made of two repeats of a loop (the first
    half recurs ahead, the second behind); the absolute view alone places boundaries
    less precisely (dev and synthetic data, ``bench/dev_structure.py``).
    """
    n = X.shape[1]
    h = m // 2
    Xp = np.pad(X, ((0, 0), (h, m - 1 - h)), mode="edge")
    E = np.concatenate([Xp[:, i:i + n] for i in range(m)], axis=0)
    sq = np.sum(E * E, axis=0)
    D = sq[:, None] + sq[None, :] - 2.0 * (E.T @ E)  # squared distances (BLAS)
    np.fill_diagonal(D, np.inf)
    k = int(np.clip(np.ceil(kappa * n), 1, n - 1))
    idx = np.argpartition(D, k - 1, axis=1)[:, :k]
    del D
    R = np.zeros((n, n), dtype=bool)
    R[np.arange(n)[:, None], idx] = True
    R &= R.T
    rows = np.arange(n)[:, None]
    circular = R[rows, (rows + np.arange(n)[None, :]) % n]  # R[i, i + l mod n]
    lags = np.arange(n // 2 + 1)[None, :]
    ahead, back = rows + lags, rows - lags
    absolute = ((R[rows, np.minimum(ahead, n - 1)] & (ahead < n))
                | (R[rows, np.maximum(back, 0)] & (back >= 0)))  # R[i, i + l] or R[i, i - l]
    mass = scipy.ndimage.gaussian_filter1d(np.ones(n, dtype=np.float32), sigma,
                                           mode="constant", truncate=3.0)[:, None]
    out = np.ones(n)
    for L, lag_mode in ((circular, "wrap"), (absolute, "nearest")):
        SF = scipy.ndimage.gaussian_filter1d(L.astype(np.float32), sigma, axis=0,
                                             mode="constant", truncate=3.0) / mass
        SF = scipy.ndimage.gaussian_filter1d(SF, SF_SIGMA_LAG, axis=1, mode=lag_mode)
        d = np.sum(np.diff(SF, axis=0).astype(np.float64) ** 2, axis=1)
        out *= _unit(np.r_[0.0, d])
    return np.sqrt(out)


def _checkerboard(w: int) -> np.ndarray:
    """Gaussian-tapered checkerboard kernel of half-width ``w`` (Foote 2000)."""
    x = (np.arange(2 * w) - w + 0.5) / w
    g = np.exp(-4.0 * x ** 2)
    sign = np.where(x < 0, -1.0, 1.0)
    return np.outer(g * sign, g * sign)


def _foote_novelty(S: np.ndarray, w: int) -> np.ndarray:
    """Checkerboard novelty of the self-similarity ``S``: ``nov[j]`` compares the ``w``
    frames before frame j with the ``w`` frames from j on."""
    n = S.shape[0]
    w = int(max(1, min(w, n // 2)))
    Sp = np.pad(S, w, mode="edge")
    K = _checkerboard(w)
    win = np.lib.stride_tricks.sliding_window_view(Sp, (2 * w, 2 * w))
    j = np.arange(n + 1)[: win.shape[0]]
    nov = np.einsum("jab,ab->j", win[j, j], K)
    return np.maximum(nov[:n], 0.0)  # similarity drop across j only (no anti-boundaries)


def _cosine_ssm(X: np.ndarray) -> np.ndarray:
    """Cosine self-similarity of the columns of ``X``."""
    U = X / np.maximum(np.linalg.norm(X, axis=0, keepdims=True), 1e-9)
    return U.T @ U


def _peaks(nov: np.ndarray, t_all: np.ndarray, *, min_gap: float, window: int,
           offset: float) -> list[int]:
    """Frames j (1 <= j < n) at local maxima of ``nov`` above a moving-median threshold,
    strongest first, at least ``min_gap`` seconds apart and from the ends."""
    n = len(nov)
    if n < 3:
        return []
    local = scipy.ndimage.maximum_filter1d(nov, size=3, mode="nearest")
    thr = scipy.ndimage.median_filter(nov, size=max(3, window), mode="nearest") + offset
    cand = [j for j in range(1, n) if nov[j] >= local[j] and nov[j] > thr[j] and nov[j] > 0]
    order = sorted(cand, key=lambda j: (-nov[j], j))
    return sorted(order[k] for k in _spaced([t_all[j] for j in order], min_gap, t_all[-1]))


def _spaced(times: Sequence[float], min_gap: float, duration: float) -> list[int]:
    """Positions in ``times`` (in priority order) accepted one by one: at least
    ``min_gap`` seconds from both ends and from every time accepted before."""
    kept: list[int] = []
    for k, t in enumerate(times):
        if min_gap <= t <= duration - min_gap and all(abs(t - times[c]) >= min_gap
                                                      for c in kept):
            kept.append(k)
    return kept


def _place(peaks: list[int], fine: np.ndarray, strength: np.ndarray, t_all: np.ndarray,
           min_gap: float) -> list[int]:
    """Move every peak to the frame where the new section starts.

    The candidates are the frames within one beat (frame) of the peak; the one with the
    largest short-range checkerboard novelty ``fine`` wins (ties: the peak itself).
    Peaks are then re-accepted strongest first, at least ``min_gap`` seconds apart and
    from the ends.
    """
    n = len(fine)
    moved = []
    for j in peaks:
        cand = [i for i in range(j - 1, j + 2) if 1 <= i < n]
        moved.append((float(strength[j]), max(cand, key=lambda i: (fine[i], -abs(i - j)))))
    order = [i for _, i in sorted(moved, key=lambda p: (-p[0], p[1]))]
    return sorted(order[k] for k in _spaced([t_all[i] for i in order], min_gap, t_all[-1]))


def _silence_edges(cqt: np.ndarray, n: int, *, sr: int, hop_length: int,
                   duration: float) -> list[float]:
    """Start of the music after and end before a silence of at least ``SILENCE_S``.

    Silence: CQT frame energy more than ``SILENCE_DB`` below the loudest frame.
    """
    e = np.einsum("ft,ft->t", cqt[:, :n], cqt[:, :n], dtype=np.float64)
    e = np.nan_to_num(e, nan=0.0, posinf=0.0)
    top = float(e.max()) if e.size else 0.0
    loud = np.flatnonzero(e > top * 10.0 ** (SILENCE_DB / 10.0)) if top > 0 else []
    if len(loud) == 0:
        return []
    t0 = float(librosa.frames_to_time(loud[0], sr=sr, hop_length=hop_length))
    t1 = float(librosa.frames_to_time(loud[-1] + 1, sr=sr, hop_length=hop_length))
    out = []
    if SILENCE_S <= t0 < duration:
        out.append(t0)
    if SILENCE_S <= duration - t1 and t1 > t0 + SILENCE_S:
        out.append(t1)
    return out


def _texture_at(texture: np.ndarray, step: float, t_all: np.ndarray) -> np.ndarray:
    """The texture-change curve (one value per ``step`` s) read at every frame start of
    ``t_all``: its maximum within ``TEXTURE_RADIUS_S`` (its peaks are sharper than a
    frame is long, and need not fall on a beat)."""
    if not texture.size:
        return np.zeros(len(t_all))
    r = max(0, int(round(TEXTURE_RADIUS_S / step)))
    wide = scipy.ndimage.maximum_filter1d(texture, size=2 * r + 1, mode="nearest")
    idx = np.clip(np.round(np.asarray(t_all) / step).astype(int), 0, len(texture) - 1)
    return wide[idx]


def _detect(ch: np.ndarray, Ms: np.ndarray, t_all: np.ndarray, *, beats_per_frame: int,
            min_gap: float, labels: np.ndarray,
            texture: np.ndarray | None = None) -> tuple[list[int], np.ndarray]:
    """Section starts (frame indices) by structure features (plus the texture evidence
    ``texture``, one value per frame, if given), and the novelty curve."""
    X = np.vstack([_standardise(ch), _standardise(Ms[1:])])
    scale = 1.0 / max(beats_per_frame, 1)
    nov = _unit(_structure_novelty(X, m=max(1, int(round(SF_EMBED_BEATS * scale))),
                                   kappa=SF_KAPPA, sigma=max(1.0, SF_SIGMA_BEATS * scale)))
    # Near the ends the novelty rests on truncated smoothing windows and on sections
    # with a neighbour on one side only: it is trusted less there.
    t = np.asarray(t_all[:len(nov)], dtype=float)
    edge = np.minimum(t - t_all[0], t_all[-1] - t) / SF_EDGE_S
    nov = nov * np.clip(SF_EDGE_FLOOR + (1.0 - SF_EDGE_FLOOR) * edge, SF_EDGE_FLOOR, 1.0)
    if texture is not None and TEXTURE_WEIGHT > 0:
        nov = _unit(nov + TEXTURE_WEIGHT * _unit(texture[:len(nov)]))
    peaks = _peaks(nov, t_all, min_gap=min_gap,
                   window=max(3, int(round(PEAK_WINDOW_BEATS * scale))), offset=PEAK_OFFSET)
    w = max(1, int(round(FINE_BEATS * scale)))
    fine = _foote_novelty(_cosine_ssm(ch), w) + _foote_novelty(_cosine_ssm(_standardise(Ms[1:])), w)
    change = np.r_[False, labels[1:] != labels[:-1]]
    return _place(peaks, _unit(fine) + LABEL_CHANGE_BONUS * change, nov, t_all, min_gap), nov


def _extra_starts(starts: list[int], nov: np.ndarray, t_all: np.ndarray, need: int,
                  fallback: np.ndarray, min_gap: float) -> list[int]:
    """Add up to ``need`` section starts: local maxima of ``nov`` (strongest first), then
    the label changes ``fallback``, keeping ``min_gap`` where possible."""
    out = list(starts)
    n = len(nov)
    local = [j for j in range(1, n)
             if nov[j] >= nov[j - 1] and (j + 1 >= n or nov[j] >= nov[j + 1])]
    pools = [sorted(local, key=lambda j: (-nov[j], j)), list(fallback),
             sorted(range(1, n), key=lambda j: (-nov[j], j))]
    for gap in (min_gap, 0.0):
        for pool in pools:
            for j in pool:
                if need <= 0:
                    return sorted(out)
                if j not in out and all(abs(t_all[j] - t_all[c]) >= gap for c in out) \
                        and min(t_all[j], t_all[-1] - t_all[j]) >= gap:
                    out.append(j)
                    need -= 1
    return sorted(out)


def _segment_labels(bounds: np.ndarray, t_all: np.ndarray, raw: np.ndarray, k: int,
                    force: bool) -> list[int]:
    """Cluster of every segment by duration-weighted majority of the frame labels.

    With ``force`` and at least ``k`` segments, every cluster gets a segment: a missing
    cluster takes the segment where it has the largest share among segments whose
    cluster is also elsewhere.
    """
    starts, ends = t_all[:-1], t_all[1:]
    share = np.zeros((len(bounds) - 1, max(k, int(raw.max()) + 1)))
    for s, (a, z) in enumerate(zip(bounds[:-1], bounds[1:])):
        w = np.clip(np.minimum(ends, z) - np.maximum(starts, a), 0.0, None)
        np.add.at(share[s], raw, w)
        share[s] /= max(share[s].sum(), 1e-12)
    lab = [int(np.argmax(r)) for r in share]
    if force and len(lab) >= k:
        for c in range(k):
            if c in lab:
                continue
            free = [s for s in range(len(lab)) if lab.count(lab[s]) > 1]
            if free:
                s = max(free, key=lambda s: (share[s, c], -s))
                lab[s] = c
    return lab


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
    chroma = _chroma(Cs.astype(np.float64))
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
    A = _affinity(Cs, Ms)
    raise_if_cancelled(cancelled)
    _, evecs = _spectral(A, max(hi, 2) + 1)
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(evecs))):
        return None
    return _choose_k(evecs, lo, hi, rule=rule, t_all=t_all, min_segment=min_segment,
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
    labels from the Laplacian clusters either way.  See the module docstring.

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
        sums = _texture_sums(np.asarray(cqt)[:, :n_cqt], np.asarray(mfcc)[:, :n_cqt],
                             hop=CHANGE_HOP)
        step_s = CHANGE_HOP * hop_length / sr
        texture = _long_texture(sums, t_all, step=step_s)
        starts, nov = _detect(ch, Ms, t_all, beats_per_frame=step, min_gap=min_segment,
                              labels=raw.get(best, np.zeros(n, dtype=int)), texture=texture)
    raise_if_cancelled(cancelled)
    lab_best = raw.get(best, np.zeros(n, dtype=int))
    silence = _silence_edges(np.asarray(cqt), n_cqt, sr=sr, hop_length=hop_length,
                             duration=duration)
    if k is not None and len(starts) + 1 + len(silence) < best:
        changes = np.flatnonzero(labels[best][1:] != labels[best][:-1]) + 1
        starts = _extra_starts(starts, nov, t_all, best - 1 - len(starts) - len(silence),
                               changes, min_segment)
    times = [float(t_all[j]) for j in starts]
    if REFINE_S > 0 and times:
        times = _refine(times, sums, step=step_s, duration=duration, min_gap=min_segment,
                        beat_times=t_all[1:-1])
    bounds = _boundaries(times, silence, duration)
    seg_lab = _segment_labels(bounds, t_all, lab_best, best, force=k is not None)
    return Segmentation(boundaries=tuple(float(b) for b in bounds), labels=_letters(seg_lab),
                        **extra)


def _texture_sums(cqt: np.ndarray, mfcc: np.ndarray, *, hop: int) -> np.ndarray:
    """Cumulative sums (dims x n + 1) of the standardised texture features per ``hop``
    frames, from which :func:`_change_from_sums` reads any window in constant time."""
    n = cqt.shape[1] // hop
    if n < 1:
        return np.zeros((1, 1))
    C = cqt[:, :n * hop].reshape(cqt.shape[0], n, hop).mean(axis=2)
    M = mfcc[1:, :n * hop].reshape(mfcc.shape[0] - 1, n, hop).mean(axis=2)
    C = np.nan_to_num(C, nan=0.0, posinf=0.0, neginf=0.0)
    ref = float(C.max()) if C.size else 0.0
    C = librosa.amplitude_to_db(C, ref=ref if ref > 0 else 1.0)
    M = np.nan_to_num(M, nan=0.0, posinf=0.0, neginf=0.0)
    X = np.vstack([_standardise(C.astype(np.float64)) / np.sqrt(C.shape[0]),
                   _standardise(M.astype(np.float64)) / np.sqrt(M.shape[0])])
    return np.concatenate([np.zeros((X.shape[0], 1)), np.cumsum(X, axis=1)], axis=1)


def _change_from_sums(cs: np.ndarray, half: int) -> np.ndarray:
    """The change curve of half-window ``half`` (zero within ``half`` of the ends)."""
    n = cs.shape[1] - 1
    out = np.zeros(max(n, 0))
    if n < 2 * half + 1:
        return out
    p = np.arange(half, n - half + 1)
    before = (cs[:, p] - cs[:, p - half]) / half
    after = (cs[:, p + half] - cs[:, p]) / half
    out[p[p < n]] = np.sum((after - before) ** 2, axis=0)[p < n]
    return out


def _long_texture(sums: np.ndarray, t_all: np.ndarray, *, step: float) -> np.ndarray | None:
    """Texture change between the seconds before and after every frame start (step 2b):
    the sum of the max-normalised change curves of half-windows ``TEXTURE_HALVES_S``,
    read at the frames; None when the track is too short for any of them.  ``sums``:
    :func:`_texture_sums` with steps of ``step`` seconds."""
    total = None
    for half_s in TEXTURE_HALVES_S:
        half = max(1, int(round(half_s / step)))
        curve = _change_from_sums(sums, half)
        if not curve.size or not np.any(curve > 0):
            continue
        # Within ``half`` of an end the curve is not measured (zero): hold its edge
        # values there, so the evidence does not drop off a cliff that peak picking
        # would take for a peak.
        a, z = half, min(len(curve) - half, len(curve) - 1)
        curve[:a], curve[z + 1:] = curve[a], curve[z]
        x = _unit(_texture_at(curve, step, t_all))
        total = x if total is None else total + x
    return total


def _refine(times: list[float], sums: np.ndarray, *, step: float, duration: float,
            min_gap: float, beat_times: np.ndarray | None = None) -> list[float]:
    """Move each boundary to the strongest texture change within ``REFINE_S`` (``sums``:
    :func:`_texture_sums` with steps of ``step`` seconds)."""
    half = max(1, int(round(CHANGE_HALF_S / step)))
    curve = _change_from_sums(sums, half)
    if not curve.size or not np.any(curve > 0):
        return times
    out = []
    for t in times:
        i0 = int(round(t / step))
        lo, hi = max(0, int((t - REFINE_S) / step)), min(len(curve), int((t + REFINE_S) / step) + 1)
        if hi <= lo:
            out.append(t)
            continue
        j = lo + int(np.argmax(curve[lo:hi]))
        here = curve[min(max(i0, 0), len(curve) - 1)]
        if curve[j] > REFINE_MARGIN * here:
            t = j * step
            if beat_times is not None and len(beat_times):
                b = beat_times[np.argmin(np.abs(beat_times - t))]
                t = float(b) if abs(b - t) <= SNAP_S else t
        out.append(t)
    out.sort()
    return [out[k] for k in _spaced(out, min_gap, duration)]


def _boundaries(starts: list[float], silence: list[float], duration: float) -> np.ndarray:
    """``0, starts and silence edges, duration``; strictly increasing, no near-duplicates
    (a silence edge within ``SILENCE_S`` of a section start replaces it)."""
    out = [t for t in starts if all(abs(t - s) >= SILENCE_S for s in silence)] + list(silence)
    inner = np.unique([t for t in out if 1e-3 < t < duration - 1e-3])
    inner = inner[np.r_[True, np.diff(inner) > 1e-3]] if inner.size else inner
    return np.r_[0.0, inner, float(duration)]
