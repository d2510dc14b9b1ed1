"""Chords per beat from the pipeline's key chroma: templates and a Viterbi path.

The chroma is the one the key already uses (:func:`core.analysis.key.chroma_from_cqt` of
the pipeline's tuning-aware CQT): no second CQT, a few array operations per track.

Method
------
1. *Beat-synchronous chroma*: the mean chroma of every beat span (from a beat to the
   next; the stretch before the first beat and after the last are spans too), with one
   cumulative sum (:func:`core.analysis.key.window_chroma`).  A track without beats (no
   pulse) is cut into spans of :data:`SPAN_WITHOUT_BEATS` seconds instead.
2. *Template scores*: cosine similarity of each span's chroma with the 24 major and
   minor triads (root, third and fifth, unit norm), plus :data:`BASS_WEIGHT` times the
   share of the chord's root in the span's bass chroma (:func:`bass_chroma`: C2-B3 of
   the same CQT, each span's strongest bass pitch class 1), turned into likelihoods by
   a softmax of sharpness :data:`SHARPNESS`.  The bass tells a chord from its relative
   (C major / A minor share two notes) and a major from a minor chord whose bass
   partials put a major third in the chroma.
3. *No chord* (``N``): a span is pitched when the chroma of the :data:`CONTEXT` seconds
   around it (centred, moved inside the track at its ends) passes the key's test
   (:func:`core.analysis.key.has_key`: held pitched energy, not flat) and the span's
   own mean chroma reaches :data:`core.analysis.key.PITCHED_LEVEL`.  Silence, noise and
   drums alone are not, and give ``N``.  The stretch is as long as the key's windows,
   on which the test's bounds were measured: the flatness of white noise is judged
   unreliably on short spans (over 12 s of noise, 40 % of the spans passed with 1 s
   either side, 8 % with 2 s, and the last seconds still passed with 3 s).  The span's
   own level keeps the silence after the music's last note ``N``.  An unpitched span
   keeps a small chord likelihood and a pitched one a small ``N`` likelihood.
4. *Smoothing*: the most likely path through the 25 states
   (``librosa.sequence.viterbi``) with a transition matrix that stays in the same chord
   with probability :data:`SELF_PROB` per beat (``librosa.sequence.transition_loop``),
   so a passing note does not make the chord flicker.

Runs of equal labels become one :class:`~core.record.Chord` each, with the mean
likelihood of the chosen state as confidence.  Labels use the mir_eval / JAMS chord
syntax: ``C:maj``, ``A:min``, ``N``; roots are spelt with sharps as the key is.

Evidence (``python -m bench.chords``: 144 progressions of the key and tempo kit, 20 s
each, six chord cycles in all 24 keys rendered through the General MIDI SoundFont with
drums, reverb and noise; ``mir_eval`` majmin, duration-weighted, mean over items):
triads alone 0.900; with the bass 0.921 (weight 0.1-0.2 within 0.002; 0.5 gives 0.908);
the same on the even and odd halves of the kit within 0.015.  Sharpness 10 / 15 / 20 /
30 / 40 gave 0.81 / 0.87 / 0.90 / 0.91 / 0.91 and self-transition 0.5 / 0.7 / 0.8 /
0.9 / 0.95 gave 0.91 / 0.90 / 0.90 / 0.89 / 0.87 (triads alone).  Harmonic templates
(each chord note with decaying partials, as Gómez 2006) lowered it (0.85-0.89), and
so did chroma above C3 only (0.86).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from core.analysis.key import (PITCH_CLASSES, PITCHED_LEVEL, chroma_from_cqt, has_key,
                               window_chroma)
from core.record import Chord, NO_CHORD

__all__ = ["CHORD_LABELS", "NO_CHORD", "SHARPNESS", "SELF_PROB", "BASS_WEIGHT", "CONTEXT",
           "SPAN_WITHOUT_BEATS", "chord_templates", "bass_chroma", "span_edges",
           "chord_likelihoods", "estimate_chords"]

#: The chord vocabulary in state order: C:maj .. B:maj, C:min .. B:min, then N.
CHORD_LABELS: Final = tuple(f"{pc}:{q}" for q in ("maj", "min") for pc in PITCH_CLASSES) \
    + (NO_CHORD,)
#: Softmax sharpness of the template scores (cosine similarities in [0, 1]).
SHARPNESS: Final = 20.0
#: Probability of keeping the chord from one beat to the next.
SELF_PROB: Final = 0.8
#: Weight of the root's share of the bass chroma, added to the template similarity.
BASS_WEIGHT: Final = 0.15
#: Seconds around a span judged for pitched material (the key's N test, its window).
CONTEXT: Final = 10.0
#: Span length in seconds when the track has no beats.
SPAN_WITHOUT_BEATS: Final = 0.5
_AWAY: Final = 1e-3  # likelihood left to N in a pitched span and to chords in an unpitched one
_BASS_BINS: Final = slice(12, 36)  # C2-B3 of the pipeline's CQT (fmin C1, 12 per octave)
_C2_HZ: Final = 65.40639132514966


def chord_templates() -> np.ndarray:
    """Unit-norm triad templates, shape (24, 12), rows as :data:`CHORD_LABELS` (no N)."""
    rows = np.zeros((24, 12))
    for q, third in enumerate((4, 3)):
        for root in range(12):
            rows[12 * q + root, [root, (root + third) % 12, (root + 7) % 12]] = 1.0
    return rows / np.sqrt(3.0)


def bass_chroma(C: np.ndarray) -> np.ndarray:
    """Chroma of the bass register (C2-B3) of the pipeline's CQT, shape (12, T).

    Parameters
    ----------
    C : np.ndarray, shape (84, T)
        The pipeline's CQT magnitude (``fmin`` C1 after tuning, 12 bins per octave), the
        one :func:`core.analysis.key.chroma_from_cqt` reads.
    """
    C = np.asarray(C)
    if C.ndim != 2 or C.shape[0] < _BASS_BINS.stop:
        raise ValueError(f"C must be the pipeline's CQT, (84, T); got shape {C.shape}")
    return chroma_from_cqt(C[_BASS_BINS], fmin=_C2_HZ)


def span_edges(beat_frames: np.ndarray, n_frames: int, *, sr: int,
               hop_length: int) -> np.ndarray:
    """Frame edges of the beat spans: 0, the beats, ``n_frames`` (increasing, unique).

    Without beats, spans of :data:`SPAN_WITHOUT_BEATS` seconds.
    """
    beats = np.asarray(beat_frames, dtype=np.int64)
    if beats.size == 0:
        step = max(int(round(SPAN_WITHOUT_BEATS * sr / hop_length)), 1)
        beats = np.arange(step, n_frames, step)
    return np.unique(np.clip(np.r_[0, beats, n_frames], 0, n_frames))


def chord_likelihoods(vectors: np.ndarray, pitched: np.ndarray, *,
                      bass: np.ndarray | None = None,
                      sharpness: float = SHARPNESS) -> np.ndarray:
    """Likelihood of each chord state for each span.

    Parameters
    ----------
    vectors : np.ndarray, shape (12, S)
        Mean chroma per span.
    pitched : np.ndarray of bool, shape (S,)
        Whether each span holds pitched material.
    bass : np.ndarray, shape (12, S), optional
        Mean bass chroma per span (:func:`bass_chroma`); None: no bass evidence.
    sharpness : float
        Softmax sharpness of the template similarities.

    Returns
    -------
    np.ndarray, shape (25, S)
        Columns sum to 1; rows as :data:`CHORD_LABELS`.
    """
    V = np.asarray(vectors, dtype=np.float64)
    norm = np.linalg.norm(V, axis=0, keepdims=True)
    unit = np.divide(V, norm, out=np.zeros_like(V), where=norm > 1e-12)
    similarity = chord_templates() @ unit
    if bass is not None:
        B = np.asarray(bass, dtype=np.float64)
        peak = B.max(axis=0, keepdims=True)
        share = np.divide(B, peak, out=np.zeros_like(B), where=peak > 1e-12)
        similarity += BASS_WEIGHT * np.tile(share, (2, 1))  # rows: roots of maj, then min
    logits = sharpness * similarity
    chords = np.exp(logits - logits.max(axis=0, keepdims=True))
    chords /= chords.sum(axis=0, keepdims=True)
    on = np.asarray(pitched, dtype=bool)
    share = np.where(on, 1.0 - _AWAY, _AWAY)
    return np.vstack([chords * share, 1.0 - share])


def _pitched(chroma: np.ndarray, vectors: np.ndarray, starts: np.ndarray, ends: np.ndarray,
             *, width: int) -> np.ndarray:
    """Whether each span is pitched: the ``width`` frames around it pass the key's test
    and the span's own mean chroma reaches the key's level (module doc, step 3)."""
    n_frames = chroma.shape[1]
    lo = np.clip((starts + ends) // 2 - width // 2, 0, max(n_frames - width, 0))
    around = window_chroma(chroma, starts=lo, ends=np.minimum(lo + width, n_frames))
    return has_key(around) & (vectors.mean(axis=0) >= PITCHED_LEVEL)


def estimate_chords(chroma: np.ndarray, beat_frames: np.ndarray, *,
                    bass: np.ndarray | None = None, sr: int = 22050,
                    hop_length: int = 512, sharpness: float = SHARPNESS,
                    self_prob: float = SELF_PROB) -> tuple[Chord, ...]:
    """The chord of every beat span, as runs of equal chords (module doc).

    Parameters
    ----------
    chroma : np.ndarray, shape (12, T)
        From :func:`core.analysis.key.chroma_from_cqt` (the pipeline's, once per track).
    beat_frames : np.ndarray of int
        Increasing beat frames (the pipeline's beat tracker); empty for no pulse.
    bass : np.ndarray, shape (12, T), optional
        :func:`bass_chroma` of the same CQT; None leaves the bass out.
    sr, hop_length : int
        The chroma's frame rate is ``sr / hop_length``.
    sharpness : float
        Softmax sharpness of the template similarities (:func:`chord_likelihoods`).
    self_prob : float
        Probability of keeping the chord from one span to the next, in (0, 1); ``1/25``
        (every state as likely) turns the smoothing off.

    Returns
    -------
    tuple of Chord
        Consecutive runs tiling ``[0, T * hop_length / sr]`` seconds; empty when ``T`` is 0.
        Unpitched material (silence, noise, drums alone) is ``N``.
    """
    import librosa

    chroma = np.asarray(chroma, dtype=np.float64)
    if chroma.ndim != 2 or chroma.shape[0] != 12:
        raise ValueError("chroma must have shape (12, T)")
    n_frames = chroma.shape[1]
    if not 0.0 < self_prob < 1.0:
        raise ValueError(f"self_prob must be in (0, 1), got {self_prob!r}")
    if n_frames == 0:
        return ()
    if bass is not None and np.shape(bass) != chroma.shape:
        raise ValueError(f"bass must have the chroma's shape {chroma.shape}")
    edges = span_edges(beat_frames, n_frames, sr=sr, hop_length=hop_length)
    starts, ends = edges[:-1], edges[1:]
    vectors = window_chroma(chroma, starts=starts, ends=ends)
    pitched = _pitched(chroma, vectors, starts, ends,
                       width=int(round(CONTEXT * sr / hop_length)))
    spans_bass = None if bass is None else window_chroma(bass, starts=starts, ends=ends)
    prob = chord_likelihoods(vectors, pitched, bass=spans_bass, sharpness=sharpness)
    transition = librosa.sequence.transition_loop(len(CHORD_LABELS), self_prob)
    path = librosa.sequence.viterbi(prob, transition)
    chosen = prob[path, np.arange(path.size)]
    seconds = edges * (hop_length / sr)
    change = np.flatnonzero(np.diff(path)) + 1
    bounds = np.r_[0, change, path.size]
    return tuple(Chord(float(seconds[a]), float(seconds[b]), CHORD_LABELS[path[a]],
                       float(np.round(chosen[a:b].mean(), 6)))
                 for a, b in zip(bounds[:-1], bounds[1:]))
