"""The Dask backend of :mod:`core.parallel`: a LocalCluster, or a scheduler's workers.

Imported only when a ``--cluster`` is given (``distributed`` takes a second to import).
:class:`DaskExecutor` connects a client (starting a ``LocalCluster`` of one-thread
worker processes for ``local[:N]``), registers :class:`_Setup` (a worker plugin: the
caller's ``init`` and ``warm`` run once in every worker, also in one that joins
later), and hands out :class:`concurrent.futures.Future` objects
(``Client.get_executor``), so :func:`core.parallel.run_bounded` drives it like the
local pool.  Progress items travel as worker events (``log_event``) to a topic the
client subscribes to; a stop is a ``client.run`` that sets the flag in every worker.
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
import uuid
from concurrent.futures import Future
from typing import Any, Callable

from distributed import Client, LocalCluster, WorkerPlugin

import core.parallel as par
from core.parallel import ClusterError, Executor

__all__ = ["DaskExecutor"]

logger = logging.getLogger(__name__)

_CONNECT_SECONDS = 5  # a scheduler that does not answer by then is reported unreachable
_PROGRESS_EVERY = 0.1  # seconds between a job's progress events of one stage
_stopped: set[str] = set()  # in a worker: the tokens of the batches asked to stop


def _set_stopped(token: str) -> None:  # runs in every worker (client.run)
    _stopped.add(token)


class _Setup(WorkerPlugin):
    """Run in each worker once: point :mod:`core.parallel`'s flag and channel at this
    batch, then ``init(*init_args)`` and ``warm()``."""

    def __init__(self, token: str, init: Callable | None, init_args: tuple,
                 warm: Callable | None):
        self.token, self.init, self.init_args, self.warm = token, init, init_args, warm

    def setup(self, worker: Any) -> None:
        from threadpoolctl import threadpool_limits

        token, last = self.token, {}

        def send(item: tuple) -> None:  # throttled per stage: events are not free
            now, stage = time.monotonic(), item[1:] and str(item[-1])
            if item[1:2] == (1.0,) or now - last.get(stage, 0.0) >= _PROGRESS_EVERY:
                last[stage] = now
                worker.log_event(token, list(item))

        par._stop, par._send = (lambda: token in _stopped), send
        threadpool_limits(1)  # one thread a worker: more BLAS threads only contend
        if self.init is not None:
            self.init(*self.init_args)
        if self.warm is not None:
            try:
                self.warm()
            except Exception:  # warming is an optimisation only
                logger.exception("warm-up failed in the Dask worker")


class DaskExecutor(Executor):
    """A Dask client's workers (see the module docstring); ``n`` as
    :func:`core.parallel.cluster_workers` gives it."""

    def __init__(self, spec: str, n: int | None, *, init: Callable | None = None,
                 init_args: tuple = (), warm: Callable | None = None):
        self._items: queue.Queue = queue.Queue()
        self._token = f"twintrack-{uuid.uuid4().hex}"
        self._cluster = None
        self._client = self._connect(spec, n)
        try:
            self._client.subscribe_topic(self._token, self._event)
            self._client.register_plugin(_Setup(self._token, init, init_args, warm),
                                         name=self._token)
            self.workers = sum(w["nthreads"] for w in
                               self._client.scheduler_info()["workers"].values())
            if self.workers < 1:
                raise ClusterError(f"the Dask scheduler at {spec} has no workers; start "
                                   f"some with: dask worker {spec} --nthreads 1")
        except BaseException:
            self.close()
            raise
        self._pool = self._client.get_executor(pure=False)

    def _connect(self, spec: str, n: int | None) -> Client:
        if n == 0:  # tcp://HOST:PORT
            try:
                return Client(spec, timeout=_CONNECT_SECONDS, set_as_default=False)
            except Exception as exc:  # OSError, TimeoutError, or garbage from a non-Dask port
                raise ClusterError(f"cannot reach the Dask scheduler at {spec} within "
                                   f"{_CONNECT_SECONDS} s ({exc.__class__.__name__}); is "
                                   f"'dask scheduler' running there?") from None
        # The workers ignore SIGINT as the local pool's do: a terminal's Ctrl-C reaches
        # the whole process group, and the caller decides.  (Fresh processes inherit an
        # ignored SIGINT, and Python keeps it ignored.)
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            self._cluster = LocalCluster(n_workers=n or par.default_jobs(0, 1 << 30),
                                         threads_per_worker=1, processes=True,
                                         dashboard_address=":0", silence_logs=logging.ERROR)
        except Exception as exc:
            raise ClusterError(f"cannot start a local Dask cluster ({exc})") from None
        finally:
            if main:
                signal.signal(signal.SIGINT, previous)
        return Client(self._cluster, set_as_default=False)

    def _event(self, event: tuple) -> None:  # on the client's event-loop thread
        self._items.put(tuple(event[1]))

    def submit(self, fn: Callable, *args: Any) -> Future:
        return self._pool.submit(fn, *args)

    def request_stop(self) -> None:
        try:
            self._client.run(_set_stopped, self._token)
        except Exception:  # a worker that is gone has nothing to stop
            logger.info("could not tell every Dask worker to stop", exc_info=True)

    def close(self) -> None:
        # Closing right after a Ctrl-C, distributed's background threads may log a
        # closed connection with its traceback (batched.py, _background_send): noise
        # about a shutdown the user asked for, printed after the summary.  It is
        # raised to CRITICAL for the rest of the process (the cluster is going).
        for name in ("distributed", "tornado"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        try:
            if hasattr(self, "_pool"):
                self.request_stop()
                self._pool.shutdown(wait=False)  # cancels what has not started
            self._client.unregister_worker_plugin(self._token)
        except Exception:  # closing a client whose scheduler is gone
            logger.info("closing the Dask client", exc_info=True)
        finally:
            self._client.close()
            if self._cluster is not None:
                self._cluster.close()

