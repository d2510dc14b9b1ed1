"""Dev evaluation of key estimation on the real recordings in shared/data.

Run from the repository root::

    .venv/bin/python -m bench.dev_key

For each recording: expected key, Twintrack's estimate (core.analysis.key on the
pipeline's CQT) and a plain librosa baseline (mean of
``librosa.feature.chroma_cqt`` correlated with Krumhansl-Kessler profiles),
each with its MIREX weighted score (``mir_eval.key.weighted_score``), then the
means and the speed of the key stage (chroma from the given CQT + per-window
keys + global key), warm, as a real-time factor.

Expected keys were checked against the audio, not only the titles:

* ``brahms-hungarian_dance_5.ogg`` is titled F# minor (the piano original), but
  its chroma equals that of the Ormandy recording (G minor orchestral version)
  untransposed (r = 0.94) and its bass opens on G: G minor.
* ``..._RWC_RM-C022.mp3`` matches the Ormandy chroma only one semitone down
  (r = 0.72) with F# the strongest bass note from start to end: F# minor.
* ``sorohan-solo_trumpet_06.ogg`` is "in F, mostly blues and Dorian": only the
  tonic is certain, so it is listed but left out of the means.
"""

from __future__ import annotations

import time
from pathlib import Path

import librosa
import mir_eval
import numpy as np

from core.analysis.key import (PITCH_CLASSES, PROFILES, chroma_from_cqt, estimate_global_key,
                               estimate_keys)

SR, HOP = 22050, 512
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# (path under DATA, expected key in mir_eval form, counted in the means)
ITEMS = [
    ("audio/brahms-hungarian_dance_5.ogg", "G minor", True),
    ("audio/kevin_macleod-sugar_plum_fairy.ogg", "E minor", True),
    ("audio/sorohan-solo_trumpet_06.ogg", "F major", False),
    ("dev/FMP_C4_Audio_Brahms_HungarianDances-05_Ormandy.mp3", "G minor", True),
    ("dev/FMP_C4_Audio_Brahms_HungarianDances-05_RWC_RM-C022.mp3", "F# minor", True),
    ("dev/FMP_C4_Audio_Chopin_Op028-11_003_20100611-SMD.mp3", "B major", True),
    ("dev/FMP_C4_Audio_Beethoven_Op031No2-01_002_20090916-SMD.mp3", "D minor", True),
]


def pipeline_cqt(y: np.ndarray) -> np.ndarray:
    return np.abs(librosa.cqt(y, sr=SR, hop_length=HOP, fmin=librosa.note_to_hz("C1"),
                              n_bins=84, bins_per_octave=12))


def pipeline_windows(n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """10 s windows, 2 s stride, last one end-aligned; one window if shorter."""
    w, s = int(round(10 * SR / HOP)), int(round(2 * SR / HOP))
    if n_frames <= w:
        return np.array([0]), np.array([n_frames])
    starts = list(range(0, n_frames - w + 1, s))
    if starts[-1] + w < n_frames:
        starts.append(n_frames - w)
    return np.array(starts), np.array(starts) + w


def key_stage(C: np.ndarray):
    """What the pipeline calls: chroma once, then window keys and global key."""
    chroma = chroma_from_cqt(C)
    starts, ends = pipeline_windows(C.shape[1])
    return estimate_keys(chroma, starts=starts, ends=ends), estimate_global_key(chroma)


def timed(fn, *args, repeats: int = 3) -> float:
    fn(*args)  # warm
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best


def baseline_key(y: np.ndarray) -> str:
    """Plain librosa: mean chroma_cqt correlated with Krumhansl-Kessler."""
    v = librosa.feature.chroma_cqt(y=y, sr=SR, hop_length=HOP).mean(axis=1)
    major, minor = (np.asarray(p) for p in PROFILES["krumhansl_kessler"])
    best, name = -np.inf, "C major"
    for mode, prof in (("major", major), ("minor", minor)):
        for k in range(12):
            r = np.corrcoef(v, np.roll(prof, k))[0, 1]
            if r > best:
                best, name = r, f"{PITCH_CLASSES[k]} {mode}"
    return name


def main() -> int:
    if not DATA.is_dir():
        print(f"skipped: data folder {DATA} not found")
        return 0
    rows, total_audio, total_stage = [], 0.0, 0.0
    print(f"{'recording':58s} {'expected':9s} {'ours':9s} {'ws':>4s}  "
          f"{'librosa+KK':10s} {'ws':>4s}")
    for rel, expected, counted in ITEMS:
        path = DATA / rel
        if not path.exists():
            print(f"{rel:58s} missing, skipped")
            continue
        y, _ = librosa.load(path, sr=SR, mono=True)
        C = pipeline_cqt(y)
        _, global_key = key_stage(C)
        ours = global_key.key.to_mir_eval()
        base = baseline_key(y)
        ws_ours = mir_eval.key.weighted_score(expected, ours)
        ws_base = mir_eval.key.weighted_score(expected, base)
        total_audio += y.size / SR
        total_stage += timed(key_stage, C)
        mark = "" if counted else "  (tonic only; not in mean)"
        print(f"{Path(rel).name[:58]:58s} {expected:9s} {ours:9s} {ws_ours:4.2f}  "
              f"{base:10s} {ws_base:4.2f}{mark}")
        if counted:
            rows.append((ws_ours, ws_base))
    if not rows:
        print("skipped: no recordings found")
        return 0
    ours_mean, base_mean = np.mean(rows, axis=0)
    print(f"\nmean weighted score over {len(rows)}: ours {ours_mean:.3f}, "
          f"librosa+Krumhansl {base_mean:.3f}")
    print(f"key stage: {total_stage * 1e3:.1f} ms for {total_audio:.0f} s of audio "
          f"= {total_audio / total_stage:.0f}x real time (warm, best of 3)")
    C4 = np.tile(C, (1, int(np.ceil(240 * SR / HOP / C.shape[1]))))[:, :int(240 * SR / HOP)]
    print(f"key stage on a 4-minute CQT: {timed(key_stage, C4, repeats=5) * 1e3:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
