"""Dev evaluation of form segmentation (core.analysis.structure) against references and baselines.

Run from the repository root::

    .venv/bin/python -m bench.dev_structure [--long] [--cache DIR] [--pop N]

Inputs are made as in the pipeline: audio read with soundfile, mixed to mono and
resampled with soxr to 22050 Hz; frame features from :func:`core.analysis.features.
compute_frame_features` (CQT, MFCC); beats from :mod:`core.analysis.tempo` (``onset_envelope``,
``global_tempo``, ``beat_track``).  Three groups of items:

* ``dev``   the dev items with section boundaries (/work/shared/data/dev, 7 tracks:
  mostly classical, "In the Year 2525" and a metal excerpt); skipped if absent;
* ``forms`` short synthetic forms (ABAC, ABCBA, ABACAB; the tests' generator,
  :func:`tests.fixtures.songs.render`);
* ``pop``   synthetic pop songs (:func:`tests.fixtures.songs.pop_song`): intro / verse /
  pre-chorus / chorus / bridge / solo / outro of 4-16 bars at 86-134 BPM, each section
  type with its own chord progression, pad and lead timbres, bass and drum patterns;
  repeats vary (melody notes, timing), drum fills lead into sections, long sections get
  an arpeggio layer half-way (a change that is not a boundary), odd seeds modulate the
  last chorus, every third song fades out.

For every item it prints trimmed boundary hit-rate F-measures (mir_eval.segment.detection)
at 0.5 s and 3 s and the number of segments for

* ``new``      core.analysis.structure.segment as the pipeline calls it (structure-feature
  boundaries, labels from the Laplacian clusters);
* ``snapped``  ``new`` with every inner boundary moved to the nearest downbeat
  (:mod:`core.analysis.downbeats`) within one beat (issue 15: measured, not kept);
* ``current``  the previous method: ``boundary_method="laplacian"`` (boundaries where the
  Laplacian/KMeans labels change);
* ``gallery``  librosa's "Laplacian segmentation" gallery example with fixed k = 5;

then the means per group and the CPU time of our stage (warm, real-time factor).
``--long`` also times a 60-minute input (a dev track's features tiled) and its peak
traced memory.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

from tests.fixtures.songs import pop_song, render

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SR, HOP = 22050, 512
METHODS = ("new", "snapped", "current", "gallery")


def load(path: Path) -> np.ndarray:
    """Mono float32 audio at 22050 Hz (soundfile, soxr)."""
    import soundfile as sf
    import soxr

    y, sr = sf.read(str(path), dtype="float32", always_2d=True)
    y = y.mean(axis=1)
    return (soxr.resample(y, sr, SR) if sr != SR else y).astype(np.float32)


def features(y: np.ndarray) -> dict:
    """CQT, MFCC and beats exactly as the pipeline computes them."""
    from core.analysis import tempo as rhythm
    from core.analysis.features import compute_frame_features

    fr = compute_frame_features(np.asarray(y, dtype=np.float32))
    oenv = rhythm.onset_envelope(fr.mel, sr=SR, hop_length=HOP)
    bpm = rhythm.global_tempo(oenv, sr=SR, hop_length=HOP).bpm
    beats = rhythm.beat_track(oenv, sr=SR, hop_length=HOP, bpm=bpm)
    from core.analysis.downbeats import estimate_downbeats
    from core.analysis.key import chroma_from_cqt

    down = estimate_downbeats(beats, mel=fr.mel, chroma=chroma_from_cqt(fr.cqt), sr=SR)
    return {"cqt": fr.cqt, "mfcc": fr.mfcc, "beats": beats, "duration": len(y) / SR,
            "downbeats": down.frames * HOP / SR, "beat_s": 60.0 / max(bpm, 1.0)}


def cached(cache: Path | None, key: str, make) -> dict:
    """``make()`` (a features dict plus ``ref``), stored as ``cache/key.npz`` if asked."""
    path = cache / f"{key}.npz" if cache else None
    if path is not None and path.exists():
        with np.load(path) as z:
            return {k: (float(z[k]) if z[k].ndim == 0 else z[k]) for k in z.files}
    f = make()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **f)
    return f


# ------------------------------------------------------------------ methods and scores
def gallery(C, mfcc, beats, duration, k=5):
    """librosa's Laplacian segmentation gallery example, fixed k (boundaries in s)."""
    import librosa
    import scipy
    import sklearn.cluster

    Cdb = librosa.amplitude_to_db(C, ref=np.max)
    Csync = librosa.util.sync(Cdb, beats, aggregate=np.median)
    beat_times = librosa.frames_to_time(librosa.util.fix_frames(beats, x_min=0), sr=SR,
                                        hop_length=HOP)
    R = librosa.segment.recurrence_matrix(Csync, width=3, mode="affinity", sym=True)
    Rf = librosa.segment.timelag_filter(scipy.ndimage.median_filter)(R, size=(1, 7))
    Msync = librosa.util.sync(mfcc, beats)
    path_distance = np.sum(np.diff(Msync, axis=1) ** 2, axis=0)
    path_sim = np.exp(-path_distance / np.median(path_distance))
    R_path = np.diag(path_sim, k=1) + np.diag(path_sim, k=-1)
    deg_path, deg_rec = np.sum(R_path, axis=1), np.sum(Rf, axis=1)
    mu = deg_path.dot(deg_path + deg_rec) / np.sum((deg_path + deg_rec) ** 2)
    A = mu * Rf + (1 - mu) * R_path
    L = scipy.sparse.csgraph.laplacian(A, normed=True)
    _, evecs = scipy.linalg.eigh(L)
    evecs = scipy.ndimage.median_filter(evecs, size=(9, 1))
    Cnorm = np.cumsum(evecs ** 2, axis=1) ** 0.5
    X = evecs[:, :k] / Cnorm[:, k - 1:k]
    seg_ids = sklearn.cluster.KMeans(n_clusters=k, n_init="auto", random_state=0).fit_predict(X)
    bound_beats = 1 + np.flatnonzero(seg_ids[:-1] != seg_ids[1:])
    bound_beats = librosa.util.fix_frames(bound_beats, x_min=0)
    bound_times = beat_times[np.minimum(bound_beats, len(beat_times) - 1)]  # as in the example
    b = np.unique(np.r_[bound_times[bound_times < duration], duration])
    return np.r_[0.0, b[b > 0]]


def f_measures(ref, est) -> tuple[float, float]:
    """Trimmed boundary hit-rate F at 0.5 s and 3 s."""
    import mir_eval

    def iv(b):
        b = np.asarray(b, dtype=float)
        return np.stack([b[:-1], b[1:]], axis=1)

    return tuple(mir_eval.segment.detection(iv(ref), iv(est), window=w, trim=True)[2]
                 for w in (0.5, 3.0))


def run(method: str, f: dict) -> tuple[np.ndarray, float]:
    """Boundaries (s) of ``method`` on the features ``f`` and the CPU time it took.

    CPU time of this process (the stage runs single-threaded), so a busy machine does
    not inflate it; wall time is the same on an idle machine.
    """
    from core.analysis.structure import segment

    t0 = time.process_time()
    if method == "gallery":
        b = gallery(f["cqt"], f["mfcc"], f["beats"], f["duration"])
    else:
        kw = {"boundary_method": "laplacian"} if method == "current" else {}
        b = np.asarray(segment(f["cqt"], f["mfcc"], f["beats"], duration=f["duration"],
                               **kw).boundaries)
        if method == "snapped":  # inner boundaries to a downbeat within one beat
            from core.analysis.downbeats import snap_to_downbeats

            b[1:-1] = snap_to_downbeats(b[1:-1], f["downbeats"], within=f["beat_s"] * 1.01)
    return b, time.process_time() - t0


def evaluate(groups: dict) -> None:
    """Per-item table, means per group and method, stage timing."""
    print(f"{'group':5s} {'item':32s} {'ref':>3s} | " + " | ".join(
        f"{m:>7s} n  F@.5   F@3" for m in METHODS))
    times = {m: [] for m in METHODS}
    for group, items in groups.items():
        rows = {m: [] for m in METHODS}
        for name, f in items:
            cells = []
            for m in METHODS:
                b, dt = run(m, f)
                times[m].append((f["duration"], dt))
                f05, f3 = f_measures(f["ref"], b)
                rows[m].append((f05, f3))
                cells.append(f"{len(b) - 1:9d} {f05:5.2f} {f3:5.2f}")
            print(f"{group:5s} {name[:32]:32s} {len(f['ref']) - 1:3d} | " + " | ".join(cells))
        means = " | ".join(f"{m}: F@0.5={np.mean([r[0] for r in rows[m]]):.3f} "
                           f"F@3={np.mean([r[1] for r in rows[m]]):.3f}" for m in METHODS)
        print(f"{group:5s} MEAN over {len(items)} items  {means}\n")
    for m in ("new", "current"):
        d, t = np.array(times[m]).sum(axis=0)
        slow = max(times[m], key=lambda x: x[1] / x[0])
        print(f"stage CPU time {m:8s}: {t:.2f} s for {d:.0f} s of audio = {d / t:.0f}x real "
              f"time (slowest item {slow[1] * 1000:.0f} ms for {slow[0]:.0f} s; "
              f"~{1000 * t / d * 240:.0f} ms per 4 minutes)")


def long_run(f, minutes=60) -> None:
    """Time and peak memory of the stage on a ~``minutes``-long input (tiled features)."""
    reps = int(np.ceil(minutes * 60 / f["duration"]))
    n = f["cqt"].shape[1]
    g = {"cqt": np.tile(f["cqt"], reps), "mfcc": np.tile(f["mfcc"], reps),
         "beats": np.concatenate([f["beats"] + i * n for i in range(reps)]),
         "duration": f["duration"] * reps}
    from core.analysis.structure import segment

    tracemalloc.start()
    t0 = time.perf_counter()
    seg = segment(g["cqt"], g["mfcc"], g["beats"], duration=g["duration"])
    dt = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"long input {g['duration'] / 60:.0f} min, {len(g['beats'])} beats: {dt:.2f} s "
          f"({g['duration'] / dt:.0f}x rt), peak traced memory {peak / 2 ** 20:.0f} MB "
          f"(the features themselves: {(g['cqt'].nbytes + g['mfcc'].nbytes) / 2 ** 20:.0f} MB), "
          f"k={seg.k}, {len(seg.labels)} segments")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--long", action="store_true", help="also time a 60-minute input")
    ap.add_argument("--cache", type=Path, help="folder to keep computed features in")
    ap.add_argument("--pop", type=int, default=8, help="number of synthetic pop songs")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    groups: dict[str, list] = {"dev": [], "forms": [], "pop": []}
    index = DATA / "dev" / "index.json"
    if index.exists():
        for it in json.loads(index.read_text())["items"]:
            if it.get("boundaries"):
                name = Path(it["audio"]).stem
                f = cached(args.cache, "dev_" + name, lambda it=it: {
                    **features(load(DATA / "dev" / it["audio"])),
                    "ref": np.unique(it["boundaries"])})  # annotation span as given
                groups["dev"].append((name, f))
    else:
        print(f"no dev data at {index}: synthetic items only")
    for form, tempo in (("ABAC", 96.0), ("ABCBA", 128.0), ("ABACAB", 110.0)):
        f = cached(args.cache, f"form_{form}_{tempo:.0f}", lambda form=form, tempo=tempo: {
            **features(render(form, tempo)[0]), "ref": render(form, tempo)[2]})
        groups["forms"].append((f"{form} {tempo:.0f} BPM", f))
    for seed in range(args.pop):
        def make(seed=seed):
            y, bounds, _, _ = pop_song(seed)
            return {**features(y), "ref": bounds}

        f = cached(args.cache, f"pop_{seed}", make)
        groups["pop"].append((f"pop {seed} ({len(f['ref']) - 1} sections)", f))
    groups = {g: v for g, v in groups.items() if v}
    first = next(iter(groups.values()))[0][1]
    for m in METHODS:  # warm-up (imports, caches)
        run(m, first)
    evaluate(groups)
    if args.long:
        long_run(first)
    return 0


if __name__ == "__main__":
    sys.exit(main())
