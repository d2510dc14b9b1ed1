"""The one adapter between plain task functions and the GUI: :class:`Worker`.

A task is a plain function ``fn(*args, progress=..., cancelled=..., **kwargs)`` (see
:mod:`core.progress`), such as the use cases of :mod:`core.app`.
``Worker.start(fn, ...)`` runs it on a fresh QThread and turns its hooks into signals
on the GUI thread::

    progressed(float, str)  -> fraction of the whole job, stage name (throttled)
    yielded(object)         -> a partial result (only with ``start(..., partial=True)``)
    finished(object)        -> the return value
    failed(str)             -> a user-readable message (TwintrackError) or "internal error"
    cancelled()             -> the job stopped because cancel() was called

Newest request wins: ``start`` cancels the job still running and drops anything it
reports later (the idea of Qt's Mandelbrot example and Orange's concurrent mixin).
The task gets only its arguments (immutable requests), never a widget.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from core.errors import Cancelled, TwintrackError

__all__ = ["Worker"]

logger = logging.getLogger(__name__)

_PROGRESS_EVERY = 0.05  # seconds: at most ~20 progress updates a second reach the GUI


class _Job(QThread):
    """One run of one task.  Created and owned by a Worker on the GUI thread; ``run``
    executes on the new thread and talks back only through queued signals."""

    job_progressed = Signal(int, float, str)
    job_yielded = Signal(int, object)
    job_finished = Signal(int, object)
    job_failed = Signal(int, str)
    job_cancelled = Signal(int)
    job_done = Signal(int)

    def __init__(self, job_id: int, fn: Callable, args: tuple, kwargs: dict, partial: bool,
                 prepare: Callable[[Any], None] | None = None):
        super().__init__()
        self.job_id = job_id
        self._fn, self._args, self._kwargs, self._partial = fn, args, kwargs, partial
        self._prepare = prepare
        self._cancel = threading.Event()
        self._last = (0.0, "")
        self.setObjectName(f"twintrack-job-{job_id}-{getattr(fn, '__name__', 'task')}")

    def request_cancel(self) -> None:
        """Ask the task to stop at its next check point (any thread)."""
        self._cancel.set()

    def _progress(self, fraction: float, stage: str) -> None:
        now = time.monotonic()
        if stage != self._last[1] or fraction >= 1.0 or now - self._last[0] >= _PROGRESS_EVERY:
            self._last = (now, stage)
            self.job_progressed.emit(self.job_id, float(fraction), str(stage))

    def _prepared(self, value: Any) -> Any:
        if self._prepare is not None and not self._cancel.is_set():
            self._prepare(value)
        return value

    def run(self) -> None:  # the job's thread
        kwargs = dict(self._kwargs, progress=self._progress, cancelled=self._cancel.is_set)
        if self._partial:
            kwargs["partial"] = lambda obj: self.job_yielded.emit(self.job_id,
                                                                  self._prepared(obj))
        try:
            result = self._prepared(self._fn(*self._args, **kwargs))
        except Cancelled:
            self.job_cancelled.emit(self.job_id)
        except TwintrackError as exc:
            self.job_failed.emit(self.job_id, str(exc))
        except Exception as exc:  # a bug or resource failure: report it, keep the app alive
            logger.exception("task %s failed", self.objectName())
            self.job_failed.emit(self.job_id, f"Internal error ({type(exc).__name__}: {exc}). "
                                              "Your other work is unaffected.")
        else:
            if self._cancel.is_set():
                self.job_cancelled.emit(self.job_id)
            else:
                self.job_finished.emit(self.job_id, result)
        finally:
            self.job_done.emit(self.job_id)


class Worker(QObject):
    """Runs one task at a time off the GUI thread; newest request wins.

    Owns its running and finishing QThreads.  Every method and signal belongs to the
    GUI thread (the thread that created the Worker).
    """

    progressed = Signal(float, str)
    yielded = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._serial = 0
        self._current: _Job | None = None
        self._jobs: dict[int, _Job] = {}

    @property
    def busy(self) -> bool:
        """True while the newest job has not reported its end."""
        return self._current is not None

    def start(self, fn: Callable, /, *args: Any, partial: bool = False,
              prepare: Callable[[Any], None] | None = None, **kwargs: Any) -> int:
        """Run ``fn(*args, **kwargs, progress=..., cancelled=...)``; returns the job id.

        With ``partial=True`` the task also gets a ``partial`` callable whose values
        arrive as :attr:`yielded`.  ``prepare(value)``, if given, runs on the job's
        thread with each partial value and the result before they are sent to the GUI
        thread (work the views would otherwise do there, e.g. :func:`gui.derived.warm`).
        A job still running is cancelled and ignored.
        """
        was_busy = self.busy
        if self._current is not None:
            self._current.request_cancel()
        self._serial += 1
        job = _Job(self._serial, fn, args, kwargs, partial, prepare)
        job.job_progressed.connect(self._on_job_progressed)
        job.job_yielded.connect(self._on_job_yielded)
        job.job_finished.connect(self._on_job_finished)
        job.job_failed.connect(self._on_job_failed)
        job.job_cancelled.connect(self._on_job_cancelled)
        job.job_done.connect(self._on_job_done)
        self._jobs[job.job_id] = job
        self._current = job
        job.start()
        if not was_busy:
            self.busy_changed.emit(True)
        return job.job_id

    def cancel(self) -> None:
        """Ask the running job to stop; :attr:`cancelled` follows when it has."""
        if self._current is not None:
            self._current.request_cancel()

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Cancel everything and wait for the threads (at exit); True if all ended."""
        self.cancel()
        for job in list(self._jobs.values()):
            job.request_cancel()
        deadline = time.monotonic() + timeout
        ok = True
        for job in list(self._jobs.values()):
            ok &= job.wait(max(0, int((deadline - time.monotonic()) * 1000)))
        return ok

    # -- slots: the job's signals, delivered on the GUI thread --------------------------
    def _is_current(self, job_id: int) -> bool:
        return self._current is not None and job_id == self._current.job_id

    def _end(self) -> None:
        self._current = None
        self.busy_changed.emit(False)

    @Slot(int, float, str)
    def _on_job_progressed(self, job_id: int, fraction: float, stage: str) -> None:
        if self._is_current(job_id):
            self.progressed.emit(fraction, stage)

    @Slot(int, object)
    def _on_job_yielded(self, job_id: int, value: object) -> None:
        if self._is_current(job_id):
            self.yielded.emit(value)

    @Slot(int, object)
    def _on_job_finished(self, job_id: int, result: object) -> None:
        if self._is_current(job_id):
            self._end()
            self.finished.emit(result)

    @Slot(int, str)
    def _on_job_failed(self, job_id: int, message: str) -> None:
        if self._is_current(job_id):
            self._end()
            self.failed.emit(message)

    @Slot(int)
    def _on_job_cancelled(self, job_id: int) -> None:
        if self._is_current(job_id):
            self._end()
            self.cancelled.emit()

    @Slot(int)
    def _on_job_done(self, job_id: int) -> None:
        job = self._jobs.pop(job_id, None)
        if job is not None:
            job.wait()  # returns at once: run() has returned
            job.deleteLater()
