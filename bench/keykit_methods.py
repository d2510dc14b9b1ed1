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

from core.analysis import key as tonality, tempo as rhythm

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
    tonality.PROFILES["learnt_kit"] = (tuple(sums[0] / sums[0].sum()),
                                       tuple(sums[1] / sums[1].sum()))
    print("  learnt major", np.round(sums[0] / sums[0].sum(), 3).tolist())
    print("  learnt minor", np.round(sums[1] / sums[1].sum(), 3).tolist())
    return _profile("learnt_kit")(train)


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


KEY_METHODS: dict[str, Callable[[list], KeyFn]] = {
    "librosa chroma+KK": _librosa_kk,
    **{f"ours {p}": _profile(p) for p in tonality.PROFILES},
    "ours AS tuned CQT": _profile("albrecht_shanahan", "cqt_tuned"),
    "AS beat-sync": _beat_sync,
    "AS + bass tonic (fit)": _bass_bonus,
    "AS relative by bass": _relative_bass,
    "learnt kit profile": _learnt,
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
