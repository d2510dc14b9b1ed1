"""Analysing many files: one process per core, one BLAS thread per process.

:func:`analyze_files` analyses each input and writes its outputs, in parallel
processes when there is more than one file and more than one core, and reports
per-file progress through a callback on the calling thread.  A bad file produces a
:class:`FileResult` with an error message; it never stops the others.

At most two files per worker are queued at a time, so memory and the time a stop
takes do not grow with the number of files.  Stopping (``cancelled()`` turns True, or
Ctrl-C in the calling thread) starts no new file and asks the running ones to stop at
their next block; their outputs are written atomically, so nothing half-written is
left, and the files not done come back as results with ``cancelled`` set.  Workers
ignore SIGINT: the terminal's Ctrl-C reaches the whole process group, and a worker
killed mid-job would break the pool instead of stopping cleanly.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from core.errors import Cancelled, TwintrackError
from core.progress import CancelledFn
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
    cancelled: bool = False  # stopped (or never started) because the batch was stopped


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
             settings: Settings, report: FileProgress | None, model=None,
             cancelled: CancelledFn | None = None) -> FileResult:
    from core.analysis.pipeline import analyze
    from core.io.export import write_formats

    t0 = time.perf_counter()
    try:
        analysis = analyze(path, settings=settings, model=model,
                           progress=(lambda f, s: report(index, f, s)) if report else None,
                           cancelled=cancelled)
        if cancelled is not None and cancelled():
            raise Cancelled("cancelled")  # analysed, but the batch was stopped: write nothing
        written = write_formats(analysis, out_dir, formats, stem=stem)
    except Cancelled:
        return FileResult(index, path, error="not finished: the batch was stopped",
                          seconds=time.perf_counter() - t0, cancelled=True)
    except TwintrackError as exc:
        return FileResult(index, path, error=str(exc), seconds=time.perf_counter() - t0)
    return FileResult(index, path, tuple(written), None, time.perf_counter() - t0,
                      analysis.duration)


# ----------------------------------------------------------------------------- workers
_queue: "mp.Queue | None" = None
_stop: Any = None  # the batch's stop event, in a worker
_model = None  # set before the pool forks, so workers inherit it without pickling


def _init_worker(q: "mp.Queue", stop: Any) -> None:
    from threadpoolctl import threadpool_limits

    from core import jitcache

    global _queue, _stop
    _queue, _stop = q, stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides (see module docstring)
    jitcache.configure()  # a private kernel folder of a parent is not shared with it
    threadpool_limits(1)  # two processes on two cores: more threads only contend


def _worker_report(index: int, fraction: float, stage: str) -> None:
    if _queue is not None:
        _queue.put((index, fraction, stage))


def _worker(index, path, out_dir, formats, stem, settings) -> FileResult:
    return _run_one(index, path, out_dir, formats, stem, settings, _worker_report, _model,
                    _stop.is_set if _stop is not None else None)


def analyze_files(paths: list[Path], out_dir: Path, formats: list[str], *,
                  settings: Settings = Settings(), jobs: int = 0, model=None,
                  progress: FileProgress | None = None,
                  cancelled: CancelledFn | None = None) -> Iterator[FileResult]:
    """Analyse ``paths`` and write ``out_dir/<stem>.<ext>`` for each; yield results.

    Results come in completion order, one per path, also when the batch is stopped
    (``cancelled()`` True, or KeyboardInterrupt in the calling thread): the files not
    done then come back with ``cancelled`` set.  ``jobs=0`` uses one process per core.
    ``model`` (a descriptor classifier) labels every window.
    """
    global _model
    stems = output_stems(paths)
    jobs = jobs or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(paths)))
    todo = list(enumerate(zip(paths, stems)))
    if jobs == 1:
        yield from _serial(todo, out_dir, formats, settings, model, progress, cancelled)
        return
    _model = model
    ctx = mp.get_context("fork")
    q, stop = ctx.Queue(), ctx.Event()
    pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker,
                               initargs=(q, stop))
    pending: dict[Future, int] = {}
    done: set[int] = set()
    try:
        while todo or pending:
            if cancelled is not None and cancelled():
                stop.set()
            while todo and len(pending) < 2 * jobs and not stop.is_set():
                i, (p, s) = todo.pop(0)
                pending[pool.submit(_worker, i, p, out_dir, formats, s, settings)] = i
            if not pending:
                break
            finished, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            _drain(q, progress, timeout=0.0)
            for fut in finished:
                done.add(pending.pop(fut))
                yield fut.result()
    except KeyboardInterrupt:
        stop.set()
        raise
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)  # running jobs stop at their next block
        _drain(q, progress, timeout=0.0)
    for i, (p, _) in todo:  # never started
        if i not in done:
            yield FileResult(i, p, error="not started: the batch was stopped", cancelled=True)


def _serial(todo, out_dir, formats, settings, model, progress, cancelled):
    for n, (i, (p, s)) in enumerate(todo):
        if cancelled is not None and cancelled():
            for j, (q, _) in todo[n:]:
                yield FileResult(j, q, error="not started: the batch was stopped",
                                 cancelled=True)
            return
        yield _run_one(i, p, out_dir, formats, s, settings, progress, model, cancelled)


def _drain(q: "mp.Queue", progress: FileProgress | None, *, timeout: float) -> None:
    try:
        item = q.get(timeout=timeout) if timeout else q.get_nowait()
        while True:
            if progress:
                progress(*item)
            item = q.get_nowait()
    except queue.Empty:
        return
