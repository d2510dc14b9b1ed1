"""Plain task functions for the worker and process-pool tests (importable by child
processes; no Qt)."""

from __future__ import annotations

import time

import numpy as np

from core.errors import Cancelled, TwintrackError


def count(n: int, *, progress=None, cancelled=None) -> int:
    """Reports each step as its own stage, returns ``n``."""
    for i in range(n):
        progress((i + 1) / n, f"step {i + 1}")
    return n


def wait_for_cancel(*, progress=None, cancelled=None, limit: float = 10.0) -> str:
    """Runs until cancelled (or ``limit`` seconds, then returns 'not cancelled')."""
    progress(0.0, "waiting")
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if cancelled():
            raise Cancelled("cancelled")
        time.sleep(0.005)
    return "not cancelled"


def ignore_cancel(value, *, progress=None, cancelled=None, seconds: float = 0.3):
    """Never checks for cancellation; returns ``value`` after ``seconds``."""
    time.sleep(seconds)
    return value


def fail(message: str, *, progress=None, cancelled=None):
    raise TwintrackError(message)


def crash(*, progress=None, cancelled=None):
    raise ValueError("a bug")


def big_array(n: int, *, progress=None, cancelled=None, partial=None) -> dict:
    """A result with a large array (travels through shared memory) and a partial."""
    if partial is not None:
        partial(np.arange(4, dtype=np.float32))
    progress(0.5, "making")
    return {"data": np.arange(n, dtype=np.float32), "name": "big"}


def segfault(*, progress=None, cancelled=None):
    """Dies the way a process that loaded damaged compiled code dies."""
    import os
    import signal

    os.kill(os.getpid(), signal.SIGSEGV)
