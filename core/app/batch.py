"""Analysing many files: one process per core (or Dask worker), one BLAS thread each.

:func:`analyze_files` analyses each input and writes its outputs, in parallel
processes when there is more than one file and more than one core (or on the workers
of a Dask cluster: :mod:`core.parallel`, the same code path), and reports
per-file progress through a callback on the calling thread.  A bad file produces a
:class:`FileResult` with an error message; it never stops the others.

At most two files per worker are queued at a time, so memory and the time a stop
takes do not grow with the number of files.  Stopping (``cancelled()`` turns True, or
Ctrl-C in the calling thread) starts no new file and asks the running ones to stop at
their next block; their outputs are written atomically, so nothing half-written is
left, and the files not done come back as results with ``cancelled`` set.

Where the outputs go is :mod:`core.app.batch_inputs`; with a ``cache_dir``, a file
whose outputs are up to date (:mod:`core.app.batch_cache`) is skipped, in the worker,
so the hashing runs in parallel too.  :func:`write_report` and :func:`summary_table`
say what a batch did.  Workers ignore SIGINT (:mod:`core.parallel`): the terminal's
Ctrl-C reaches the whole process group, and a worker killed mid-job would break the
pool instead of stopping cleanly.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from core import parallel
from core.app.batch_cache import cache_key, remember, up_to_date
from core.app.batch_inputs import BatchInput, loose_inputs
from core.errors import Cancelled, TwintrackError, UnreadableAudioError
from core.io.atomic import atomic_write_text
from core.progress import CancelledFn
from core.record import Settings

__all__ = ["FileResult", "STATUSES", "analyze_files", "write_report", "summary_table"]

#: What became of a file, in the order the summary lists them.
STATUSES = ("analysed", "skipped", "failed", "stopped")

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
    skipped: bool = False  # its outputs were up to date (``written`` names them)

    @property
    def status(self) -> str:
        """One of :data:`STATUSES`."""
        if self.cancelled:
            return "stopped"
        return "failed" if self.error else "skipped" if self.skipped else "analysed"


@dataclass(frozen=True)
class _Cache:
    """Where the records are, and whether to redo up-to-date files anyway."""

    folder: Path
    force: bool = False


def _run_one(index: int, path: Path, place: Path, formats: list[str], settings: Settings,
             report: FileProgress | None, model=None, cancelled: CancelledFn | None = None,
             cache: _Cache | None = None) -> FileResult:
    """Analyse ``path`` and write ``<place><ext>`` per format (``place`` = OUT/rel)."""
    from core.analysis.pipeline import analyze
    from core.io.export import write_formats

    t0 = time.perf_counter()
    try:
        key, outputs = _look_up(cache, path, place, formats, settings, model)
        if outputs is not None:
            return FileResult(index, path, outputs, seconds=time.perf_counter() - t0,
                              skipped=True)
        analysis = analyze(path, settings=settings, model=model,
                           progress=(lambda f, s: report(index, f, s)) if report else None,
                           cancelled=cancelled)
        if cancelled is not None and cancelled():
            raise Cancelled("cancelled")  # analysed, but the batch was stopped: write nothing
        written = write_formats(analysis, place.parent, formats, stem=place.name)
        if key is not None:
            _remember(cache, place, key, written)
    except Cancelled:
        return FileResult(index, path, error="not finished: the batch was stopped",
                          seconds=time.perf_counter() - t0, cancelled=True)
    except TwintrackError as exc:
        return FileResult(index, path, error=str(exc), seconds=time.perf_counter() - t0)
    return FileResult(index, path, tuple(written), None, time.perf_counter() - t0,
                      analysis.duration)


def _look_up(cache: _Cache | None, path: Path, place: Path, formats: list[str],
             settings: Settings, model) -> tuple[str | None, tuple[Path, ...] | None]:
    """The file's cache key (None without a cache) and its outputs if up to date."""
    if cache is None:
        return None, None
    try:
        key = cache_key(path, settings=settings, formats=formats,
                        model_version=getattr(model, "version", None))
    except OSError as exc:  # hashing reads the file before the decoder does: say it alike
        raise UnreadableAudioError(f"{path}: cannot read this file "
                                   f"({exc.strerror or exc.__class__.__name__})") from exc
    return key, None if cache.force else up_to_date(cache.folder, place, key)


def _remember(cache: _Cache, place: Path, key: str, written: list[Path]) -> None:
    try:
        remember(cache.folder, place, key, written)
    except OSError:  # the outputs are written; without a record the file is only redone
        pass


# ----------------------------------------------------------------------------- workers
_model = None  # the batch's descriptor model, in a worker (set once by _init_worker)


def _init_worker(model) -> None:
    from threadpoolctl import threadpool_limits

    from core import jitcache

    global _model
    _model = model
    jitcache.configure()  # a private kernel folder of a parent is not shared with it
    threadpool_limits(1)  # one process per core: more threads only contend


def _worker_report(index: int, fraction: float, stage: str) -> None:
    parallel.report(index, fraction, stage)


def _worker(index, path, place, formats, settings, cache) -> FileResult:
    return _run_one(index, path, place, formats, settings, _worker_report, _model,
                    parallel.stop_requested, cache)


def analyze_files(inputs: Sequence[BatchInput | Path], out_dir: Path, formats: list[str], *,
                  settings: Settings = Settings(), jobs: int = 0, model=None,
                  progress: FileProgress | None = None,
                  cancelled: CancelledFn | None = None, cache_dir: Path | None = None,
                  force: bool = False, cluster: str | None = None) -> Iterator[FileResult]:
    """Analyse ``inputs`` and write ``out_dir/<rel>.<ext>`` for each; yield results.

    Parameters
    ----------
    inputs : sequence of BatchInput or Path
        From :func:`~core.app.batch_inputs.collect_inputs`; plain paths are loose files
        (:func:`~core.app.batch_inputs.loose_inputs`).  ``FileResult.index`` indexes it.
    cache_dir : Path, optional
        Skip files whose outputs are up to date (:mod:`core.app.batch_cache`), and
        record the ones written; None: no records, every file is analysed.
    force : bool
        With ``cache_dir``: analyse up-to-date files anyway (and record them again).
    cluster : str, optional
        Run on Dask (:func:`core.parallel.open_executor`: ``local[:N]`` or
        ``tcp://HOST:PORT``) instead of ``jobs`` local processes; its workers load
        ``model`` and warm up once each.  Paths must mean the same to the workers.

    Results come in completion order, one per input, also when the batch is stopped
    (``cancelled()`` True, or KeyboardInterrupt in the calling thread): the files not
    done then come back with ``cancelled`` set.  ``jobs=0`` uses one process per core.
    ``model`` (a descriptor classifier) labels every window.

    Raises
    ------
    core.parallel.ClusterError
        ``cluster`` is malformed or cannot be reached (before any file is analysed).
    """
    if not all(isinstance(x, BatchInput) for x in inputs):
        inputs = loose_inputs(list(inputs))
    cache = _Cache(Path(cache_dir), force) if cache_dir is not None else None
    jobs = parallel.default_jobs(jobs, len(inputs))
    todo = [(i, (x.path, Path(out_dir) / x.rel)) for i, x in enumerate(inputs)]
    if (jobs == 1 and cluster is None) or not todo:
        yield from _serial(todo, formats, settings, model, progress, cancelled, cache)
        return
    warm = None
    if cluster is not None:
        from core.app.analyze import warm_process as warm
    calls = iter([(i, _worker, (i, p, s, formats, settings, cache)) for i, (p, s) in todo])
    done: set[int] = set()
    with parallel.open_executor(jobs=jobs, cluster=cluster, init=_init_worker,
                                init_args=(model,), warm=warm) as ex:
        sink = (lambda item: progress(*item)) if progress else None
        for i, result in parallel.run_bounded(ex, calls, cancelled=cancelled, progress=sink):
            done.add(i)
            yield result
    for i, (p, _) in todo:  # never started
        if i not in done:
            yield FileResult(i, p, error="not started: the batch was stopped", cancelled=True)


def _serial(todo, formats, settings, model, progress, cancelled, cache):
    for n, (i, (p, s)) in enumerate(todo):
        if cancelled is not None and cancelled():
            for j, (q, _) in todo[n:]:
                yield FileResult(j, q, error="not started: the batch was stopped",
                                 cancelled=True)
            return
        yield _run_one(i, p, s, formats, settings, progress, model, cancelled, cache)


# ----------------------------------------------------------------------------- reports
def write_report(path: str | os.PathLike, results: Sequence[FileResult]) -> None:
    """Write ``path`` atomically: one JSON line per result (path, status, error, seconds,
    outputs), in the order given."""
    lines = [json.dumps({"path": os.fspath(r.path), "status": r.status, "error": r.error,
                         "seconds": round(r.seconds, 3),
                         "outputs": [os.fspath(w) for w in r.written]})
             for r in results]
    atomic_write_text(path, "".join(line + "\n" for line in lines))


def summary_table(results: Sequence[FileResult], seconds: float) -> str:
    """A few lines: how many files per status and the seconds they took, then the total."""
    rows = [f"{'':10}{'files':>7}{'seconds':>10}"]
    for status in STATUSES:
        mine = [r for r in results if r.status == status]
        rows.append(f"{status:10}{len(mine):7d}{sum(r.seconds for r in mine):10.1f}")
    rows.append(f"{'total':10}{len(results):7d}{seconds:10.1f}")
    return "\n".join(rows)
