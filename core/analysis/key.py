"""Tonic and mode (key) estimation from the pipeline's constant-Q magnitude.

The pipeline computes one CQT per track (``sr=22050``, ``hop_length=512``,
``fmin=C1``, 84 bins, 12 per octave) and hands it here.  This module turns it
into a chroma suited to key finding (:func:`chroma_from_cqt`), then matches key
profiles against chroma sums over analysis windows (:func:`estimate_keys`, one
cumulative sum, no recomputation per window) and over the whole track
(:func:`estimate_global_key`, with ranked candidates).

Method
------
Chroma (all steps are cheap array operations, ~10-20 ms for 4 minutes):

1. *Tilt compensation*: librosa's CQT gives a sinusoid a magnitude falling by
   3 dB/octave; bins are multiplied by ``sqrt(f)`` so that notes weigh the
   same in every register.
2. *Transient suppression*: a grey-scale opening (running minimum then
   maximum, ``open_width`` frames) along time in each bin removes events
   shorter than ~0.1 s (drum hits, onsets) and keeps held notes.  A temporal
   median did the same but cost 35-150 ms per 4 minutes.
3. *Log compression* relative to each frame's peak,
   ``log1p(gamma * X / max(peak, floor))``: independent of the recording
   level and of how the pipeline chunks the CQT; the absolute ``floor`` keeps
   silence from being amplified.
4. *Spectral whitening*: subtract a moving average over ``whiten_width``
   semitones either side and keep the positive part, which removes broadband
   energy (noise, cymbals) and keeps the tonal peaks.
5. *Register weights*: drop C1-B1 (kick drum, rumble), half weight for
   C2-B3 (bass), full weight from C4 up, then fold to 12 pitch classes.

Keys: Pearson correlation of a chroma sum with the 24 rotations of a key
profile; the best one wins.  ``confidence = max(r, 0) * tonalness`` where
tonalness grows with the coefficient of variation of the chroma (white noise
~0.07-0.14, music 0.2-0.8), so silence and noise score near 0.

No key (JAMS ``N``, :data:`NO_KEY`): a span (window, segment or track) whose mean
chroma is below :data:`PITCHED_LEVEL` (held pitched energy too weak or too short:
silence, clicks, drums alone) or whose chroma is flat (coefficient of variation below
``_FLAT_CV``: noise) has no key.  Measured in 10 s windows: mean chroma of music
0.19-0.48 in every window of the shared recordings and the dev set, white noise
0.02-0.37, clicks 0.007, noise bursts 0.024, silence 0 (the level lies at the
geometric middle of the gap); variation of white noise 0.06-0.14 at any level (the
highest in a track's first window), of music at least 0.17 (0.21 in the shared
recordings): the bound, 0.16, has little room on either side.  A single held pitch keeps a key (its tonic is audible).  With
``context`` a span shorter than that is judged on the stretch of that length around
it (a track's faded last second keeps the key of the music before it).

Profile choice (evidence)
-------------------------
Global key, mean MIREX weighted score (``mir_eval.key.weighted_score``), all
profiles fed the chroma above, on: *m21*, 188 pieces of the music21 corpus
(Bach chorales, fiddle and folk tunes, Mozart, Beethoven...; reference = key
signature + final bass note; 53 minor, many with raised leading tones)
rendered with random harmonic timbres and +-10 cent detuning; *pop*, 96
synthetic 30 s loops with drums (8 major and 8 minor progressions, including
Aeolian i-VI-III-VII and harmonic i-iv-V-i); *real*, 7 recordings (three
Brahms Hungarian Dance No. 5, Chopin Op. 28/11, Beethoven Op. 31/2 i, Sugar
Plum Fairy, a trumpet loop in F; see ``bench/dev_key.py``).  "minor->major"
counts minor m21 pieces given a major key.

=======================  =====  =====  =====  ============
profile                  m21    pop    real   minor->major
=======================  =====  =====  =====  ============
Albrecht-Shanahan 2013   0.849  0.734  1.000   6 / 53
Temperley 2005 (MIREX)   0.801  0.660  1.000   6 / 53
Krumhansl-Kessler        0.652  0.739  0.786  12 / 53
Sha'ath (KeyFinder)      0.685  0.814  0.786  14 / 53
Faraldo edma             0.704  0.743  0.786  10 / 53
Faraldo bgate            0.726  0.758  0.857   5 / 53
librosa chroma_cqt + KK  0.702  0.649  0.671  (baseline)
=======================  =====  =====  =====  ============

Krumhansl-Kessler and Sha'ath read minor as major twice as often (their
minor-key weights for the sixth and seventh degrees are too flat); the
audio-derived EDM profiles (edma, bgate) and Sha'ath do best on drum loops
but lose on tonal music.  Albrecht-Shanahan, fitted to a large corpus of
common-practice music, has the sharpest diatonic/chromatic contrast, keeps
minor third and raised leading tone apart and is the best all-round set, so
it is the default (``profile='albrecht_shanahan'``; the others remain
selectable).  Minor keys in pop style (no leading tone, lots of bVII and bVI)
stay the weak spot of every profile (AS 0.58 on those loops, Sha'ath 0.71).

Other choices, measured step by step with AS (m21 / pop / real): spectral
whitening 0.76/0.59/0.64 -> 0.87/0.63/0.50 (real recovered with the next
steps); temporal opening 0.87/0.63/0.67 -> 0.87/0.61/0.81; dropping C1-B1
(kick drum, rumble) raised KK real 0.67 -> 0.81; bass C2-B3 at weight 2
0.85/0.55/0.81, at 1 0.87/0.60/0.81, at 0.5 0.87/0.65/0.93; tilt
compensation then 0.86/0.74/0.93; per-frame log reference (level
independent) 0.85/0.73/1.00.  Subtracting the 3rd/5th partials (a cheap
harmonic suppression) lowered AS to 0.85/0.48/0.77 and is not used.  A 36
bins-per-octave CQT (supported: ``bins_per_octave=36, tuning=...``) costs
about 3x the CQT time; instead the pipeline's 12-bin CQT follows the
recording's tuning (:mod:`core.analysis.tuning`): on the key and tempo kit
(``bench.keykit``, renders detuned by up to +-40 cents) that raised the weighted
score from 0.60 to 0.79 (see the bench for the other methods tried there).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from scipy import ndimage

from core.errors import FormatError

__all__ = [
    "PITCH_CLASSES",
    "MODES",
    "PROFILES",
    "KEYS",
    "Key",
    "GlobalKey",
    "parse_key",
    "chroma_from_cqt",
    "has_key",
    "window_chroma",
    "key_scores",
    "estimate_keys",
    "estimate_global_key",
    "NO_KEY",
    "PITCHED_LEVEL",
]

logger = logging.getLogger(__name__)

PITCH_CLASSES: Final = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
MODES: Final = ("major", "minor")

#: Published key profiles, tonic first: ``name -> (major, minor)``.
PROFILES: Final[dict[str, tuple[tuple[float, ...], tuple[float, ...]]]] = {
    # Albrecht & Shanahan (2013), Music Perception 31(1).
    "albrecht_shanahan": (
        (0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081),
        (0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052),
    ),
    # Krumhansl & Kessler (1982).
    "krumhansl_kessler": (
        (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88),
        (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17),
    ),
    # Temperley (2005), MIREX key finding (Kostka-Payne corpus).
    "temperley": (
        (0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400),
        (0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330),
    ),
    # Sha'ath (2011), KeyFinder.
    "shaath": (
        (6.6, 2.0, 3.5, 2.3, 4.6, 4.0, 2.5, 5.2, 2.4, 3.7, 2.3, 3.4),
        (6.5, 2.7, 3.5, 5.4, 2.6, 3.5, 2.5, 5.2, 4.0, 2.7, 4.3, 3.2),
    ),
    # Faraldo et al. (2016/2017), EDM profiles as in Essentia.
    "edma": (
        (1.00, 0.29, 0.50, 0.40, 0.60, 0.56, 0.32, 0.80, 0.31, 0.45, 0.42, 0.39),
        (1.00, 0.31, 0.44, 0.58, 0.33, 0.49, 0.29, 0.78, 0.43, 0.29, 0.53, 0.32),
    ),
    "bgate": (
        (1.00, 0.00, 0.42, 0.00, 0.53, 0.37, 0.00, 0.77, 0.00, 0.38, 0.21, 0.30),
        (1.00, 0.00, 0.36, 0.39, 0.00, 0.38, 0.00, 0.74, 0.27, 0.00, 0.42, 0.23),
    ),
}
DEFAULT_PROFILE: Final = "albrecht_shanahan"

_C1_MIDI: Final = 24
_TILT_REF_MIDI: Final = 66.0  # register where the tilt compensation is 1
_LEVEL_FLOOR: Final = 0.01  # frame peaks below this (a sine at about -64 dBFS) are not raised
_TONAL_CV_LOW, _TONAL_CV_SPAN = 0.10, 0.20  # chroma variation of noise .. music
#: Mean chroma below which a span has no key (see "No key" in the module doc).
PITCHED_LEVEL: Final = 0.06
_FLAT_CV: Final = 0.16  # chroma variation below which a span is noise (no key)
_N: Final = "N"  # tonic and mode of "no key" (JAMS key_mode ``N``)


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class Key:
    """A musical key: tonic pitch class (sharps spelling), mode, and confidence.

    Two keys are equal when tonic and mode are equal (confidence is ignored).

    Parameters
    ----------
    tonic : str
        One of :data:`PITCH_CLASSES` (``'C'``, ``'C#'``, ... ``'B'``), or ``'N'`` together
        with mode ``'N'`` for no key (:data:`NO_KEY`).
    mode : str
        ``'major'`` or ``'minor'`` (``'N'`` for no key).
    confidence : float
        In [0, 1]; 1.0 for a reference annotation.
    """

    tonic: str
    mode: str
    confidence: float = field(default=1.0, compare=False)

    def __post_init__(self) -> None:
        if (self.tonic == _N) != (self.mode == _N):
            raise ValueError(f"no key has tonic and mode 'N', got {self.tonic!r} {self.mode!r}")
        if self.tonic == _N:
            pass
        elif self.tonic not in PITCH_CLASSES:
            raise ValueError(f"tonic must be one of {PITCH_CLASSES}, got {self.tonic!r}")
        elif self.mode not in MODES:
            raise ValueError(f"mode must be 'major' or 'minor', got {self.mode!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be in [0, 1], got {self.confidence!r}")

    @property
    def is_key(self) -> bool:
        """False for :data:`NO_KEY` (silence, noise, unpitched material)."""
        return self.tonic != _N

    @property
    def pitch_class(self) -> int:
        """Tonic as an integer 0 (C) .. 11 (B)."""
        return PITCH_CLASSES.index(self.tonic)

    @property
    def index(self) -> int:
        """Row of this key in :data:`KEYS` and in :func:`key_scores` output."""
        return self.pitch_class + 12 * MODES.index(self.mode)

    def key_mode(self) -> str:
        """JAMS ``key_mode`` value, e.g. ``'F#:minor'``, ``'N'`` for no key (``str(key)``)."""
        return f"{self.tonic}:{self.mode}" if self.is_key else _N

    def to_mir_eval(self) -> str:
        """The form ``mir_eval.key`` expects, e.g. ``'F# minor'`` (``'X'`` for no key)."""
        return f"{self.tonic} {self.mode}" if self.is_key else "X"

    def __str__(self) -> str:
        return self.key_mode()

    @classmethod
    def parse(cls, text: str, *, confidence: float = 1.0) -> "Key":
        """Parse a key name; see :func:`parse_key`."""
        key = parse_key(text)
        return cls(key.tonic, key.mode, confidence)


#: The 24 keys in score-row order: C major .. B major, C minor .. B minor.
KEYS: Final = tuple(Key(t, m) for m in MODES for t in PITCH_CLASSES)
#: No key: silence, noise, unpitched material (JAMS ``N``).
NO_KEY: Final = Key(_N, _N, 0.0)


@dataclass(frozen=True)
class GlobalKey:
    """The key of a whole track and the runners-up.

    Attributes
    ----------
    key : Key
        The best key (same as ``candidates[0][0]``).
    candidates : tuple of (Key, float)
        Best keys first with their profile correlation in [-1, 1].
    """

    key: Key
    candidates: tuple[tuple[Key, float], ...]


_LETTERS: Final = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_ACCIDENTALS: Final = {"": 0, "#": 1, "\u266f": 1, "b": -1, "\u266d": -1}
_MODE_WORDS: Final = {"": "major", "major": "major", "maj": "major", "ionian": "major",
                      "minor": "minor", "min": "minor", "m": "minor", "aeolian": "minor"}
_KEY_RE: Final = re.compile(
    r"^\s*(?P<letter>[A-Ga-g])(?P<acc>[#b\u266f\u266d]?)\s*[:_ \t-]?\s*(?P<mode>[A-Za-z]*)\s*$")


def parse_key(text: str) -> Key:
    """Parse a key name as found in reference annotations.

    Accepts ``'F# minor'``, ``'Gb:minor'``, ``'C:major'``, ``'a minor'``,
    ``'Bbm'``, ``'Eb maj'``, ``'C'`` (no mode means major, as in JAMS), and ``'N'``
    (no key, :data:`NO_KEY`).
    Flats and enharmonics are respelt with sharps (``'Gb'`` -> ``'F#'``,
    ``'Cb'`` -> ``'B'``).

    Parameters
    ----------
    text : str
        The key name.

    Returns
    -------
    Key
        With confidence 1.0.

    Raises
    ------
    FormatError
        If ``text`` is not a major or minor key name.
    """
    if isinstance(text, str) and text.strip() in (_N, "X"):
        return NO_KEY
    match = _KEY_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise FormatError(f"not a key name: {text!r} (expected e.g. 'F# minor' or 'Gb:major')")
    mode_word = match["mode"]
    mode = _MODE_WORDS.get(mode_word if mode_word == "m" else mode_word.lower())
    if mode is None:
        raise FormatError(f"unsupported mode {mode_word!r} in key {text!r} "
                          "(only major and minor keys are supported)")
    pc = (_LETTERS[match["letter"].lower()] + _ACCIDENTALS[match["acc"]]) % 12
    return Key(PITCH_CLASSES[pc], mode)


# ------------------------------------------------------------------------- chroma


def _bin_midi(n_bins: int, bins_per_octave: int, fmin: float | None) -> np.ndarray:
    """MIDI note number (fractional) of each CQT bin centre."""
    midi0 = _C1_MIDI if fmin is None else 69.0 + 12.0 * np.log2(fmin / 440.0)
    return midi0 + np.arange(n_bins) * (12.0 / bins_per_octave)


def _fold(X: np.ndarray, midi: np.ndarray, bins_per_octave: int, tuning: float) -> np.ndarray:
    """Weight bins by register and sum them onto the 12 pitch classes.

    Bins are grouped by nearest semitone (after ``tuning``); as the grouping
    is periodic, padding to whole octaves and reshaping does the sum.
    """
    k = bins_per_octave // 12
    weights = np.where(midi < 36, 0.0, np.where(midi < 60, 0.5, 1.0)).astype(np.float32)
    semitone = np.round(midi - tuning).astype(int)
    run0 = int(np.count_nonzero(semitone[:k] == semitone[0]))
    lead = (semitone[0] % 12) * k + (k - run0)
    n_total = -(-(lead + midi.size) // bins_per_octave) * bins_per_octave
    padded = np.zeros((n_total, X.shape[1]), dtype=np.float32)
    padded[lead:lead + midi.size] = X * weights[:, None]
    return padded.reshape(-1, 12, k, X.shape[1]).sum(axis=(0, 2))


def _running(X: np.ndarray, width: int, op: np.ufunc) -> np.ndarray:
    """``op`` (minimum/maximum) over ``width`` frames, 'valid' part, by doubling."""
    out, span = X, 1
    while span * 2 <= width:
        out = op(out[:, :-span], out[:, span:])
        span *= 2
    if span < width:
        out = op(out[:, :-(width - span)], out[:, width - span:])
    return out


def _opening(X: np.ndarray, width: int) -> np.ndarray:
    """Grey-scale opening along time (erosion then dilation), same shape, X >= 0."""
    if width <= 1 or X.shape[1] < width:
        return X
    eroded = np.pad(_running(X, width, np.minimum), ((0, 0), (width - 1, width - 1)))
    return _running(eroded, width, np.maximum)


def chroma_from_cqt(C: np.ndarray, *, bins_per_octave: int = 12, fmin: float | None = None,
                    tuning: float = 0.0, gamma: float = 3.0, open_width: int = 5,
                    whiten_width: int = 6) -> np.ndarray:
    """Chroma for key finding from a constant-Q magnitude spectrogram.

    Parameters
    ----------
    C : np.ndarray, shape (n_bins, T)
        ``np.abs(librosa.cqt(...))`` with the pipeline's conventions.
    bins_per_octave : int
        A multiple of 12 (12 for the pipeline's CQT).
    fmin : float or None
        Frequency of bin 0 in Hz; ``None`` means C1 (32.70 Hz).
    tuning : float
        Deviation of the recording from A440 in fractions of a semitone; only
        matters for ``bins_per_octave > 12``.
    gamma : float
        Log-compression strength, ``log1p(gamma * X / frame_peak)``.
    open_width : int
        Length in frames of the temporal opening that removes transients
        (1 disables it).
    whiten_width : int
        Half width in semitones of the spectral whitening (0 disables it).

    Returns
    -------
    np.ndarray, shape (12, T), float32
        Non-negative chroma; row 0 is C.
    """
    C = np.asarray(C, dtype=np.float32)
    if C.ndim != 2 or bins_per_octave % 12:
        raise ValueError("C must be (n_bins, T) and bins_per_octave a multiple of 12")
    if not np.isfinite(C).all():
        raise ValueError("C contains NaN or infinite values")
    midi = _bin_midi(C.shape[0], bins_per_octave, fmin)
    tilt = (2.0 ** ((midi - _TILT_REF_MIDI) / 24.0)).astype(np.float32)
    X = _opening(np.ascontiguousarray(C * tilt[:, None]), open_width)
    scale = np.float32(gamma) / np.maximum(X.max(axis=0, initial=0.0), _LEVEL_FLOOR)
    X *= scale[None, :]
    np.log1p(X, out=X)
    if whiten_width > 0:
        half = whiten_width * bins_per_octave // 12
        X -= ndimage.uniform_filter1d(X, 2 * half + 1, axis=0, mode="nearest")
        np.maximum(X, 0.0, out=X)
    return _fold(X, midi, bins_per_octave, tuning)


# --------------------------------------------------------------------------- keys


def _profile_matrix(profile: str) -> np.ndarray:
    """(24, 12) zero-mean, unit-norm rotations of a profile, rows as :data:`KEYS`."""
    try:
        major, minor = PROFILES[profile]
    except KeyError:
        raise ValueError(f"unknown profile {profile!r}; one of {sorted(PROFILES)}") from None
    rows = [np.roll(np.asarray(p, dtype=np.float64), k) for p in (major, minor) for k in range(12)]
    T = np.array(rows)
    T -= T.mean(axis=1, keepdims=True)
    return T / np.linalg.norm(T, axis=1, keepdims=True)


def window_chroma(chroma: np.ndarray, *, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Mean chroma over each window ``[starts[i], ends[i])``, via one cumulative sum.

    Parameters
    ----------
    chroma : np.ndarray, shape (12, T)
    starts, ends : array of int, shape (W,)
        Frame indices, ``0 <= start <= end <= T``.

    Returns
    -------
    np.ndarray, shape (12, W)
    """
    chroma = np.asarray(chroma, dtype=np.float64)
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    T = chroma.shape[-1]
    if starts.shape != ends.shape or starts.ndim != 1:
        raise ValueError("starts and ends must be 1-D arrays of the same length")
    if starts.size and (starts.min() < 0 or ends.max() > T or np.any(ends < starts)):
        raise ValueError(f"windows must satisfy 0 <= start <= end <= {T}")
    cs = np.zeros((12, T + 1))
    np.cumsum(chroma, axis=1, out=cs[:, 1:])
    return (cs[:, ends] - cs[:, starts]) / np.maximum(ends - starts, 1)


def key_scores(vectors: np.ndarray, *, profile: str = DEFAULT_PROFILE) -> np.ndarray:
    """Pearson correlation of chroma vectors with the 24 key profiles.

    Parameters
    ----------
    vectors : np.ndarray, shape (12, N)
        Chroma vectors (e.g. from :func:`window_chroma`).
    profile : str
        Name in :data:`PROFILES`.

    Returns
    -------
    np.ndarray, shape (24, N)
        Rows ordered as :data:`KEYS`; 0 for a constant vector.
    """
    V = np.asarray(vectors, dtype=np.float64)
    V = V - V.mean(axis=0, keepdims=True)
    norm = np.linalg.norm(V, axis=0, keepdims=True)
    V = np.divide(V, norm, out=np.zeros_like(V), where=norm > 1e-12)
    return _profile_matrix(profile) @ V


def _tonalness(vectors: np.ndarray) -> np.ndarray:
    """0 (flat: noise, silence) .. 1 (peaked: tonal music) per chroma vector."""
    mean = vectors.mean(axis=0)
    cv = np.divide(vectors.std(axis=0), mean, out=np.zeros_like(mean), where=mean > 1e-12)
    return np.clip((cv - _TONAL_CV_LOW) / _TONAL_CV_SPAN, 0.0, 1.0)


def has_key(vectors: np.ndarray) -> np.ndarray:
    """Whether each chroma vector (12, N) is pitched enough for a key (module doc)."""
    mean = vectors.mean(axis=0)
    cv = np.divide(vectors.std(axis=0), mean, out=np.zeros_like(mean), where=mean > 1e-12)
    return (mean >= PITCHED_LEVEL) & (cv >= _FLAT_CV)


def _around(starts: np.ndarray, ends: np.ndarray, n_frames: int, width: int
            ) -> dict[str, np.ndarray]:
    """Windows shorter than ``width`` widened to ``width`` around their centre, inside."""
    lo = np.clip((starts + ends) // 2 - width // 2, 0, max(n_frames - width, 0))
    short = ends - starts < width
    return {"starts": np.where(short, lo, starts),
            "ends": np.where(short, np.minimum(lo + width, n_frames), ends)}


def _ranked(vectors: np.ndarray, profile: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores (24, N), key order best first (24, N), confidence scale (N,)."""
    scores = key_scores(vectors, profile=profile)
    order = np.argsort(-scores, axis=0, kind="stable")
    return scores, order, _tonalness(vectors)


def estimate_keys(chroma: np.ndarray, *, starts: np.ndarray, ends: np.ndarray,
                  profile: str = DEFAULT_PROFILE, context: int = 0) -> list[Key]:
    """The key of each analysis window.

    Parameters
    ----------
    chroma : np.ndarray, shape (12, T)
        From :func:`chroma_from_cqt` (computed once for the track).
    starts, ends : array of int, shape (W,)
        Window frame indices, end exclusive.
    profile : str
        Name in :data:`PROFILES`.
    context : int
        Frames: a window shorter than this has a key when the ``context`` frames around
        its centre are pitched (:func:`has_key`); 0 judges each window alone.

    Returns
    -------
    list of Key
        One per window; ``confidence`` is ``max(r, 0) * tonalness`` in [0, 1];
        :data:`NO_KEY` where the window is not pitched (:func:`has_key`).
    """
    vectors = window_chroma(chroma, starts=starts, ends=ends)
    scores, order, tonal = _ranked(vectors, profile)
    pitched = has_key(vectors if context <= 0 else window_chroma(
        chroma, **_around(np.asarray(starts), np.asarray(ends), chroma.shape[1], context)))
    keys = []
    for w in range(vectors.shape[1]):
        if not pitched[w]:
            keys.append(NO_KEY)
            continue
        best = KEYS[order[0, w]]
        conf = float(np.clip(scores[order[0, w], w], 0.0, 1.0) * tonal[w])
        keys.append(Key(best.tonic, best.mode, conf))
    return keys


def estimate_global_key(chroma: np.ndarray, *, n_candidates: int = 5,
                        profile: str = DEFAULT_PROFILE) -> GlobalKey:
    """The key of a whole track and its best ``n_candidates`` candidates.

    Parameters
    ----------
    chroma : np.ndarray, shape (12, T)
        From :func:`chroma_from_cqt`.
    n_candidates : int
        How many ranked candidates to return (1..24).
    profile : str
        Name in :data:`PROFILES`.

    Returns
    -------
    GlobalKey
        Candidates carry their correlation; each candidate's confidence is
        ``max(r, 0) * tonalness``.  Silence, noise and unpitched material give
        :data:`NO_KEY` and no candidates (:func:`has_key`).
    """
    if not 1 <= n_candidates <= 24:
        raise ValueError("n_candidates must be in 1..24")
    chroma = np.asarray(chroma, dtype=np.float64)
    vector = chroma.mean(axis=1, keepdims=True) if chroma.shape[1] else np.zeros((12, 1))
    if not has_key(vector)[0]:
        return GlobalKey(NO_KEY, ())
    scores, order, tonal = _ranked(vector, profile)
    candidates = []
    for idx in order[:n_candidates, 0]:
        r = float(scores[idx, 0])
        k = KEYS[idx]
        candidates.append((Key(k.tonic, k.mode, float(np.clip(r, 0.0, 1.0) * tonal[0])), r))
    logger.debug("global key %s (r=%.3f, tonalness=%.2f)", candidates[0][0], candidates[0][1],
                 tonal[0])
    return GlobalKey(candidates[0][0], tuple(candidates))
