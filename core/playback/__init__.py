"""Playback: synchronised A/B listening of an original (A) and its render (B).

One ``sounddevice.OutputStream``, one callback, one clock.  Both sources are
resampled to the stream rate and made stereo float32 once, outside the callback, by
:func:`prepare_source` (:mod:`core.playback.sources`; a pure function: a GUI runs it
on a worker thread and hands the prepared arrays to :meth:`Player.set_sources`, which
then only swaps references); the callback (:meth:`Mixer.render`,
:mod:`core.playback.mixer`) only reads them and writes into preallocated scratch
buffers with ``out=`` ufuncs.  Control calls never touch the mixer's state: they
append a small command tuple to a deque that the callback drains at the start of each
block, so every change lands on an exact frame.  Mode switches, seeks while playing,
loop wraps, source swaps, play and pause all crossfade over ~10 ms.  The
:class:`Player` (:mod:`core.playback.player`) owns the stream and the clock.

``sounddevice`` is imported lazily: ``import core.playback`` works without PortAudio.
"""

from __future__ import annotations

from core.playback.mixer import FADE_SECONDS, MODES, Mixer
from core.playback.player import PlaybackUnavailable, Player, PlayerStats, playback_status
from core.playback.sources import Loop, is_prepared, prepare_source

__all__ = ["PlaybackUnavailable", "Loop", "Mixer", "Player", "PlayerStats", "playback_status",
           "prepare_source", "is_prepared", "MODES", "FADE_SECONDS"]
