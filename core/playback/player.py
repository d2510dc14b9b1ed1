"""The player: one ``sounddevice.OutputStream``, one callback, one clock.

:class:`Player` owns the stream and drives a :class:`~core.playback.mixer.Mixer` from
its callback; :func:`playback_status` says whether an output device can be used, and
:class:`PlaybackUnavailable` why not.

The play position is the frame leaving the speakers: the callback publishes the
output-frame counter, the time it ran and the output latency PortAudio reported
(``outputBufferDacTime - currentTime``); :meth:`Player.position` extrapolates from
there with ``time.monotonic`` (as Mixxx's VisualPlayPosition does) and maps the
output frame to a timeline frame through the mixer's anchors.

``sounddevice`` is imported lazily, when a player is opened or the status asked for.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np

from core.errors import TwintrackError
from core.playback.mixer import FADE_SECONDS, MODES, Mixer
from core.playback.sources import EMPTY, Loop, prepare_source

__all__ = ["PlaybackUnavailable", "Player", "PlayerStats", "playback_status"]

logger = logging.getLogger(__name__)

_clock = time.monotonic  # one name, so tests can drive the clock


class PlaybackUnavailable(TwintrackError):
    """Audio output cannot be used: no PortAudio, no output device, or a device error."""


@dataclass(frozen=True)
class PlayerStats:
    """Counters of the audio callback, read from the control thread."""

    callbacks: int
    underruns: int
    max_callback: float  # seconds, longest single callback
    mean_callback: float  # seconds
    block_period: float  # seconds of audio per block (the callback's budget)
    latency: float  # seconds, last output latency reported by PortAudio
    min_latency: float  # seconds, least audio still queued when a callback ran


def _import_sounddevice():
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        raise PlaybackUnavailable(
            f"Playback is unavailable: the PortAudio library could not be loaded ({exc}). "
            "Install libportaudio2 to listen to tracks.") from exc
    return sounddevice


def _output_device(sd, device) -> dict:
    try:
        return dict(sd.query_devices(device, kind="output"))
    except (ValueError, sd.PortAudioError) as exc:
        which = "default" if device is None else repr(device)
        raise PlaybackUnavailable(
            f"Playback is unavailable: no usable audio output device ({which}: {exc}).") from exc


def playback_status(*, device=None) -> tuple[bool, str]:
    """Whether playback can work, and why, without opening a stream.

    Returns
    -------
    available : bool
    reason : str
        The output device's name and rate, or what is missing.
    """
    try:
        sd = _import_sounddevice()
        info = _output_device(sd, device)
    except PlaybackUnavailable as exc:
        return False, str(exc)
    return True, f"output: {info['name']} ({int(info['default_samplerate'])} Hz)"


class Player:
    """A/B player over one output stream; what the GUI's transport drives.

    Owns the ``sounddevice.OutputStream`` (running from construction to
    :meth:`close`, silent while not playing), the :class:`Mixer` its callback drives,
    the prepared sources and the control-side state (state, mode, held position).
    Public methods are for one control thread (the GUI thread), except that
    :meth:`prepare` may run on any thread, and :meth:`set_sources` and :meth:`set_b` on
    a worker thread too.  Given prepared arrays (:meth:`prepare`) they cost nothing;
    given raw audio they prepare it on the calling thread, which a GUI must avoid.
    The callback runs on PortAudio's thread and meets the control side only through
    the mixer's command deque and published values.

    ``latency`` is PortAudio's output latency ("low", "high" or seconds).  The default,
    0.1 s, rides out the stalls an analysis thread in the same process causes (GIL
    hand-overs on a busy machine reach tens of ms); :meth:`position` subtracts it, so
    the playhead stays exact, and mode switches are heard ~0.1 s after the call.
    """

    def __init__(self, *, device=None, samplerate: int | None = None, blocksize: int = 512,
                 latency: str | float = 0.1) -> None:
        sd = _import_sounddevice()
        info = _output_device(sd, device)
        self._sr = int(samplerate or info["default_samplerate"])
        self._mixer = Mixer(self._sr, max_block=max(int(blocksize), 1024))
        self._sd, self._stream, self._closed = sd, None, False
        self._state, self._mode, self._loop = "stopped", "A", None
        self._held, self._run, self._last = 0.0, 0, (-1, 0.0)
        self._a, self._b, self._gen = EMPTY, EMPTY, 0
        self._gens: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._sources_lock = threading.Lock()  # control side only; never in the callback
        self._clock: tuple[int, float, float, int] | None = None
        self._underruns = self._callbacks = 0
        self._max_callback = self._spent = 0.0
        self._min_latency = float("inf")
        self._failure, self._reported, self._latency = None, False, 0.0
        try:
            self._stream = sd.OutputStream(
                device=device, samplerate=self._sr, blocksize=blocksize, channels=2,
                dtype="float32", latency=latency, callback=self._callback)
            self._latency = float(self._stream.latency)  # before the first callback
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            self.close()
            raise PlaybackUnavailable(
                f"Playback is unavailable: the output device {info['name']!r} could not "
                f"be opened at {self._sr} Hz ({exc}).") from exc
        logger.info("playback on %r at %d Hz, block %d, latency %.1f ms", info["name"],
                    self._sr, blocksize, self._latency * 1000)

    # -- the audio callback (PortAudio's thread): no allocation of buffers, no logging
    def _callback(self, outdata, frames, time_info, status) -> None:
        start, now = time.perf_counter(), _clock()
        if status.output_underflow:
            self._underruns += 1
        counter = self._mixer.counter
        try:
            self._mixer.render(outdata)
        except Exception as exc:  # a bug: go silent, report from the control thread
            outdata.fill(0.0)
            self._failure = exc
            raise self._sd.CallbackAbort from exc
        latency = time_info.outputBufferDacTime - time_info.currentTime
        if not 0.0 < latency < 2.0:  # some host APIs report no DAC time
            latency = self._latency
        elif latency < self._min_latency:
            self._min_latency = latency
        self._clock = (counter, now, latency, frames)  # one atomic publish
        self._callbacks += 1
        spent = time.perf_counter() - start
        self._spent += spent
        if spent > self._max_callback:
            self._max_callback = spent

    # -- sources -------------------------------------------------------------------
    def prepare(self, y: np.ndarray | None, sr: int | None) -> np.ndarray:
        """:func:`prepare_source` for this player's rate.  Any thread."""
        return prepare_source(y, sr, samplerate=self._sr)

    def set_sources(self, a: np.ndarray | None, a_sr: int, b: np.ndarray | None = None,
                    b_sr: int | None = None) -> None:
        """Set the original (A) and the render (B); both start at time zero.

        Prepared arrays (:meth:`prepare`, with ``a_sr``/``b_sr`` the stream rate) are
        used as they are: only references change hands.  Anything else is prepared
        here, on the calling thread (resampled with soxr, made stereo float32).
        Arrays are (frames,) or (frames, channels); B may be shorter or longer than A.
        """
        self._swap(self.prepare(a, a_sr), self.prepare(b, b_sr))

    def set_b(self, b: np.ndarray | None, b_sr: int | None) -> None:
        """Replace the render only; the position and A are kept.  Same costs as
        :meth:`set_sources`."""
        self._swap(self._a, self.prepare(b, b_sr))

    def _swap(self, a: np.ndarray, b: np.ndarray) -> None:
        with self._sources_lock:
            self._a, self._b = a, b
            self._gen += 1
            self._gens[self._gen] = (a, b)
            self._mixer.post("sources", a, b, self._gen)
        self._release()
        self._held = min(self._held, self.duration)

    def _release(self) -> None:
        """Drop sources the callback no longer holds, so it never frees them itself."""
        keep = min(self._mixer.gen, self._mixer.tail_gen)
        with self._sources_lock:
            for gen in [g for g in self._gens if g < keep]:
                del self._gens[gen]

    # -- transport -----------------------------------------------------------------
    def play(self) -> None:
        """Start or resume from the current position (from 0 when at the end)."""
        self._sync()
        if self._state == "playing":
            return
        if self._loop is None and self._held >= self.duration:
            self.seek(0.0)
        self._run += 1
        self._state = "playing"
        self._mixer.post("play", self._run)

    def pause(self) -> None:
        """Fade out and hold; resumes at the frame that was audible when paused."""
        if self._state == "playing":
            self._held = self.position()
            self._mixer.post("pause", self._frame(self._held))
            self._state = "paused"

    def stop(self) -> None:
        """Pause and rewind to the start."""
        self.pause()
        self.seek(0.0)
        self._state = "stopped"

    def seek(self, seconds: float) -> None:
        """Move the playhead (crossfaded while playing), clamped to [0, duration]."""
        self._held = min(max(float(seconds), 0.0), self.duration)
        self._mixer.post("seek", self._frame(self._held))

    def set_mode(self, mode: str) -> None:
        """Listen to "A", "B" or "AB" (both at half gain); crossfades over ~10 ms."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {sorted(MODES)}, got {mode!r}")
        self._mode = mode
        self._mixer.post("mode", mode)

    def toggle_ab(self) -> None:
        """A -> B, B -> A; from "AB" go to A."""
        self.set_mode("B" if self._mode == "A" else "A")

    def set_loop(self, loop: Loop | None) -> None:
        """Repeat ``loop`` (in every mode, crossfaded at the wrap); None plays through.

        A playhead before the loop plays into it; one after it wraps to its start.
        """
        if loop is not None and loop.end - loop.start < 2 * FADE_SECONDS:
            raise ValueError(f"a loop must last at least {2 * FADE_SECONDS:.2f} s")
        self._loop = loop
        if loop is None:
            self._mixer.post("loop", None)
        else:
            self._mixer.post("loop", self._frame(loop.start), self._frame(loop.end))

    # -- clock ---------------------------------------------------------------------
    def position(self) -> float:
        """Seconds of the frame now leaving the speakers, clamped to [0, duration].

        While playing: output frames rendered minus the output latency, extrapolated
        since the last callback and mapped through loops and seeks; it never goes
        backwards except across a loop wrap or a seek.  Otherwise the held position.
        """
        self._sync()
        clock = self._clock
        if self._state != "playing" or clock is None:
            return self._held
        counter, then, latency, frames = clock
        out_frame = min(counter + (_clock() - then - latency) * self._sr, counter + frames)
        found = self._mixer.timeline_at(out_frame)
        if found is None:
            return self._held
        frame, anchor = found
        if anchor == self._last[0]:
            frame = max(frame, self._last[1])
        self._last = (anchor, frame)
        return min(max(frame / self._sr, 0.0), self.duration)

    def _sync(self) -> None:
        """Take in what the callback did: reached the end, or failed."""
        if self._state == "playing" and self._mixer.ended_run == self._run:
            self._state, self._held = "stopped", 0.0
        if self._failure is not None and not self._reported:
            self._reported, self._state = True, "stopped"
            logger.error("playback stopped by an error in the audio callback: %r",
                         self._failure)
        if self._gens:
            self._release()

    def _frame(self, seconds: float) -> int:
        return int(round(seconds * self._sr))

    # -- properties ----------------------------------------------------------------
    @property
    def state(self) -> str:
        """"stopped", "playing" or "paused"."""
        self._sync()
        return self._state

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def loop(self) -> Loop | None:
        return self._loop

    @property
    def duration(self) -> float:
        """Seconds: the longer of A and B."""
        return max(self._a.shape[0], self._b.shape[0]) / self._sr

    @property
    def samplerate(self) -> int:
        return self._sr

    @property
    def underruns(self) -> int:
        """How many callbacks reported an output underflow."""
        return self._underruns

    @property
    def is_available(self) -> bool:
        return (not self._closed and self._failure is None and self._stream is not None
                and bool(self._stream.active))

    def stats(self) -> PlayerStats:
        """Callback counters, for benchmarks and diagnostics."""
        clock, calls = self._clock, self._callbacks
        return PlayerStats(calls, self._underruns, self._max_callback,
                           self._spent / calls if calls else 0.0,
                           clock[3] / self._sr if clock else 0.0,
                           clock[2] if clock else self._latency,
                           min(self._min_latency, clock[2]) if clock else self._latency)

    def close(self) -> None:
        """Fade out if playing, then close the stream.  Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        stream, self._stream = self._stream, None
        if stream is None:
            return
        if self._state == "playing" and stream.active:
            self.pause()
            deadline = time.monotonic() + 0.2
            while self._mixer.running and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(min(self._latency, 0.2))  # let the faded block reach the speaker
        stream.close(ignore_errors=True)

    def __enter__(self) -> "Player":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
