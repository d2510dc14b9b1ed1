"""Warm worker processes: run plain task functions there, so the GUI process keeps its GIL.

librosa, numba, scikit-learn and scipy hold the GIL for tens of milliseconds at a
time; in a thread of the GUI process that stalls repaints and starves the Python
audio callback.  A :class:`ProcessPool` keeps a few spawned children (each imports
``core`` and warms numba's cache once) and :meth:`ProcessPool.call` runs a
picklable function in one of them with the usual ``progress``/``cancelled`` (and
optional ``partial``) hooks forwarded over a pipe.  Large arrays in results come back
through shared memory and are copied out with NumPy (which releases the GIL), never
through pickle.

Owns the children, their pipes and the shared-memory transfer.  No Qt here:
:mod:`gui.workers` calls :meth:`ProcessPool.call` from its QThread.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import pickle
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing import resource_tracker, shared_memory
from typing import Any, Callable

import numpy as np

from core.errors import Cancelled, TwintrackError

__all__ = ["ProcessPool", "Isolated", "WorkerProcessError"]

logger = logging.getLogger(__name__)

_INLINE_LIMIT = 1 << 20  # buffers above this travel through shared memory
_PROGRESS_EVERY = 0.05
_CANCEL_GRACE = 4.0  # seconds a child gets to honour a cancel before it is killed


class WorkerProcessError(TwintrackError):
    """A child process died or could not start (the message says what happened)."""


# ----------------------------------------------------------------------------- child side
def _pack(obj: Any) -> tuple[bytes, list[tuple]]:
    """Pickle ``obj`` with big buffers moved to shared memory segments."""
    buffers: list[pickle.PickleBuffer] = []
    payload = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    refs = []
    for buf in buffers:
        raw = buf.raw()
        if raw.nbytes <= _INLINE_LIMIT:
            refs.append(("bytes", bytes(raw)))
            continue
        shm = shared_memory.SharedMemory(create=True, size=raw.nbytes)
        np.copyto(np.frombuffer(shm.buf, np.uint8, raw.nbytes), np.frombuffer(raw, np.uint8))
        refs.append(("shm", shm.name, raw.nbytes))
        shm.close()
        # The parent unlinks it after copying; stop this process's tracker from
        # "cleaning up" a segment it no longer owns.
        resource_tracker.unregister(shm._name, "shared_memory")  # noqa: SLF001
    return payload, refs


def _unpack(payload: bytes, refs: list[tuple]) -> Any:
    buffers = []
    for ref in refs:
        if ref[0] == "bytes":
            buffers.append(ref[1])
            continue
        shm = shared_memory.SharedMemory(name=ref[1])
        try:
            out = np.empty(ref[2], np.uint8)
            view = np.frombuffer(shm.buf, np.uint8, ref[2])
            np.copyto(out, view)  # releases the GIL, unlike unpickling a big bytes object
            del view
        finally:
            shm.close()
            shm.unlink()
        buffers.append(out)
    return pickle.loads(payload, buffers=buffers)


def _child_main(conn, cancel_event, warm: bool) -> None:  # pragma: no cover - child process
    """The child's loop: one job at a time, messages back over ``conn``."""
    import core  # noqa: F401  (points numba at a kernel cache folder before librosa loads)

    if warm:
        # warm_process waits for (or builds, under its lock) the shared compiled kernels
        # before it loads librosa: two workers compiling into one cache corrupt it.
        try:
            from core.app.analyze import warm_process

            warm_process()
        except Exception:  # warming is an optimisation only
            logger.exception("warm-up failed in the worker process")
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args, kwargs, wants_partial = job
        last = [0.0, ""]

        def progress(fraction: float, stage: str) -> None:
            now = time.monotonic()
            if stage != last[1] or fraction >= 1.0 or now - last[0] >= _PROGRESS_EVERY:
                last[0], last[1] = now, stage
                conn.send(("progress", float(fraction), str(stage)))

        kwargs = dict(kwargs, progress=progress, cancelled=cancel_event.is_set)
        if wants_partial:
            kwargs["partial"] = lambda obj: conn.send(("partial",) + _pack(obj))
        try:
            result = fn(*args, **kwargs)
            conn.send(("ok",) + _pack(result))
        except Cancelled:
            conn.send(("cancelled",))
        except TwintrackError as exc:
            conn.send(("failed", str(exc)))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which decides
            conn.send(("crashed", f"{type(exc).__name__}: {exc}", traceback.format_exc()))


# ----------------------------------------------------------------------------- parent side
@dataclass
class _Child:
    process: Any
    conn: Any
    cancel: Any
    ready: bool = False
    stopped: bool = False  # the pool stopped it (cancel, close): its death is no failure


class ProcessPool:
    """Warm child processes that run task functions; safe to call from any thread.

    Owns the children and their pipes.  ``call`` blocks its calling thread (a worker
    QThread) until the job ends; up to ``max_children`` jobs run at once, more wait.
    """

    def __init__(self, *, size: int = 2, max_children: int = 3, warm: bool = True):
        self._ctx = mp.get_context("spawn")  # fork is unsafe in a process running Qt
        self._lock = threading.Condition()
        self._idle: list[_Child] = []
        self._count = 0
        self._max = max(1, max_children)
        self._size = min(max(0, size), self._max)
        self._warm = warm
        self._closed = False
        for _ in range(size):
            self._idle.append(self._spawn())

    def _spawn(self) -> _Child:
        parent, child = self._ctx.Pipe()
        cancel = self._ctx.Event()
        proc = self._ctx.Process(target=_child_main, args=(child, cancel, self._warm),
                                 name="twintrack-worker", daemon=True)
        proc.start()
        child.close()
        self._count += 1
        return _Child(proc, parent, cancel)

    def _acquire(self, cancelled: Callable[[], bool] | None) -> _Child:
        with self._lock:
            while True:
                if self._closed:
                    raise WorkerProcessError("the worker processes are shut down")
                while self._idle:
                    child = self._idle.pop()
                    if child.process.is_alive():
                        return child
                    self._lost(child)  # died while idle (e.g. in its warm-up): replace it
                if self._count < self._max:
                    return self._spawn()
                if cancelled is not None and cancelled():
                    raise Cancelled("cancelled")
                self._lock.wait(0.05)

    def _release(self, child: _Child, *, alive: bool) -> None:
        with self._lock:
            if alive and not self._closed:
                self._idle.append(child)
            else:
                self._lost(child)
            self._lock.notify_all()

    def _lost(self, child: _Child) -> None:
        """Forget a child that died or was stopped; keep ``size`` warm ones (lock held).

        A child killed by a signal it was not sent (a segmentation fault) most likely
        loaded damaged compiled kernels: the shared cache is moved aside, and the
        replacement builds it again before it warms up.
        """
        self._count -= 1
        _kill(child)
        code = child.process.exitcode
        if code is not None and code < 0 and not child.stopped:
            logger.error("a worker process was killed by signal %d; rebuilding the "
                         "compiled-kernel cache", -code)
            from core import jitcache

            jitcache.invalidate()
        if not self._closed and self._count < self._size:
            self._idle.append(self._spawn())

    def call(self, fn: Callable, args: tuple = (), kwargs: dict | None = None, *,
             progress=None, cancelled=None, partial=None) -> Any:
        """Run ``fn(*args, **kwargs, progress=..., cancelled=...[, partial=...])`` in a child.

        Raises what the function raised (:class:`Cancelled`, :class:`TwintrackError`
        with its message) or :class:`WorkerProcessError` if the child died.
        """
        child = self._acquire(cancelled)
        alive = False
        try:
            result = self._run(child, fn, args, kwargs or {}, progress, cancelled, partial)
            alive = True
            return result
        except (Cancelled, TwintrackError) as exc:
            alive = child.process.is_alive() and not isinstance(exc, WorkerProcessError)
            raise
        finally:
            self._release(child, alive=alive)

    def _run(self, child, fn, args, kwargs, progress, cancelled, partial) -> Any:
        child.cancel.clear()
        try:
            child.conn.send((fn, args, kwargs, partial is not None))
        except OSError:  # it died between acquire and send
            raise WorkerProcessError(_death(child)) from None
        asked_at = None
        while True:
            if cancelled is not None and cancelled() and asked_at is None:
                child.cancel.set()
                asked_at = time.monotonic()
            if asked_at is not None and time.monotonic() - asked_at > _CANCEL_GRACE:
                child.stopped = True
                _kill(child)
                raise Cancelled("cancelled (the worker process was stopped)")
            try:
                if not child.conn.poll(0.05):
                    if not child.process.is_alive():
                        raise EOFError
                    continue
                msg = child.conn.recv()
            except (EOFError, OSError):
                raise WorkerProcessError(_death(child)) from None
            kind = msg[0]
            if kind == "ready":
                child.ready = True
            elif kind == "progress" and progress is not None:
                progress(msg[1], msg[2])
            elif kind == "partial" and partial is not None:
                partial(_unpack(msg[1], msg[2]))
            elif kind == "ok":
                return _unpack(msg[1], msg[2])
            elif kind == "cancelled":
                raise Cancelled("cancelled")
            elif kind == "failed":
                raise TwintrackError(msg[1])
            elif kind == "crashed":
                logger.error("task %s failed in the worker process:\n%s",
                             getattr(fn, "__name__", fn), msg[2])
                raise RuntimeError(msg[1])

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Block until every idle child has finished its warm-up (benchmarks, tests)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            for child in self._idle:
                while not child.ready and time.monotonic() < deadline:
                    try:
                        if child.conn.poll(0.05) and child.conn.recv()[0] == "ready":
                            child.ready = True
                    except (EOFError, OSError):  # died warming up: call() replaces it
                        break
            return all(c.ready for c in self._idle)

    def close(self) -> None:
        """Stop every idle child (busy ones stop when their job returns)."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            self._lock.notify_all()
        for child in idle:
            child.stopped = True
            try:
                child.conn.send(None)
            except OSError:
                pass
            child.process.join(1.0)
            _kill(child)


def _death(child: _Child) -> str:
    """What happened to a child that stopped answering, for the user."""
    child.process.join(2.0)  # its exit code is known only once it has been reaped
    code = child.process.exitcode
    if code is None:
        how = "stopped answering"
    elif code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        how = f"was killed by {name}"
    else:
        how = f"exited with status {code}"
    return (f"the worker process {how}; a new one takes its place, and the window and "
            "your other tracks are unaffected")


def _kill(child: _Child) -> None:
    if child.process.is_alive():
        child.process.terminate()
        child.process.join(1.0)
    try:
        child.conn.close()
    except OSError:
        pass


class Isolated:
    """``fn`` as a callable that runs in ``pool`` (what :class:`gui.workers.Worker` runs).

    Picklable-function in, same signature out: ``Isolated(f, pool)(x, progress=...,
    cancelled=...)`` behaves like ``f(x, progress=..., cancelled=...)``.
    """

    def __init__(self, fn: Callable, pool: ProcessPool):
        self.fn, self.pool = fn, pool
        self.__name__ = getattr(fn, "__name__", "task")

    def __call__(self, *args, progress=None, cancelled=None, partial=None, **kwargs):
        return self.pool.call(self.fn, args, kwargs, progress=progress, cancelled=cancelled,
                              partial=partial)
