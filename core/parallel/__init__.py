"""Where many jobs run: forked processes on this machine, or the workers of a Dask cluster.

One interface, two backends.  :func:`open_executor` gives an :class:`Executor`: a
local pool of forked processes (one BLAS thread each) when ``cluster`` is None, else
a Dask client (:mod:`core.parallel.dask`, imported only then) of ``local[:N]`` (a
``distributed.LocalCluster`` of N one-thread worker processes) or ``tcp://HOST:PORT``
(a running scheduler).  Either way ``init(*init_args)`` runs once in every worker
before its first job (the caller loads its model there, warms its kernels),
:func:`run_bounded` keeps at most two jobs per worker queued (so memory and the time a
stop takes do not grow with the number of jobs), and in a worker :func:`stop_requested`
says whether the caller asked to stop and :func:`report` sends a progress item back.

Owns the worker side's stop flag and progress channel; knows nothing of what the jobs
do (:mod:`core.app.batch` analyses files, :mod:`core.corpus.run` makes corpus shards).
"""

from __future__ import annotations

import abc
import multiprocessing as mp
import os
import queue
import signal
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Callable, Iterable, Iterator

from core.errors import TwintrackError

__all__ = ["Executor", "LocalExecutor", "ClusterError", "open_executor", "run_bounded",
           "stop_requested", "report", "cluster_workers"]

_Item = tuple  # a progress item, as the job sent it
Sink = Callable[[_Item], None]


class ClusterError(TwintrackError):
    """A ``--cluster`` that is malformed, cannot be reached or cannot start."""


# ----------------------------------------------------------------------------- worker side
_stop: Callable[[], bool] | None = None  # this worker's view of the caller's stop flag
_send: Callable[[_Item], None] | None = None  # sends a progress item to the caller


def stop_requested() -> bool:
    """In a worker: True once the caller asked to stop (always False elsewhere)."""
    return _stop is not None and _stop()


def report(*item: Any) -> None:
    """In a worker: send ``item`` (plain numbers and strings) to the caller's progress."""
    if _send is not None:
        _send(item)


def _init_local(q: "mp.Queue", stop: Any, init: Callable | None, init_args: tuple) -> None:
    global _stop, _send
    _stop, _send = stop.is_set, q.put
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the caller decides (Ctrl-C reaches all)
    if init is not None:
        init(*init_args)


# ----------------------------------------------------------------------------- caller side
class Executor(abc.ABC):
    """Runs picklable calls in workers; what both backends offer.

    ``workers`` is how many jobs run at once; :meth:`submit` returns a
    :class:`concurrent.futures.Future`; :meth:`request_stop` sets the flag the workers'
    :func:`stop_requested` reads; :meth:`drain` hands the progress items that arrived
    to ``sink`` on the calling thread; :meth:`close` cancels what has not started and
    waits for the running jobs (which stop at their next block once asked).
    """

    workers: int = 1
    _items: Any  # where the workers' progress items arrive (a queue)

    @abc.abstractmethod
    def submit(self, fn: Callable, *args: Any) -> Future:
        """Run ``fn(*args)`` in a worker."""

    @abc.abstractmethod
    def request_stop(self) -> None:
        """Set the flag the workers' :func:`stop_requested` reads."""

    def drain(self, sink: Sink | None) -> None:
        try:
            while True:
                item = self._items.get_nowait()
                if sink is not None:
                    sink(item)
        except queue.Empty:
            return

    @abc.abstractmethod
    def close(self) -> None:
        """Cancel what has not started, wait for the running jobs, release the workers."""

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class LocalExecutor(Executor):
    """``workers`` forked processes of this machine (they inherit what the caller loaded)."""

    def __init__(self, workers: int, init: Callable | None = None, init_args: tuple = ()):
        ctx = mp.get_context("fork")
        self.workers = workers
        self._items, self._stop = ctx.Queue(), ctx.Event()
        # fork: init_args (a model) are inherited, not pickled
        self._pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_local,
                                         initargs=(self._items, self._stop, init, init_args))

    def submit(self, fn: Callable, *args: Any) -> Future:
        return self._pool.submit(fn, *args)

    def request_stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)


def cluster_workers(spec: str) -> int | None:
    """The N of ``local[:N]`` (None: one per core), after checking ``spec``'s form.

    Raises
    ------
    ClusterError
        ``spec`` is neither ``local``, ``local:N`` (N >= 1) nor ``tcp://HOST:PORT``.
    """
    if spec == "local":
        return None
    if spec.startswith("local:") and spec[6:].isdigit() and int(spec[6:]) >= 1:
        return int(spec[6:])
    host, _, port = spec.removeprefix("tcp://").rpartition(":")
    if spec.startswith("tcp://") and host and port.isdigit():
        return 0
    raise ClusterError(f"--cluster {spec!r}: expected local, local:N (N worker processes) "
                       "or tcp://HOST:PORT (a running Dask scheduler)")


def open_executor(*, jobs: int, cluster: str | None = None, init: Callable | None = None,
                  init_args: tuple = (), warm: Callable | None = None) -> Executor:
    """The executor of ``cluster`` (None: ``jobs`` local forked processes).

    Parameters
    ----------
    jobs : int
        Local processes (>= 1); ignored with a cluster.
    cluster : str, optional
        ``local``, ``local:N`` or ``tcp://HOST:PORT`` (see :func:`cluster_workers`).
    init, init_args : callable and tuple, optional
        ``init(*init_args)`` runs once in every worker, before its first job.
    warm : callable, optional
        With a cluster: also run once per worker after ``init`` (its processes are
        fresh, not forks of a warm caller).

    Raises
    ------
    ClusterError
        A malformed ``cluster``, a scheduler that cannot be reached, or no workers.
    """
    if cluster is None:
        return LocalExecutor(jobs, init, init_args)
    n = cluster_workers(cluster)
    from core.parallel.dask import DaskExecutor

    return DaskExecutor(cluster, n, init=init, init_args=init_args, warm=warm)


def run_bounded(ex: Executor, calls: Iterable[tuple[Any, Callable, tuple]], *,
                cancelled: Callable[[], bool] | None = None, progress: Sink | None = None,
                per_worker: int = 2) -> Iterator[tuple[Any, Any]]:
    """Run ``fn(*args)`` of each ``(tag, fn, args)``; yield ``(tag, result)`` as they end.

    At most ``per_worker`` calls per worker are submitted at a time.  Once
    ``cancelled()`` turns True (or the caller's thread is interrupted) no new call is
    submitted and the workers are asked to stop; the calls already submitted still
    yield their results (they end at their next block).  ``calls`` is consumed lazily:
    what it still holds afterwards never started.  A call that raised re-raises here.
    """
    waiting = iter(calls)
    pending: dict[Future, Any] = {}
    stopping = False
    try:
        while True:
            if not stopping and cancelled is not None and cancelled():
                stopping = True
                ex.request_stop()
            while not stopping and len(pending) < per_worker * ex.workers:
                call = next(waiting, None)
                if call is None:
                    break
                tag, fn, args = call
                pending[ex.submit(fn, *args)] = tag
            if not pending:
                return
            finished, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            ex.drain(progress)
            for fut in finished:
                yield pending.pop(fut), fut.result()
    except BaseException:
        ex.request_stop()
        raise
    finally:
        ex.drain(progress)


def default_jobs(jobs: int, n_tasks: int) -> int:
    """``jobs`` (0: one per available core), at most one per task and at least one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(jobs or cores or 1, n_tasks))
