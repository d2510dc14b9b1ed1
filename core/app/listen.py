"""Audio as the player takes it: stereo float32 at the output stream's rate.

Owns the steps that turn decoded audio into what ``core.playback.Player`` plays
without work on the caller's thread: :func:`playback_audio` (stereo, resampled to the
stream's rate: a track's or a render's playback copy), :func:`prepare_playback` (the
player's read-only sources, made off the GUI thread) and :func:`prepare_ab` (the same
for an original and its render, the render level-matched to the original per section
by default: :mod:`core.app.levels`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from core.app.levels import LevelMatch, match_levels
from core.progress import CancelledFn, ProgressFn, Reporter

__all__ = ["playback_audio", "prepare_playback", "prepare_ab", "PreparedAB", "render_spans"]


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


class PreparedAB(NamedTuple):
    """What :func:`prepare_ab` gives the player: A, B, and B's level match if any."""

    a: np.ndarray | None
    b: np.ndarray | None
    levels: LevelMatch | None  # the gains B was given; None: B is the raw render


def render_spans(render) -> list[tuple[float, float]]:
    """The sections a render is level-matched over: its timeline's regions, or the whole
    render when it has no timeline."""
    timeline = getattr(render, "timeline", None)
    if timeline is None:
        return [(0.0, len(render.audio) / render.sr)]
    return [(v.start, v.end) for v in timeline.regions()]


def prepare_ab(a: tuple | None, b: tuple, *, samplerate: int,
               reference: tuple | None = None, levels: LevelMatch | None = None,
               progress: ProgressFn | None = None,
               cancelled: CancelledFn | None = None) -> PreparedAB:
    """An original and its render as the player's callback reads them, B level-matched.

    Parameters
    ----------
    a, b : tuple
        ``(audio, sr)`` as :func:`prepare_playback` takes them (``a`` None: A is not
        asked for; ``b`` ``(None, None)``: no render).
    samplerate : int
        The output stream's rate.
    reference : tuple, optional
        ``(original audio, its rate, spans)``: B is level-matched to the original over
        these ``(start, end)`` sections (:func:`core.app.levels.match_levels`); None
        gives B as rendered.
    levels : LevelMatch, optional
        The match measured earlier for the same original and render (toggling back to
        the matched B measures nothing again).

    Returns
    -------
    PreparedAB
    """
    rep = Reporter(progress, cancelled)
    audio, sr = b
    if audio is not None and reference is not None:
        if levels is None:
            rep(0.0, "matching the render's loudness")
            original, original_sr, spans = reference
            levels = match_levels(original, original_sr, audio, sr, spans)
        audio = levels.apply(audio, sr)
    else:
        levels = None
    prepared_a, prepared_b = prepare_playback((a, (audio, sr)), samplerate=samplerate,
                                              progress=Reporter(progress, cancelled, 0.5, 1.0),
                                              cancelled=cancelled)
    return PreparedAB(prepared_a, prepared_b, levels)
