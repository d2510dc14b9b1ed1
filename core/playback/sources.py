"""Playback sources: audio made ready for the audio callback, and loop regions.

:func:`prepare_source` resamples a source to the stream rate and makes it a read-only
stereo float32 array once, outside the callback (a pure function: a GUI runs it on a
worker thread and hands the result to :meth:`core.playback.Player.set_sources`, which
then only swaps references); :func:`is_prepared` tells such an array from raw audio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Loop", "prepare_source", "is_prepared", "EMPTY"]

#: No source: what :func:`prepare_source` returns for None, shared so it is never copied.
EMPTY = np.zeros((0, 2), np.float32)


@dataclass(frozen=True)
class Loop:
    """A region, in seconds, that playback repeats in every mode."""

    start: float
    end: float

    def __post_init__(self) -> None:
        if not (0.0 <= self.start < self.end):
            raise ValueError(f"a loop needs 0 <= start < end, got {self.start}..{self.end}")


def is_prepared(y: np.ndarray, sr: int | None, samplerate: int) -> bool:
    """True if ``y`` at ``sr`` is what :func:`prepare_source` makes for ``samplerate``:
    a read-only, C-contiguous (frames, 2) float32 array at that rate (or no source)."""
    if y is None or y is EMPTY:
        return True
    return (isinstance(y, np.ndarray) and y.dtype == np.float32 and y.ndim == 2
            and y.shape[1] == 2 and sr is not None and int(sr) == int(samplerate)
            and not y.flags.writeable and y.flags.c_contiguous)


def prepare_source(y: np.ndarray | None, sr: int | None, *, samplerate: int) -> np.ndarray:
    """Audio as the player's callback reads it.

    Pure and thread-safe: it allocates, resamples (soxr, which releases the GIL) and
    copies, so run it off the GUI thread for anything long.

    Parameters
    ----------
    y : np.ndarray or None, shape (frames,) or (frames, channels)
        None: no source (an empty array comes back).
    sr : int
        Rate of ``y``.
    samplerate : int
        The output stream's rate (:attr:`Player.samplerate`).

    Returns
    -------
    np.ndarray, shape (frames, 2), float32, read-only
        Stereo at ``samplerate`` (mono on both channels, channels past two dropped,
        NaN/Inf as silence).  An array that already is this is returned as it is.
    """
    if y is None:
        return EMPTY
    if sr is None or sr <= 0:
        raise ValueError("a source needs its sample rate")
    samplerate = int(samplerate)
    if is_prepared(y, sr, samplerate):
        return y  # read-only: nobody can change it under the callback
    y = np.asarray(y, dtype=np.float32)
    if y.ndim not in (1, 2) or (y.ndim == 2 and y.shape[1] == 0):
        raise ValueError(f"a source must be (frames,) or (frames, channels), got {y.shape}")
    y = np.ascontiguousarray(y[:, None] if y.ndim == 1 else y[:, :2])
    if int(sr) != samplerate and len(y):
        import soxr

        y = soxr.resample(y, int(sr), samplerate, quality="HQ")
    out = np.empty((len(y), 2), np.float32)
    out[:] = y  # mono broadcasts to both channels
    np.nan_to_num(out, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    out.flags.writeable = False
    return out
