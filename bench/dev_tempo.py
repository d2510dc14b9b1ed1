"""Dev-set tempo accuracy and speed of core.analysis.tempo against plain librosa.

Run from the repository root::

    .venv/bin/python -m bench.dev_tempo

For every dev item with a reference tempo (``../shared/data/dev/index.json``) plus the
90 BPM trumpet loop, prints reference, estimate, ACC1 (within 4 %) and ACC2 (also at
x2, x3, x1/2, x1/3) for ``core.analysis.tempo.global_tempo`` and for the baseline
``librosa.feature.tempo(onset_envelope=librosa.onset.onset_strength(...))``, then the
totals, and the time of the whole rhythm stage (onset envelope + per-window tempo +
global tempo + beats, from the mel spectrogram) against the audio duration.

The dev set is tiny (five items): it is a smoke test of accuracy, not a measurement.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf
import soxr

from core.analysis import tempo as rhythm

SR, N_FFT, HOP, N_MELS = 22050, 2048, 512, 128
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
EXTRA = [("audio/sorohan-solo_trumpet_06.ogg", 90.0)]  # the loop pack says 90 bpm


def load(path: Path) -> np.ndarray:
    """Mono float32 at SR."""
    y, sr = sf.read(str(path), dtype="float32", always_2d=True)
    y = y.mean(axis=1)
    return soxr.resample(y, sr, SR).astype(np.float32) if sr != SR else y


def mel_of(y: np.ndarray) -> np.ndarray:
    S = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP)) ** 2
    return librosa.feature.melspectrogram(S=S, sr=SR, n_mels=N_MELS).astype(np.float32)


def windows(n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """The pipeline's 10 s / 2 s grid, last window end-aligned."""
    length, stride = int(round(10 * SR / HOP)), int(round(2 * SR / HOP))
    if n_frames <= length:
        return np.array([0]), np.array([n_frames])
    starts = np.arange(0, n_frames - length + 1, stride)
    if starts[-1] + length < n_frames:
        starts = np.append(starts, n_frames - length)
    return starts, starts + length


def rhythm_stage(mel: np.ndarray) -> tuple[rhythm.GlobalTempo, np.ndarray, np.ndarray]:
    env = rhythm.onset_envelope(mel, sr=SR, hop_length=HOP)
    starts, ends = windows(env.size)
    result = rhythm.global_tempo(env, sr=SR, hop_length=HOP)
    window_bpm, _ = rhythm.estimate_tempo(env, sr=SR, hop_length=HOP, starts=starts,
                                          ends=ends, level=result.bpm)
    beats = (rhythm.beat_track(env, sr=SR, hop_length=HOP, bpm=result.bpm)
             if result.bpm > 0 else np.zeros(0, dtype=int))  # no pulse (the warm-up)
    return result, window_bpm, beats


def baseline(y: np.ndarray) -> float:
    env = librosa.onset.onset_strength(y=y, sr=SR, hop_length=HOP)
    return float(librosa.feature.tempo(onset_envelope=env, sr=SR, hop_length=HOP)[0])


def accuracy(estimate: float, reference: float) -> tuple[bool, bool]:
    def near(factor: float) -> bool:
        return abs(estimate / (reference * factor) - 1.0) <= 0.04

    return near(1.0), any(near(f) for f in (1.0, 2.0, 3.0, 0.5, 1.0 / 3.0))


def timed(fn, *args, repeat: int = 3):
    """(result, best wall time of ``repeat`` warm calls)."""
    result, best = None, np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return result, best


def items() -> list[tuple[str, float]]:
    index = json.loads((DATA / "dev" / "index.json").read_text())
    dev = [("dev/" + it["audio"], float(it["tempo"])) for it in index["items"]
           if it.get("tempo")]
    return dev + EXTRA


def main() -> int:
    if not (DATA / "dev" / "index.json").is_file():
        print(f"skipped: no dev data at {DATA}")
        return 0
    print(f"{'item':34s} {'ref':>7s} | {'ours':>7s} A1 A2 {'win med':>7s} | "
          f"{'librosa':>7s} A1 A2 | {'dur s':>6s} {'ours ms':>7s} {'x RT':>6s} "
          f"{'lib ms':>7s}")
    totals = np.zeros(4)
    duration_sum = ours_sum = base_sum = 0.0
    rhythm_stage(mel_of(np.zeros(SR * 12, dtype=np.float32)))  # warm numba / imports
    for name, ref in items():
        y = load(DATA / name)
        mel = mel_of(y)
        (result, window_bpm, _), t_ours = timed(rhythm_stage, mel)
        base, t_base = timed(baseline, y)
        ours_acc, base_acc = accuracy(result.bpm, ref), accuracy(base, ref)
        totals += np.array(ours_acc + base_acc, dtype=float)
        duration = y.size / SR
        duration_sum, ours_sum, base_sum = (duration_sum + duration, ours_sum + t_ours,
                                            base_sum + t_base)
        print(f"{Path(name).stem[:34]:34s} {ref:7.2f} | {result.bpm:7.2f} "
              f"{int(ours_acc[0]):2d} {int(ours_acc[1]):2d} {np.median(window_bpm):7.2f} | "
              f"{base:7.2f} {int(base_acc[0]):2d} {int(base_acc[1]):2d} | "
              f"{duration:6.1f} {1e3 * t_ours:7.1f} {duration / t_ours:6.0f} "
              f"{1e3 * t_base:7.1f}")
    n = len(items())
    print(f"\nACC1 ours {totals[0]:.0f}/{n}  librosa {totals[2]:.0f}/{n}   "
          f"ACC2 ours {totals[1]:.0f}/{n}  librosa {totals[3]:.0f}/{n}")
    print(f"rhythm stage (from mel): {1e3 * ours_sum:.0f} ms for {duration_sum:.0f} s of "
          f"audio = {duration_sum / ours_sum:.0f}x real time "
          f"({240 * ours_sum / duration_sum * 1e3:.0f} ms per 4-minute track); "
          f"baseline (from audio, its own STFT) {duration_sum / base_sum:.0f}x; "
          f"ratio ours/baseline time {ours_sum / base_sum:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
