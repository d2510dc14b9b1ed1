"""Progress and cancellation hooks for long work.

Long work in Twintrack is a plain function that takes two optional callables:

``progress(fraction, stage)``
    called with a fraction in [0, 1] of the *whole* job and a short stage name;
``cancelled()``
    returns True once the caller wants the work to stop; the work then raises
    :class:`core.errors.Cancelled` at its next check point.

:class:`Reporter` bundles both and splits the [0, 1] range into sub-ranges so a
stage can report its own 0..1 progress without knowing where it sits in the job
(the idea of Orange3's ``wrap_callback``).  No threads, no Qt: the GUI adapts these
callables to signals, the CLI to a progress bar, tests to plain lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from core.errors import Cancelled

__all__ = ["ProgressFn", "CancelledFn", "Reporter", "raise_if_cancelled"]

ProgressFn = Callable[[float, str], None]
CancelledFn = Callable[[], bool]


def raise_if_cancelled(cancelled: CancelledFn | None) -> None:
    """Raise :class:`Cancelled` if ``cancelled`` says so (``None`` never cancels)."""
    if cancelled is not None and cancelled():
        raise Cancelled("cancelled")


@dataclass(frozen=True)
class Reporter:
    """Progress/cancel hooks mapped onto the sub-range ``[start, stop]`` of a job.

    Owns nothing but the two callables; safe to call from whichever thread runs the
    work (the callables themselves decide how to hand the value over).
    """

    progress: ProgressFn | None = None
    cancelled: CancelledFn | None = None
    start: float = 0.0
    stop: float = 1.0

    def __call__(self, fraction: float, stage: str) -> None:
        """Report ``fraction`` (0..1 of this sub-range) and check for cancellation."""
        self.check()
        if self.progress is not None:
            f = min(max(float(fraction), 0.0), 1.0)
            value = self.stop if f == 1.0 else self.start + f * (self.stop - self.start)
            self.progress(value, stage)

    def check(self) -> None:
        """Raise :class:`Cancelled` if the caller asked to stop."""
        raise_if_cancelled(self.cancelled)

    def sub(self, start: float, stop: float) -> "Reporter":
        """A reporter for the part ``[start, stop]`` (fractions of this reporter's range)."""
        span = self.stop - self.start
        return Reporter(self.progress, self.cancelled,
                        self.start + start * span, self.start + stop * span)

    def split(self, weights: list[float]) -> list["Reporter"]:
        """Consecutive sub-reporters sized in proportion to ``weights``."""
        total = float(sum(weights)) or 1.0
        edges = [0.0]
        for w in weights:
            edges.append(edges[-1] + w / total)
        edges[-1] = 1.0  # exact, whatever the rounding of the sum
        return [self.sub(a, b) for a, b in zip(edges[:-1], edges[1:])]
