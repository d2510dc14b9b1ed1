"""Spread GUI-thread work over event-loop turns: :class:`Steps`.

Building a long track's lanes is a few dozen milliseconds of Python and Qt calls that
must run on the GUI thread.  Done in one slot it delays every repaint, timer and key
press behind it; split into small steps run in time-boxed slices (a zero-interval
QTimer, one slice per event-loop turn) the window keeps answering while it draws.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

__all__ = ["Steps"]


class Steps(QObject):
    """A queue of callables run on the GUI thread, ``budget`` seconds per event-loop turn.

    GUI thread only.  :meth:`replace` drops whatever is still queued (the newest
    request wins), :meth:`flush` runs the rest at once (before an export, in tests).
    A step that takes longer than the budget still runs whole: keep steps small.
    """

    finished = Signal()

    def __init__(self, budget: float = 0.008, parent: QObject | None = None):
        super().__init__(parent)
        self.budget = float(budget)
        self._queue: deque[Callable[[], None]] = deque()
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def pending(self) -> int:
        """How many steps have not run yet."""
        return len(self._queue)

    def replace(self, steps: list[Callable[[], None]]) -> None:
        """Forget queued steps and queue ``steps``; the first slice runs on the next turn."""
        self._queue = deque(steps)
        if self._queue:
            self._timer.start()
        else:
            self._timer.stop()

    def flush(self) -> None:
        """Run every queued step now."""
        self._timer.stop()
        ran = bool(self._queue)
        while self._queue:
            self._queue.popleft()()
        if ran:
            self.finished.emit()

    def _on_timer_timeout(self) -> None:
        deadline = time.perf_counter() + self.budget
        while self._queue:
            self._queue.popleft()()
            if time.perf_counter() >= deadline:
                return
        self._timer.stop()
        self.finished.emit()
