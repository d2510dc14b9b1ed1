"""The key and tempo methods :mod:`bench.keykit` compares, each a factory.

``KEY_METHODS[name](train)`` returns ``estimate(features) -> "C# minor"``;
``TEMPO_METHODS[name](train)`` returns ``estimate(features) -> (bpm, beat_times)``.
``train`` is the kit's training half (``(key, features)`` pairs for key methods,
``(item, features)`` for tempo methods); only methods that learn look at it, and the
bench reports them on the other half.  Methods that win move to ``core.analysis``;
the rest stay here as the record of what was tried.
"""

from __future__ import annotations

from typing import Callable

import librosa
import numpy as np

from core.analysis import key as tonality, octave, tempo as rhythm

SR, HOP = 22050, 512
KeyFn = Callable[[dict], str]


def extra_features(y: np.ndarray, sr: int) -> dict[str, np.ndarray]:
    """What some methods need beyond the pipeline's frames: tuning, a tuned CQT, and
    librosa's chroma (the textbook baseline)."""
    tuning = float(librosa.estimate_tuning(y=y, sr=sr))
    tuned = np.abs(librosa.cqt(y, sr=sr, hop_length=HOP, fmin=librosa.note_to_hz("C1"),
                               n_bins=84, bins_per_octave=12, tuning=tuning))
    return {"tuning": np.float32(tuning), "cqt_tuned": tuned.astype(np.float32),
            "chroma_cqt": librosa.feature.chroma_cqt(y=y, sr=sr, hop_length=HOP
                                                     ).mean(axis=1).astype(np.float32)}


def _name(index: int) -> str:
    return tonality.KEYS[index].to_mir_eval()


def _profile(profile: str, source: str = "cqt") -> Callable[[list], KeyFn]:
    def make(train: list) -> KeyFn:
        def estimate(f: dict) -> str:
            chroma = tonality.chroma_from_cqt(f[source])
            return tonality.estimate_global_key(chroma, profile=profile).key.to_mir_eval()
        return estimate
    return make


def _librosa_kk(train: list) -> KeyFn:
    def estimate(f: dict) -> str:
        return _name(int(np.argmax(tonality.key_scores(
            f["chroma_cqt"][:, None], profile="krumhansl_kessler")[:, 0])))
    return estimate


def _band_chroma(cqt: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Key chroma of the CQT bins from MIDI ``lo`` to ``hi`` (exclusive) only."""
    midi = 24 + np.arange(cqt.shape[0])
    return tonality.chroma_from_cqt(np.where(((midi >= lo) & (midi < hi))[:, None], cqt, 0.0))


def _key_parts(f: dict) -> tuple[np.ndarray, np.ndarray]:
    """(24,) profile correlations of the whole chroma and (12,) bass weights in [0, 1]."""
    chroma = tonality.chroma_from_cqt(f["cqt"]).mean(axis=1)
    scores = tonality.key_scores(chroma[:, None])[:, 0]
    bass = _band_chroma(f["cqt"], 36, 60).mean(axis=1)
    return scores, bass / max(float(bass.max()), 1e-9)


def _bass_bonus(train: list) -> KeyFn:
    """Profile correlation plus ``lam`` x the tonic's bass weight; ``lam`` fitted."""
    parts = [(_key_parts(f), tonality.parse_key(k).index) for k, f in train]

    def pick(p: tuple, lam: float) -> int:
        return int(np.argmax(p[0] + lam * np.tile(p[1], 2)))

    lams = np.linspace(0.0, 0.5, 11)
    accuracy = [np.mean([pick(p, lam) == ref for p, ref in parts]) for lam in lams]
    lam = float(lams[int(np.argmax(accuracy))])
    print(f"  bass bonus: lambda {lam:.2f} (train accuracy {max(accuracy):.3f})")
    return lambda f: _name(pick(_key_parts(f), lam))


def _relative_bass(train: list) -> KeyFn:
    """Best key, or its relative when that is within ``margin`` and has more tonic bass."""
    parts = [(_key_parts(f), tonality.parse_key(k).index) for k, f in train]

    def pick(p: tuple, margin: float) -> int:
        scores, bass = p
        best = int(np.argmax(scores))
        pc, minor = best % 12, best >= 12
        rel = (pc + 9) % 12 + 12 if not minor else (pc + 3) % 12
        if scores[best] - scores[rel] <= margin and bass[rel % 12] > bass[pc]:
            return rel
        return best

    margins = np.linspace(0.0, 0.3, 13)
    accuracy = [np.mean([pick(p, m) == ref for p, ref in parts]) for m in margins]
    margin = float(margins[int(np.argmax(accuracy))])
    print(f"  relative by bass: margin {margin:.3f} (train accuracy {max(accuracy):.3f})")
    return lambda f: _name(pick(_key_parts(f), margin))


def _learnt(train: list) -> KeyFn:
    """Profiles learnt from the training half: mean tonic-rotated normalised chroma."""
    sums = np.zeros((2, 12))
    for k, f in train:
        key = tonality.parse_key(k)
        v = tonality.chroma_from_cqt(f["cqt"]).mean(axis=1)
        sums[key.index // 12] += np.roll(v / max(v.sum(), 1e-9), -key.pitch_class)
    rows = np.array([np.roll(sums[m], k) for m in (0, 1) for k in range(12)])
    rows -= rows.mean(axis=1, keepdims=True)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    print("  learnt major", np.round(sums[0] / sums[0].sum(), 3).tolist())
    print("  learnt minor", np.round(sums[1] / sums[1].sum(), 3).tolist())

    def estimate(f: dict) -> str:
        v = tonality.chroma_from_cqt(f["cqt"]).mean(axis=1)
        return _name(int(np.argmax(rows @ (v - v.mean()))))
    return estimate


def _beat_sync(train: list) -> KeyFn:
    """Chroma averaged per beat and each beat scaled to unit maximum (loud = quiet)."""
    def estimate(f: dict) -> str:
        chroma = tonality.chroma_from_cqt(f["cqt"])
        env = rhythm.onset_envelope(f["mel"], sr=SR, hop_length=HOP)
        bpm = rhythm.global_tempo(env, sr=SR, hop_length=HOP).bpm
        beats = rhythm.beat_track(env, sr=SR, hop_length=HOP, bpm=bpm) if bpm > 0 else []
        edges = np.unique(np.r_[0, np.asarray(beats, int), chroma.shape[1]])
        sync = tonality.window_chroma(chroma, starts=edges[:-1], ends=edges[1:])
        sync = sync / np.maximum(sync.max(axis=0, keepdims=True), 1e-9)
        return _name(int(np.argmax(tonality.key_scores(sync.mean(axis=1)[:, None])[:, 0])))
    return estimate


def _triad_matrix() -> np.ndarray:
    """(24, 12) zero-mean unit-norm major then minor triad templates, rooted C..B."""
    rows = []
    for third in (4, 3):
        for root in range(12):
            v = np.zeros(12)
            v[[root, (root + third) % 12, (root + 7) % 12]] = 1.0
            rows.append(v)
    T = np.array(rows) - 1.0 / 4.0
    return T / np.linalg.norm(T, axis=1, keepdims=True)


def _tonic_parts(f: dict) -> tuple[np.ndarray, np.ndarray]:
    """(24,) profile correlations and (24,) share of half-second blocks whose best
    triad is each key's tonic triad."""
    chroma = tonality.chroma_from_cqt(f["cqt"])
    scores = tonality.key_scores(chroma.mean(axis=1)[:, None])[:, 0]
    n = chroma.shape[1] // 22
    blocks = chroma[:, :n * 22].reshape(12, n, 22).mean(axis=2)
    pitched = tonality.has_key(blocks)
    chords = np.argmax(_triad_matrix() @ (blocks - blocks.mean(axis=0)), axis=0)[pitched]
    share = np.bincount(chords, minlength=24) / max(chords.size, 1)
    return scores, share


def _tonic_triad(train: list) -> KeyFn:
    """Profile correlation plus ``mu`` x the share of time on the key's tonic triad."""
    parts = [(_tonic_parts(f), tonality.parse_key(k).index) for k, f in train]
    mus = np.linspace(0.0, 1.0, 11)
    accuracy = [np.mean([np.argmax(p[0] + mu * p[1]) == ref for p, ref in parts])
                for mu in mus]
    mu = float(mus[int(np.argmax(accuracy))])
    print(f"  tonic triad: mu {mu:.2f} (train accuracy {max(accuracy):.3f})")

    def estimate(f: dict) -> str:
        scores, share = _tonic_parts(f)
        return _name(int(np.argmax(scores + mu * share)))
    return estimate


KEY_METHODS: dict[str, Callable[[list], KeyFn]] = {
    "librosa chroma+KK": _librosa_kk,
    "before: AS, A440 CQT": _profile("albrecht_shanahan", "cqt_a440"),
    **{f"ours {p}": _profile(p) for p in tonality.PROFILES},
    "AS, librosa-tuned CQT": _profile("albrecht_shanahan", "cqt_tuned"),
    "AS beat-sync": _beat_sync,
    "AS + bass tonic (fit)": _bass_bonus,
    "AS relative by bass": _relative_bass,
    "learnt kit profile": _learnt,
    "AS + tonic triad (fit)": _tonic_triad,
}


# --------------------------------------------------------------------------- tempo


def _ours_tempo(train: list):
    def estimate(f: dict) -> tuple[float, np.ndarray]:
        env = rhythm.onset_envelope(f["mel"], sr=SR, hop_length=HOP)
        bpm = rhythm.global_tempo(env, sr=SR, hop_length=HOP).bpm
        return bpm, _beats(env, bpm)
    return estimate


def _beats(env: np.ndarray, bpm: float) -> np.ndarray:
    if bpm <= 0:
        return np.zeros(0)
    frames = rhythm.beat_track(env, sr=SR, hop_length=HOP, bpm=bpm)
    return librosa.frames_to_time(np.asarray(frames), sr=SR, hop_length=HOP)


def _librosa_tempo(train: list):
    def estimate(f: dict) -> tuple[float, np.ndarray]:
        env = rhythm.onset_envelope(f["mel"], sr=SR, hop_length=HOP)
        bpm = float(librosa.feature.tempo(onset_envelope=env, sr=SR, hop_length=HOP)[0])
        return bpm, _beats(env, bpm)
    return estimate


TEMPO_METHODS: dict[str, Callable] = {
    "ours (global_tempo)": _ours_tempo,
    "librosa feature.tempo": _librosa_tempo,
}


# ------------------------------------------------------------- learnt octave decision


def _octave_candidates(f: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Envelope, candidate tempi around the tempogram's choice and their features, as
    core.analysis.octave computes them."""
    env = rhythm.onset_envelope(f["mel"], sr=SR, hop_length=HOP)
    ours = rhythm.global_tempo(env, sr=SR, hop_length=HOP, level_model=False).bpm
    if ours <= 0:
        return env, np.zeros(0), np.zeros((0, len(octave.WEIGHTS)))
    tg = rhythm._tempogram(env, frame_rate=SR / HOP)
    grid = rhythm._bpm_grid()
    salience, _ = rhythm._global_salience(tg, grid)
    rate = np.count_nonzero(rhythm._onset_mask(env.astype(np.float64))) / (env.size * HOP / SR)
    cands, x = octave.candidate_features(ours, grid, salience[0], max(rate, 0.0))
    return env, cands, x


def _learnt_octave(train: list):
    """Refit core.analysis.octave's logistic model on the kit's training half."""
    from sklearn.linear_model import LogisticRegression

    xs, ys = [], []
    for item, f in train:
        _, cands, x = _octave_candidates(f)
        xs.append(x)
        ys.append(np.abs(cands / item.tempo - 1.0) <= 0.04)
    model = LogisticRegression(C=1.0, max_iter=1000).fit(np.vstack(xs), np.concatenate(ys))
    print("  octave model: WEIGHTS", np.round(model.coef_[0], 3).tolist(),
          "INTERCEPT", round(float(model.intercept_[0]), 3))

    def estimate(f: dict) -> tuple[float, np.ndarray]:
        env, cands, x = _octave_candidates(f)
        if cands.size == 0:
            return 0.0, np.zeros(0)
        bpm = float(cands[int(np.argmax(model.decision_function(x)))])
        return bpm, _beats(env, bpm)
    return estimate


def _tempogram_level(train: list):
    """global_tempo without the learnt level decision (before issue 15)."""
    def estimate(f: dict) -> tuple[float, np.ndarray]:
        env = rhythm.onset_envelope(f["mel"], sr=SR, hop_length=HOP)
        bpm = rhythm.global_tempo(env, sr=SR, hop_length=HOP, level_model=False).bpm
        return bpm, _beats(env, bpm)
    return estimate


TEMPO_METHODS = {"before: tempogram level": _tempogram_level, **TEMPO_METHODS,
                 "refit octave model": _learnt_octave}
