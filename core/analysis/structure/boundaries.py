"""Section boundaries: structure features, texture evidence, placement and refinement.

Steps 1-5 of :mod:`core.analysis.structure` (structure-feature novelty, texture evidence, peaks,
placement on the beat, texture-change refinement, leading and trailing silences).
"""

from __future__ import annotations

from typing import Sequence

import librosa
import numpy as np
import scipy.ndimage


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
#: Texture-change refinement (step 4b): search radius, half-window and hop (frames) of
#: the change curve, the margin a move needs, and the beat snap distance.
REFINE_S = 3.0
CHANGE_HALF_S = 3.0
CHANGE_HOP = 4
REFINE_MARGIN = 2.0
SNAP_S = 0.3
#: Texture evidence in detection (step 2b): half-windows (s) of the long texture-change
#: curves (one per scale, summed), the radius (s) they are read over at each frame, and
#: their weight beside the structure-feature novelty.
TEXTURE_HALVES_S = (8.0, 12.0, 16.0)
TEXTURE_RADIUS_S = 1.0
TEXTURE_WEIGHT = 1.0
#: Chroma log compression; silence threshold (dB below the loudest frame) and shortest
#: leading or trailing silence (s) that gets its own segment.
CHROMA_GAMMA = 100.0
SILENCE_DB = -60.0
SILENCE_S = 0.5


# ------------------------------------------------------------------ boundary detection
def beat_chroma(Cs: np.ndarray) -> np.ndarray:
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


def silence_edges(cqt: np.ndarray, n: int, *, sr: int, hop_length: int,
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


def detect(ch: np.ndarray, Ms: np.ndarray, t_all: np.ndarray, *, beats_per_frame: int,
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


def extra_starts(starts: list[int], nov: np.ndarray, t_all: np.ndarray, need: int,
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


def segment_labels(bounds: np.ndarray, t_all: np.ndarray, raw: np.ndarray, k: int,
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


def texture_sums(cqt: np.ndarray, mfcc: np.ndarray, *, hop: int) -> np.ndarray:
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


def long_texture(sums: np.ndarray, t_all: np.ndarray, *, step: float) -> np.ndarray | None:
    """Texture change between the seconds before and after every frame start (step 2b):
    the sum of the max-normalised change curves of half-windows ``TEXTURE_HALVES_S``,
    read at the frames; None when the track is too short for any of them.  ``sums``:
    :func:`texture_sums` with steps of ``step`` seconds."""
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


def refine(times: list[float], sums: np.ndarray, *, step: float, duration: float,
            min_gap: float, beat_times: np.ndarray | None = None) -> list[float]:
    """Move each boundary to the strongest texture change within ``REFINE_S`` (``sums``:
    :func:`texture_sums` with steps of ``step`` seconds)."""
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


def join_boundaries(starts: list[float], silence: list[float], duration: float) -> np.ndarray:
    """``0, starts and silence edges, duration``; strictly increasing, no near-duplicates
    (a silence edge within ``SILENCE_S`` of a section start replaces it)."""
    out = [t for t in starts if all(abs(t - s) >= SILENCE_S for s in silence)] + list(silence)
    inner = np.unique([t for t in out if 1e-3 < t < duration - 1e-3])
    inner = inner[np.r_[True, np.diff(inner) > 1e-3]] if inner.size else inner
    return np.r_[0.0, inner, float(duration)]
