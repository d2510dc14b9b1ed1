"""Audio as the player takes it: stereo float32 at the output stream's rate.

Owns the two steps that turn decoded audio into what ``core.playback.Player`` plays
without work on the caller's thread: :func:`playback_audio` (stereo, resampled to the
stream's rate: a track's or a render's playback copy) and :func:`prepare_playback`
(the player's read-only sources, made off the GUI thread).
"""

from __future__ import annotations

import numpy as np

from core.progress import CancelledFn, ProgressFn, Reporter

__all__ = ["playback_audio", "prepare_playback"]


def playback_audio(data: np.ndarray, sr: int, target: int | None) -> tuple[np.ndarray, int]:
    """(frames, 2) float32 C-contiguous audio at ``target`` (or ``sr``), and its rate.

    Parameters
    ----------
    data : np.ndarray, shape (frames, channels)
        Mono is doubled; channels beyond two are dropped.
    sr : int
        Rate of ``data``.
    target : int, optional
        The output stream's rate; None or ``sr`` keeps the rate.
    """
    y = data[:, :2] if data.shape[1] >= 2 else np.repeat(data[:, :1], 2, axis=1)
    if target and int(target) != sr:
        import soxr

        y = soxr.resample(y, sr, int(target), quality="HQ")
        sr = int(target)
    return np.ascontiguousarray(y, dtype=np.float32), sr


def prepare_playback(sources: tuple, *, samplerate: int, progress: ProgressFn | None = None,
                     cancelled: CancelledFn | None = None) -> tuple:
    """Audio as the player's callback reads it, made off the GUI thread.

    Parameters
    ----------
    sources : tuple
        Per source ``(audio, sr)`` (``(None, None)``: no source, an empty array comes
        back) or None (nothing asked: None comes back).
    samplerate : int
        The output stream's rate.

    Returns
    -------
    tuple
        :func:`core.playback.prepare_source` of each source: read-only (frames, 2)
        float32 arrays that ``Player.set_sources`` takes without copying.
    """
    from core.playback import prepare_source

    rep = Reporter(progress, cancelled)
    out = []
    for i, source in enumerate(sources):
        rep(i / max(len(sources), 1), "preparing playback")
        out.append(None if source is None else
                   prepare_source(source[0], source[1], samplerate=samplerate))
    rep(1.0, "playback ready")
    return tuple(out)
