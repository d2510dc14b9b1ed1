"""Batch throughput: files/s of the local process pool vs a Dask LocalCluster, one run.

Writes ``--files`` synthetic songs (``--seconds`` long, different keys and tempi) and
analyses them twice with the shipped model and every export format: with ``--workers``
forked local processes (``twintrack analyze --jobs N``), then on a ``LocalCluster`` of
as many one-thread workers (``--cluster local:N``).  Prints each run's wall time and
files/s, the cluster's start-up (start and warm every worker, measured apart), the
ratio cluster / pool with and without that start-up, the per-file cost the workers
measured in each (what a 20 000-track estimate scales), and whether both wrote the
same bytes.
The load average is printed too: other work on the cores makes the numbers meaningless.

Usage: ``python -m bench.batch [--files 16] [--seconds 30] [--workers 2]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import soundfile as sf

from tests.fixtures.signals import SR, section


def _songs(folder: Path, n: int, seconds: float) -> list[Path]:
    paths = []
    for i in range(n):
        path = folder / f"{i:03d} song.wav"
        sf.write(path, section(48 + i % 24, i % 2 == 1, 80 + (i * 7) % 80, seconds, seed=i),
                 SR, subtype="PCM_16")
        paths.append(path)
    return paths


def _run(paths: list[Path], out: Path, **kw) -> tuple[float, list]:
    from core.app.batch import analyze_files
    from core.classify import resolve_model

    t0 = time.perf_counter()
    results = list(analyze_files(paths, out, ["json", "jams", "csv", "audacity", "svcsv"],
                                 model=resolve_model("default"), **kw))
    seconds = time.perf_counter() - t0
    failed = [r.error for r in results if r.status != "analysed"]
    if failed:
        raise SystemExit(f"bench: {len(failed)} files failed: {failed[0]}")
    return seconds, results


def _startup(workers: int) -> float:
    """Seconds to start a LocalCluster of ``workers`` and warm each (what a batch pays)."""
    from core.app import batch
    from core.app.analyze import warm_process
    from core.classify import resolve_model
    from core.parallel import open_executor

    t0 = time.perf_counter()
    with open_executor(jobs=workers, cluster=f"local:{workers}", init=batch._init_worker,
                       init_args=(resolve_model("default"),), warm=warm_process):
        up = time.perf_counter() - t0
    return up


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}


def _load() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=30.0, help="length of each song")
    ap.add_argument("--workers", type=int, default=2, help="local processes = Dask workers")
    args = ap.parse_args()

    from core import jitcache

    jitcache.prepare()
    n, w = args.files, args.workers
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        paths = _songs(root / "in", n, args.seconds)
        load_before = _load()
        pool_s, pool = _run(paths, root / "pool", jobs=w)
        start_s = _startup(w)
        dask_s, dask = _run(paths, root / "dask", cluster=f"local:{w}")
        same = _tree(root / "pool") == _tree(root / "dask")
    per_file = statistics.mean(r.seconds for r in pool)
    per_file_dask = statistics.mean(r.seconds for r in dask)
    steady = max(dask_s - start_s, 1e-9)
    print(f"{n} files of {args.seconds:.0f} s, {w} workers; {os.cpu_count()} cores, load "
          f"average {load_before} (before) / {_load()} (after)")
    print(f"local pool   {pool_s:7.1f} s  {n / pool_s:6.2f} files/s")
    print(f"LocalCluster {dask_s:7.1f} s  {n / dask_s:6.2f} files/s  (start-up and warm-up "
          f"{start_s:.1f} s; without it {n / steady:.2f} files/s)")
    print(f"ratio cluster / pool: {pool_s / dask_s:.2f} (files/s), {pool_s / steady:.2f} "
          "without the cluster's start-up")
    print(f"per-file cost in a worker: {per_file:.2f} s in the pool, {per_file_dask:.2f} s on "
          f"the cluster (means, {args.seconds:.0f} s songs); outputs identical: "
          f"{'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
