"""Analysing many files: one process per core, one BLAS thread per process.

:func:`analyze_files` analyses each input and writes its outputs, in parallel
processes when there is more than one file and more than one core, and reports
per-file progress through a callback on the calling thread.  A bad file produces a
:class:`FileResult` with an error message; it never stops the others.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from core.errors import TwintrackError
from core.record import Settings

__all__ = ["FileResult", "analyze_files", "output_stems"]

FileProgress = Callable[[int, float, str], None]


@dataclass(frozen=True)
class FileResult:
    """Outcome of one input: the files written, or the reason it failed."""

    index: int
    path: Path
    written: tuple[Path, ...] = ()
    error: str | None = None
    seconds: float = 0.0
    duration: float = 0.0


def output_stems(paths: list[Path]) -> list[str]:
    """Output file stems; inputs that share a stem get ``-2``, ``-3``... suffixes."""
    seen: dict[str, int] = {}
    stems = []
    for p in paths:
        n = seen.get(p.stem, 0) + 1
        seen[p.stem] = n
        stems.append(p.stem if n == 1 else f"{p.stem}-{n}")
    return stems


def _run_one(index: int, path: Path, out_dir: Path, formats: list[str], stem: str,
             settings: Settings, report: FileProgress | None, model=None) -> FileResult:
    from core.analysis.pipeline import analyze
    from core.io.export import write_formats

    t0 = time.perf_counter()
    try:
        analysis = analyze(path, settings=settings, model=model,
                           progress=(lambda f, s: report(index, f, s)) if report else None)
        written = write_formats(analysis, out_dir, formats, stem=stem)
    except TwintrackError as exc:
        return FileResult(index, path, error=str(exc), seconds=time.perf_counter() - t0)
    return FileResult(index, path, tuple(written), None, time.perf_counter() - t0,
                      analysis.duration)


# ----------------------------------------------------------------------------- workers
_queue: "mp.Queue | None" = None
_model = None  # set before the pool forks, so workers inherit it without pickling


def _init_worker(q: "mp.Queue") -> None:
    from threadpoolctl import threadpool_limits

    global _queue
    _queue = q
    threadpool_limits(1)  # two processes on two cores: more threads only contend


def _worker_report(index: int, fraction: float, stage: str) -> None:
    if _queue is not None:
        _queue.put((index, fraction, stage))


def _worker(index, path, out_dir, formats, stem, settings) -> FileResult:
    return _run_one(index, path, out_dir, formats, stem, settings, _worker_report, _model)


def analyze_files(paths: list[Path], out_dir: Path, formats: list[str], *,
                  settings: Settings = Settings(), jobs: int = 0, model=None,
                  progress: FileProgress | None = None) -> Iterator[FileResult]:
    """Analyse ``paths`` and write ``out_dir/<stem>.<ext>`` for each; yield results.

    Results come in completion order.  ``jobs=0`` uses one process per core.  ``model``
    (a descriptor classifier) labels every window.
    """
    global _model
    stems = output_stems(paths)
    jobs = jobs or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(paths)))
    if jobs == 1:
        for i, (p, s) in enumerate(zip(paths, stems)):
            yield _run_one(i, p, out_dir, formats, s, settings, progress, model)
        return
    _model = model
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker,
                             initargs=(q,)) as pool:
        pending: set[Future] = {pool.submit(_worker, i, p, out_dir, formats, s, settings)
                                for i, (p, s) in enumerate(zip(paths, stems))}
        while pending:
            _drain(q, progress, timeout=0.1)
            for fut in [f for f in pending if f.done()]:
                pending.discard(fut)
                yield fut.result()
        _drain(q, progress, timeout=0.0)


def _drain(q: "mp.Queue", progress: FileProgress | None, *, timeout: float) -> None:
    try:
        item = q.get(timeout=timeout) if timeout else q.get_nowait()
        while True:
            if progress:
                progress(*item)
            item = q.get_nowait()
    except queue.Empty:
        return
