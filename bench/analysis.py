"""Analysis speed: Twintrack's pipeline against the per-window reference, in one run.

Prints, for a 4-minute track (the demo looped, written as Ogg Vorbis):

* per-stage wall time and real-time factor of ``core.analysis.pipeline.analyze`` (warm),
  without and with the real-music tagger (``Settings(tags=True)``: a patch every 6 s, the
  default; and every 3 s patch), and with tags and automatic vocal suppression (which
  the singing demo switches on);
* the window's two steps: when the analysis without tags is handed over, when the tags
  are in;
* the same track through the per-window reference implementation (librosa called
  on every 10 s window separately, as the original pipeline did) and the ratios;
* the tagger alone on the track's patches: its models in turn and side by side;
* the floor: decode + one STFT + one CQT;
* a cold fresh process (warm numba cache) until the first result;
* peak memory (max RSS) of a fresh process analysing a 60-minute track.

Usage: ``python -m bench.analysis [--quick]`` (``--quick`` skips the 60-minute run).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from core.resources import resource_path

ROOT = Path(__file__).resolve().parents[1]
DEMO = resource_path("demo", "karissa_hobbs-lets_go_fishin.ogg")


def make_track(seconds: float, path: Path) -> Path:
    """The demo looped to ``seconds``, written in the format of ``path``'s suffix."""
    y, sr = sf.read(DEMO, dtype="float32", always_2d=True)
    reps = int(np.ceil(seconds * sr / len(y)))
    data = np.tile(y, (reps, 1))[: int(seconds * sr)]
    # libsndfile's Vorbis encoder crashes on very large single writes: write in blocks.
    with sf.SoundFile(path, "w", sr, data.shape[1]) as out:
        for i in range(0, len(data), 1 << 16):
            out.write(data[i:i + (1 << 16)])
    return path


def staged_analysis(path: Path, *, tags: bool = False, **options
                    ) -> tuple[float, dict[str, float]]:
    """Run analyze() once; stage times from the progress callback's stage names
    (``options``: more Settings, e.g. ``tag_stride``, ``vocals_auto``)."""
    from core.analysis.pipeline import analyze
    from core.record import Settings

    marks: list[tuple[str, float]] = []

    def progress(_fraction: float, stage: str) -> None:
        if not marks or marks[-1][0] != stage:
            marks.append((stage, time.perf_counter()))

    t0 = time.perf_counter()
    analyze(path, settings=Settings(tags=tags, **options), progress=progress)
    total = time.perf_counter() - t0
    stages: dict[str, float] = {}
    ends = [t for _, t in marks[1:]] + [t0 + total]
    for (stage, start), end in zip(marks, ends):
        stages[stage] = stages.get(stage, 0.0) + end - start
    return total, stages


def floor_time(path: Path) -> float:
    """Decode + resample + one STFT + one CQT: what no pipeline can beat."""
    import librosa
    import soxr

    t0 = time.perf_counter()
    y, sr = sf.read(path, dtype="float32")
    y = soxr.resample(y.mean(axis=1), sr, 22050)
    np.abs(librosa.stft(y, n_fft=2048, hop_length=512))
    librosa.cqt(y, sr=22050, hop_length=512, n_bins=84)
    return time.perf_counter() - t0


def reference_per_window(path: Path) -> float:
    """The original pipeline's shape: every 10 s window analysed from scratch."""
    import librosa

    t0 = time.perf_counter()
    y, sr = librosa.load(path, sr=22050, mono=True)
    win, hop = 10 * sr, 2 * sr
    starts = range(0, max(len(y) - win, 0) + 1, hop)
    for s in starts:
        seg = y[s:s + win]
        S = np.abs(librosa.stft(seg))
        librosa.feature.mfcc(y=seg, sr=sr, n_mfcc=20)
        librosa.feature.spectral_centroid(S=S, sr=sr)
        librosa.feature.spectral_bandwidth(S=S, sr=sr)
        librosa.feature.spectral_rolloff(S=S, sr=sr)
        librosa.feature.spectral_flatness(S=S)
        librosa.feature.spectral_contrast(S=S, sr=sr)
        librosa.feature.zero_crossing_rate(seg)
        librosa.feature.rms(S=S)
        oenv = librosa.onset.onset_strength(y=seg, sr=sr)
        librosa.feature.tempo(onset_envelope=oenv, sr=sr)
        librosa.effects.hpss(seg)
        librosa.feature.chroma_cqt(y=seg, sr=sr)
    # form segmentation of the whole track, as in librosa's Laplacian example
    C = librosa.amplitude_to_db(np.abs(librosa.cqt(y=y, sr=sr, bins_per_octave=36,
                                                   n_bins=252)), ref=np.max)
    _, beats = librosa.beat.beat_track(y=y, sr=sr, trim=False)
    librosa.util.sync(C, beats, aggregate=np.median)
    return time.perf_counter() - t0


def tagger_alone(path: Path) -> tuple[float, float]:
    """Wall seconds of the tagger on the track (mel front end, both models, pooling): the
    models one after the other, and side by side (best of two each)."""
    import librosa

    from core.analysis.tags import tag_windows

    y = librosa.load(path, sr=22050, mono=True)[0]
    starts = np.arange(0.0, max(len(y) / 22050 - 10.0, 0.0) + 1e-9, 2.0)

    def best(workers: int | None) -> float:
        times = []
        for _ in range(2):
            t0 = time.perf_counter()
            tag_windows(y, 22050, starts, starts + 10.0, workers=workers)
            times.append(time.perf_counter() - t0)
        return min(times)

    return best(1), best(None)


def window_steps(track: Path) -> tuple[float, float]:
    """The window's analysis (decoded audio in hand, as its worker has it): seconds
    until the analysis without tags is handed over, and until the tags are in."""
    from core.analysis.audio import load_for_analysis
    from core.analysis.pipeline import analyze_audio
    from core.record import Settings

    audio = load_for_analysis(track)
    handed: list[float] = []
    t0 = time.perf_counter()
    analyze_audio(audio, settings=Settings(tags=True),
                  partial=lambda _a: handed.append(time.perf_counter() - t0))
    return handed[0], time.perf_counter() - t0


def warm_runs(track: Path, *, tags: bool, **options) -> tuple[float, dict[str, float]]:
    """The fastest of three warm analyses (after one that warms caches)."""
    staged_analysis(track, tags=tags, **options)
    runs = [staged_analysis(track, tags=tags, **options) for _ in range(3)]
    return min(runs, key=lambda r: r[0])


def print_stages(title: str, dur: float, total: float, stages: dict[str, float]) -> None:
    print(f"{title:<22}{'seconds':>9}{'x real time':>14}")
    for name, secs in stages.items():
        print(f"{name:<22}{secs:9.3f}{dur / secs:14.0f}")
    print(f"{'twintrack total':<22}{total:9.3f}{dur / total:14.0f}\n")


def fresh_process(code: str) -> tuple[float, int]:
    """Wall time and max RSS (bytes) of ``python -c code`` in a new process."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    wall = time.perf_counter() - t0
    rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, rss_kb * 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the 60-minute memory run")
    args = ap.parse_args()
    from core.app.warmup import warm_up

    warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        track = make_track(240.0, Path(tmp) / "four_minutes.ogg")
        dur = 240.0
        print(f"track: 4:00 Ogg Vorbis 44.1 kHz stereo ({dur:.0f} s)\n")
        total, stages = warm_runs(track, tags=False)
        print_stages("stage (no tags)", dur, total, stages)
        tagged, tag_stages = warm_runs(track, tags=True)
        print_stages("stage (tags, stride 2)", dur, tagged, tag_stages)
        every, every_stages = warm_runs(track, tags=True, tag_stride=1)
        print_stages("stage (tags, stride 1)", dur, every, every_stages)
        # tags and automatic vocal suppression (the window's default; the demo sings,
        # so this is the cost on a song)
        full, full_stages = warm_runs(track, tags=True, vocals_auto=True)
        print_stages("stage (tags, auto vocals)", dur, full, full_stages)
        first, done = min((window_steps(track) for _ in range(3)), key=lambda r: r[1])
        print(f"{'window, timeline at':<22}{first:9.3f}{dur / first:14.0f}")
        print(f"{'window, tags in at':<22}{done:9.3f}{dur / done:14.0f}  "
              "(tags, stride 2, no vocal suppression: the partial result, then the tags)\n")
        floor = min(floor_time(track) for _ in range(2))
        print(f"{'floor (decode+STFT+CQT)':<22}{floor:9.3f}{dur / floor:14.0f}")
        ref = reference_per_window(track)
        print(f"{'per-window reference':<22}{ref:9.3f}{dur / ref:14.0f}")
        in_turn, side = tagger_alone(track)
        print(f"{'tagger, models in turn':<22}{in_turn:9.3f}{dur / in_turn:14.0f}")
        print(f"{'tagger, side by side':<22}{side:9.3f}{dur / side:14.0f}")
        print(f"\nspeed-up over the per-window reference: {ref / total:.1f}x without tags, "
              f"{ref / tagged:.1f}x with tags (with tags the analysis takes "
              f"{tagged / total:.1f}x as long; every patch {every / total:.1f}x; with "
              f"automatic vocal suppression on a song {full / total:.1f}x)")

        cold, _ = fresh_process(
            "import time; t=time.perf_counter(); from core.analysis.pipeline import analyze; "
            f"analyze({str(track)!r}); print(f'cold first result (in-process): "
            "{time.perf_counter()-t:.2f} s')")
        print(f"cold fresh process, wall incl. interpreter start: {cold:.2f} s")

        if not args.quick:
            long_track = make_track(3600.0, Path(tmp) / "sixty_minutes.flac")
            wall, rss = fresh_process(
                f"from core.analysis.pipeline import analyze; analyze({str(long_track)!r})")
            print(f"60-minute track: {wall:.1f} s wall ({3600 / wall:.0f}x real time), "
                  f"peak memory {rss / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
