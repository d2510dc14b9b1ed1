"""The named per-window feature set (``default21``) and its shipped PCA basis.

21 features per 10 s window, in this order:

* 3 MFCC means (coefficients 1-3; c0 is loudness, which RMS already covers);
* 15 spectral/temporal statistics (below);
* 3 PCA components of a 39-dimensional timbre/tonal summary (20 MFCC means,
  7 spectral-contrast band means, 12 chroma means).

The PCA basis is fitted once on a reference corpus and shipped as
``resources/pca/<version>.json`` with its version, input names, standardisation and
the files it was fitted on; it is never refitted per track, so component 1 means the
same thing in every analysis (and the version is recorded in every analysis).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.analysis.features import FrameFeatures, WindowGrid, window_mean, window_std

__all__ = ["FEATURE_NAMES", "EXTENDED_NAMES", "DEGREE_NAMES", "MID_NAMES", "EMBEDDING_NAMES",
           "FEATURE_SETS", "USER_SET",
           "DEFAULT_SET",
           "WIDEST_SET", "TRAIN_SET", "TEMPO_NAMES", "PCA_VERSION",
           "PcaBasis", "load_pca", "fit_pca", "pca_inputs", "window_features",
           "extended_features", "feature_names", "TARGET_SUBSETS", "target_subset"]

PCA_VERSION = "pca-v1"

SPECTRAL_TEMPORAL = (
    "centroid_mean", "centroid_std", "bandwidth_mean", "rolloff_mean", "flatness_mean",
    "contrast_mean", "zcr_mean", "rms_mean", "rms_std", "rms_db_std",
    "onset_rate", "onset_strength_mean", "onset_strength_std", "tempo", "harmonic_ratio",
)
FEATURE_NAMES = (("mfcc_1", "mfcc_2", "mfcc_3") + SPECTRAL_TEMPORAL
                 + ("pca_1", "pca_2", "pca_3"))
#: ``extended-v1``: named statistics beside ``default21`` that the renderer's tags leave
#: audible and the 21 squeeze together (the three PCA components carry 39 inputs):
#: timbre in detail (MFCC 4-12 means, MFCC 1-12 deviations, per-band spectral contrast),
#: the spectral envelope (8 log mel-band shares), where the onsets are (spectral flux of
#: the low / mid / high mel bands: kick, snare and hats), register (CQT pitch centroid,
#: spread, bass share), key-invariant tonality (best major and best minor key-profile
#: correlation and their difference: mode; chroma entropy: tonal clarity; chroma flux:
#: harmonic rhythm) and the remaining deviations.
EXTENDED_NAMES = (
    tuple(f"mfcc_mean_{i}" for i in range(4, 13))
    + tuple(f"mfcc_std_{i}" for i in range(1, 13))
    + tuple(f"contrast_mean_{i}" for i in range(7)) + tuple(f"contrast_std_{i}" for i in range(7))
    + tuple(f"melband_{i}" for i in range(8)) + tuple(f"melband_std_{i}" for i in range(8))
    + ("flux_low_mean", "flux_low_std", "flux_mid_mean", "flux_mid_std",
       "flux_high_mean", "flux_high_std")
    + ("pitch_centroid", "pitch_centroid_std", "pitch_spread", "bass_share")
    + ("major_fit", "minor_fit", "mode_fit", "chroma_entropy", "chroma_flux")
    + ("bandwidth_std", "rolloff_std", "flatness_std", "zcr_std", "harmonic_std", "rms_db_mean",
       "log2_tempo"))
#: ``extended-v2`` adds the window's pitch-class profile relative to the tonic of its
#: best-fitting key (12 energy shares, degree 0 = tonic): which scale degrees sound tells
#: the modes apart (a mixolydian flat seventh, a lydian sharp fourth, a phrygian flat
#: second) where the best major and minor fits cannot.
DEGREE_NAMES = tuple(f"degree_share_{i}" for i in range(12))
#: ``extended-v3`` is ``extended-v2`` without the window tempo (``tempo``, ``log2_tempo``).
#: The feedback loop renders every segment at the original's tempo (so original and
#: render play beat-synchronously), also where that tempo is off the style's range: a
#: model that reads the tempo then judges the tempo, not the style.  Measured on the v3
#: corpus (MLP, grouped split): genre 0.981 -> 0.976, mood 0.882 -> 0.872 (the spread
#: between runs is about 0.01); feedback-loop consistency on the shared recordings (8
#: renders each): genre 0.77 -> 0.87, mood 0.47 -> 0.75, momentum 0.48 -> 0.72.
TEMPO_NAMES = ("tempo", "log2_tempo")
#: ``extended-v4`` adds the harmony above the bass: the chroma of the CQT from C3 up, in
#: magnitude (not energy), so the chords' and the tune's tones are not drowned by the
#: bass and its leakage into the neighbouring pitch classes (the full-range chroma of a
#: low, drum-heavy style gives the semitones beside the tonic nearly as much as the
#: third).  Its 12 degree shares relative to its own best key, its best-major minus
#: best-minor fit, and its interval-class profile: for k = 1..6 semitones, the mean over
#: frames of sum_i c_i c_(i+k) / sum_i c_i^2 (clusters at k=1, seconds and suspensions at
#: 2, thirds at 3-4, fifths at 5, tritones at 6), which tells a suspended or open-fifth
#: (neutral) sound from a major (positive) or minor-with-ninth (negative) one without
#: knowing the key.
MID_NAMES = (tuple(f"mid_degree_{i}" for i in range(12)) + ("mid_mode_fit",)
             + tuple(f"mid_ic_{k}" for k in range(1, 7)))
#: ``wide-v3`` adds what a model trained on real music hears: the 200-unit penultimate
#: layer of the MSD musicnn tagger (core.analysis.tags), its patches pooled per window.
EMBEDDING_NAMES = tuple(f"msd_emb_{i:03d}" for i in range(200))
DEFAULT_SET = "default21"
_V3 = tuple(n for n in FEATURE_NAMES + EXTENDED_NAMES + DEGREE_NAMES if n not in TEMPO_NAMES)
FEATURE_SETS = {DEFAULT_SET: FEATURE_NAMES, "extended-v1": FEATURE_NAMES + EXTENDED_NAMES,
                "extended-v2": FEATURE_NAMES + EXTENDED_NAMES + DEGREE_NAMES,
                "extended-v3": _V3, "extended-v4": _V3 + MID_NAMES,
                "wide-v2": FEATURE_NAMES + EXTENDED_NAMES + DEGREE_NAMES + MID_NAMES,
                "wide-v3": FEATURE_NAMES + EXTENDED_NAMES + DEGREE_NAMES + MID_NAMES
                + EMBEDDING_NAMES}
#: Targets whose classifiers read only part of a set: in ``extended-v4`` the harmony
#: above the bass feeds mood and sentiment (what the renders' harmony colours carry),
#: while the style and energy targets keep ``extended-v3``: a style's idiomatic modes
#: and progressions are a trait of the renders, not of real music in that genre.
#: Measured on the v5 corpus (grouped split, MLP), all targets on ``extended-v3`` / all
#: on ``extended-v4`` / these subsets: mood 0.884 / 0.907 / 0.907, sentiment 0.929 /
#: 0.945 / 0.945, genre 0.975 / 0.975 / 0.977.  The feedback loop on the shared
#: recordings (8 renders each): genre 0.94 / 0.86 / 0.95, momentum 0.91 / 0.79 / 0.94,
#: sentiment 0.91 / 0.94 / 0.96 (all targets on ``extended-v4`` learn the renders'
#: harmony as a style cue, and real music does not follow it).
TARGET_SUBSETS: dict[str, dict[str, str]] = {
    "extended-v4": {"genre": "extended-v3", "subgenre": "extended-v3",
                    "valence": "extended-v3", "momentum": "extended-v3"}}
#: The widest set (every feature a named set reads): what the corpus stores, so a model
#: of any set trains on one table.
WIDEST_SET = "wide-v3"
#: The set ``twintrack train`` uses for a corpus of renders unless told otherwise.
TRAIN_SET = "extended-v4"
#: ... and for a corpus of the user's own recordings (``corpus --from-folder`` /
#: ``--from-csv``): real music, where the real-music tagger's embeddings carry the genre.
USER_SET = "wide-v3"


def target_subset(feature_set: str, target: str) -> str:
    """The named set ``target``'s classifiers read within ``feature_set``
    (:data:`TARGET_SUBSETS`; the whole set unless restricted)."""
    return TARGET_SUBSETS.get(feature_set, {}).get(target, feature_set)


def feature_names(feature_set: str) -> tuple[str, ...]:
    """The column names of a named feature set (:data:`FEATURE_SETS`)."""
    try:
        return FEATURE_SETS[feature_set]
    except KeyError:
        raise ValueError(f"unknown feature set {feature_set!r}; one of "
                         f"{sorted(FEATURE_SETS)}") from None


PCA_INPUTS = (tuple(f"mfcc_mean_{i}" for i in range(20))
              + tuple(f"contrast_mean_{i}" for i in range(7))
              + tuple(f"chroma_mean_{i}" for i in range(12)))


@dataclass(frozen=True)
class PcaBasis:
    """A fitted projection: ``((x - mean) / scale) @ components.T``."""

    version: str
    input_names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    components: np.ndarray  # (3, n_inputs)
    explained_variance_ratio: tuple[float, ...]
    corpus: tuple[str, ...]

    def transform(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.components.T

    def to_json(self) -> str:
        return json.dumps({
            "version": self.version, "input_names": list(self.input_names),
            "mean": self.mean.tolist(), "scale": self.scale.tolist(),
            "components": self.components.tolist(),
            "explained_variance_ratio": list(self.explained_variance_ratio),
            "corpus": list(self.corpus)}, indent=1)


@lru_cache(maxsize=4)
def load_pca(version: str = PCA_VERSION) -> PcaBasis:
    """Load a shipped PCA basis (cached per process)."""
    d = json.loads(pca_path(version).read_text(encoding="utf-8"))
    return PcaBasis(d["version"], tuple(d["input_names"]), np.asarray(d["mean"]),
                    np.asarray(d["scale"]), np.asarray(d["components"]),
                    tuple(d["explained_variance_ratio"]), tuple(d["corpus"]))


def fit_pca(inputs: np.ndarray, *, version: str, corpus: tuple[str, ...],
            n_components: int = 3) -> PcaBasis:
    """Fit a basis on stacked :func:`pca_inputs` rows of a reference corpus."""
    from sklearn.decomposition import PCA

    mean = inputs.mean(axis=0)
    scale = inputs.std(axis=0)
    scale[scale < 1e-9] = 1.0
    pca = PCA(n_components=n_components, svd_solver="full").fit((inputs - mean) / scale)
    comps = pca.components_.copy()
    # Fix each component's sign (largest loading positive) so refits are comparable.
    comps *= np.sign(comps[np.arange(n_components), np.abs(comps).argmax(axis=1)])[:, None]
    return PcaBasis(version, PCA_INPUTS, mean, scale, comps,
                    tuple(float(v) for v in pca.explained_variance_ratio_), corpus)


def _pitch_class_shares(bins: np.ndarray) -> np.ndarray:
    """Per frame, the share of each pitch class in ``bins`` (12 CQT bins per octave,
    starting at a C; a partial top octave is left out), shape (12, T)."""
    n_oct = bins.shape[0] // 12
    chroma = bins[:n_oct * 12].reshape(n_oct, 12, -1).sum(axis=0)
    return chroma / (chroma.sum(axis=0, keepdims=True) + 1e-12)


def _chroma_share(cqt: np.ndarray) -> np.ndarray:
    """Pitch-class energy share per frame from the C1-based 12-bin-per-octave CQT."""
    return _pitch_class_shares(cqt ** 2)


def pca_inputs(frames: FrameFeatures, grid: WindowGrid) -> np.ndarray:
    """The 39 per-window inputs of the PCA, shape (n_windows, 39)."""
    return np.hstack([window_mean(frames.mfcc, grid), window_mean(frames.contrast, grid),
                      window_mean(_chroma_share(frames.cqt), grid)])


def window_features(frames: FrameFeatures, grid: WindowGrid, *, onset_env: np.ndarray,
                    onset_peaks: np.ndarray, tempo: np.ndarray,
                    pca: PcaBasis | None = None) -> np.ndarray:
    """The ``default21`` features of every window, shape (n_windows, 21).

    Parameters
    ----------
    frames : FrameFeatures
    grid : WindowGrid
    onset_env : np.ndarray, shape (T,)
        Onset strength per frame.
    onset_peaks : np.ndarray, shape (T,)
        1.0 at frames where an onset was detected, else 0.0.
    tempo : np.ndarray, shape (n_windows,)
        Tempo of every window in BPM.
    pca : PcaBasis, optional
        Defaults to the shipped :data:`PCA_VERSION`.
    """
    pca = pca or load_pca()
    fps = frames.settings.sr / frames.settings.hop_length
    centroid, bandwidth, rolloff, flatness, rms, zcr = frames.spectral
    rms_db = 20.0 * np.log10(np.maximum(rms, 1e-5))
    st = np.column_stack([
        window_mean(centroid, grid), window_std(centroid, grid),
        window_mean(bandwidth, grid), window_mean(rolloff, grid), window_mean(flatness, grid),
        window_mean(frames.contrast.mean(axis=0), grid), window_mean(zcr, grid),
        window_mean(rms, grid), window_std(rms, grid), window_std(rms_db, grid),
        window_mean(onset_peaks, grid) * fps,
        window_mean(onset_env, grid), window_std(onset_env, grid),
        np.asarray(tempo, dtype=np.float64)[:, None],
        window_mean(frames.harmonic, grid),
    ])
    mfcc = window_mean(frames.mfcc[1:4], grid)
    comps = pca.transform(pca_inputs(frames, grid))
    return np.hstack([mfcc, st, comps])


def _band_edges(n: int, bands: int) -> np.ndarray:
    return np.linspace(0, n, bands + 1).round().astype(int)


def extended_features(frames: FrameFeatures, grid: WindowGrid, *, tempo: np.ndarray,
                      degrees: bool = False, mid: bool = False) -> np.ndarray:
    """The :data:`EXTENDED_NAMES` features of every window, shape (n_windows, 73), followed
    with ``degrees`` by the :data:`DEGREE_NAMES` (12 more) and with ``mid`` by the
    :data:`MID_NAMES` (19 more).

    Frame-level inputs are the analysis's own (computed once per track); every window
    statistic is a cumulative-sum mean or deviation, as for ``default21``.
    """
    from core.analysis.key import key_scores

    centroid, bandwidth, rolloff, flatness, rms, zcr = frames.spectral
    mel = np.asarray(frames.mel, dtype=np.float64)
    total = mel.sum(axis=0) + 1e-10
    edges = _band_edges(mel.shape[0], 8)
    bands = np.vstack([mel[a:b].sum(axis=0) for a, b in zip(edges[:-1], edges[1:])])
    share = np.log10(bands / total + 1e-6)
    logmel = np.log10(mel + 1e-8)
    flux = np.maximum(np.diff(logmel, axis=1, prepend=logmel[:, :1]), 0.0)
    thirds = _band_edges(mel.shape[0], 3)
    flux3 = np.vstack([flux[a:b].mean(axis=0) for a, b in zip(thirds[:-1], thirds[1:])])
    cqt = np.asarray(frames.cqt, dtype=np.float64) ** 2
    energy = cqt.sum(axis=0) + 1e-12
    bins = np.arange(cqt.shape[0], dtype=np.float64)[:, None]
    pc = (bins * cqt).sum(axis=0) / energy
    spread = np.sqrt(np.maximum((bins ** 2 * cqt).sum(axis=0) / energy - pc ** 2, 0.0))
    bass = cqt[:24].sum(axis=0) / energy          # below C3
    chroma = _chroma_share(frames.cqt)
    wchroma = window_mean(chroma, grid)           # (n, 12)
    scores = key_scores(wchroma.T)                # (24, n): 12 major then 12 minor
    major, minor = scores[:12].max(axis=0), scores[12:].max(axis=0)
    entropy = -(chroma * np.log2(chroma + 1e-12)).sum(axis=0)
    cflux = np.r_[0.0, np.abs(np.diff(chroma, axis=1)).sum(axis=0)]
    rms_db = 20.0 * np.log10(np.maximum(rms, 1e-5))
    bpm = np.maximum(np.asarray(tempo, dtype=np.float64), 1.0)
    tail = ([_degree_shares(wchroma, scores)] if degrees else []) + (
        [_mid_harmony(frames.cqt, grid)] if mid else [])
    return np.hstack([
        window_mean(frames.mfcc[4:13], grid), window_std(frames.mfcc[1:13], grid),
        window_mean(frames.contrast, grid), window_std(frames.contrast, grid),
        window_mean(share, grid), window_std(share, grid),
        np.column_stack([window_mean(flux3[0], grid), window_std(flux3[0], grid),
                         window_mean(flux3[1], grid), window_std(flux3[1], grid),
                         window_mean(flux3[2], grid), window_std(flux3[2], grid)]),
        window_mean(pc, grid), window_std(pc, grid), window_mean(spread, grid),
        window_mean(bass, grid),
        np.column_stack([major, minor, major - minor]),
        window_mean(entropy, grid), window_mean(cflux, grid),
        window_std(bandwidth, grid), window_std(rolloff, grid), window_std(flatness, grid),
        window_std(zcr, grid), window_std(frames.harmonic, grid), window_mean(rms_db, grid),
        np.log2(bpm)[:, None],
        *tail,
    ])


def _degree_shares(wchroma: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Window chroma shares (n, 12) rotated so column 0 is the tonic of the best of the
    24 keys (``scores``, (24, n)); a window without a key (all scores 0) keeps C."""
    tonic = np.argmax(scores, axis=0) % 12
    idx = (tonic[:, None] + np.arange(12)[None, :]) % 12
    return np.take_along_axis(wchroma, idx, axis=1)


#: CQT bin of C3 (the CQT starts at C1, 12 bins per octave): where :data:`MID_NAMES` start.
_MID_LOW_BIN = 24


def _mid_harmony(cqt: np.ndarray, grid: WindowGrid) -> np.ndarray:
    """The :data:`MID_NAMES` of every window, shape (n_windows, 19)."""
    from core.analysis.key import key_scores

    chroma = _pitch_class_shares(np.asarray(cqt, dtype=np.float64)[_MID_LOW_BIN:])
    wchroma = window_mean(chroma, grid)
    scores = key_scores(wchroma.T)
    power = (chroma ** 2).sum(axis=0) + 1e-12
    ic = np.vstack([(chroma * np.roll(chroma, -k, axis=0)).sum(axis=0) / power
                    for k in range(1, 7)])
    return np.hstack([_degree_shares(wchroma, scores),
                      (scores[:12].max(axis=0) - scores[12:].max(axis=0))[:, None],
                      window_mean(ic, grid)])


def pca_path(version: str) -> Path:
    """Where the shipped basis ``version`` lives (``resources/pca/<version>.json``)."""
    from core.resources import resource_path

    return resource_path("pca", f"{version}.json")
