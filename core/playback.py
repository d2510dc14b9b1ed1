"""Playback: synchronised A/B listening of an original (A) and its render (B).

One ``sounddevice.OutputStream``, one callback, one clock.  Both sources are
resampled to the stream rate and made stereo float32 once, outside the callback, by
:func:`prepare_source` (a pure function: a GUI runs it on a worker thread and hands
the prepared arrays to :meth:`Player.set_sources`, which then only swaps references);
the callback (:meth:`Mixer.render`) only reads them and writes into preallocated
scratch buffers with ``out=`` ufuncs.  Control calls never touch the mixer's state:
they append a small command tuple to a deque that the callback drains at the start
of each block, so every change lands on an exact frame.  Mode switches, seeks while
playing, loop wraps, source swaps, play and pause all crossfade over ~10 ms.

The play position is the frame leaving the speakers: the callback publishes the
output-frame counter, the time it ran and the output latency PortAudio reported
(``outputBufferDacTime - currentTime``); :meth:`Player.position` extrapolates from
there with ``time.monotonic`` (as Mixxx's VisualPlayPosition does) and maps the
output frame to a timeline frame through a ring of *anchors* the callback writes at
every discontinuity (play, park, seek, wrap, end).

``sounddevice`` is imported lazily: ``import core.playback`` works without PortAudio.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from core.errors import TwintrackError

__all__ = ["PlaybackUnavailable", "Loop", "Mixer", "Player", "PlayerStats", "playback_status",
           "prepare_source", "is_prepared", "MODES", "FADE_SECONDS"]

logger = logging.getLogger(__name__)

FADE_SECONDS = 0.010
#: Gains (A, B) per mode.  "AB" halves both so two full-scale sources cannot clip.
MODES = {"A": (1.0, 0.0), "B": (0.0, 1.0), "AB": (0.5, 0.5)}
_ANCHORS = 128
_EMPTY = np.zeros((0, 2), np.float32)
_clock = time.monotonic  # one name, so tests can drive the clock


class PlaybackUnavailable(TwintrackError):
    """Audio output cannot be used: no PortAudio, no output device, or a device error."""


@dataclass(frozen=True)
class Loop:
    """A region, in seconds, that playback repeats in every mode."""

    start: float
    end: float

    def __post_init__(self) -> None:
        if not (0.0 <= self.start < self.end):
            raise ValueError(f"a loop needs 0 <= start < end, got {self.start}..{self.end}")


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


def is_prepared(y: np.ndarray, sr: int | None, samplerate: int) -> bool:
    """True if ``y`` at ``sr`` is what :func:`prepare_source` makes for ``samplerate``:
    a read-only, C-contiguous (frames, 2) float32 array at that rate (or no source)."""
    if y is None or y is _EMPTY:
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
        return _EMPTY
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


def _chunk(src: np.ndarray, pos: int, n: int, scratch: np.ndarray) -> np.ndarray:
    """``src[pos:pos + n]``, zero-padded into ``scratch`` where the source ends."""
    avail = src.shape[0] - pos
    if avail >= n:
        return src[pos:pos + n]
    buf = scratch[:n]
    if avail > 0:
        buf[:avail] = src[pos:]
        buf[avail:].fill(0.0)
    else:
        buf.fill(0.0)
    return buf


class Mixer:
    """The audio callback's work, free of PortAudio: mixes A and B into output blocks.

    Owns the prepared sources, every scratch buffer, the gain ramps, the loop, the
    timeline position ``pos`` (frames), the output-frame ``counter`` and the anchor
    ring.  :meth:`post` may be called from any thread (a deque append).  :meth:`render`
    runs on the audio thread only.  :meth:`timeline_at` may be called from any thread:
    the callback fills an anchor slot before publishing it by bumping ``anchors``.
    """

    def __init__(self, samplerate: int, *, max_block: int = 4096,
                 fade: float = FADE_SECONDS) -> None:
        self.samplerate = int(samplerate)
        self._cap = int(max_block)
        self.nfade = max(1, round(fade * self.samplerate))
        # Every buffer is (frames, 2): same-shape ufuncs need no iterator buffers,
        # where broadcasting a (frames, 1) gain would allocate on every call.
        ramp = np.ones((self.nfade + self._cap, 2), np.float32)
        ramp[:self.nfade] = (np.arange(1, self.nfade + 1, dtype=np.float32) / self.nfade)[:, None]
        self._ramp = ramp
        self._ga, self._gb, self._sa, self._sb, self._tmp, self._tailbuf = (
            np.zeros((self._cap, 2), np.float32) for _ in range(6))
        self._a = self._b = self._tail_a = self._tail_b = _EMPTY
        self._commands: deque = deque()
        self.duration = 0  # frames: the longer source
        self.pos = 0
        self.running = False
        self._park = -1  # frame to rest at once the fade-out ends; -1: not pausing
        self._gain = (0.0, 0.0)  # gains where the current fade started
        self._target = (0.0, 0.0)
        self._fade_i = self.nfade  # samples into the current fade (nfade = done)
        self._mode = MODES["A"]
        self._loop = (-1, -1)
        self._tail_pos = 0
        self._tail_i = self.nfade
        self.counter = 0
        self.run = self.ended_run = 0  # play() token, and the token of the run that ended
        self.gen = self.tail_gen = 0  # source generation in use / held by the tail
        self.anchor_counter = np.zeros(_ANCHORS, np.int64)
        self.anchor_frame = np.zeros(_ANCHORS, np.int64)
        self.anchor_rate = np.zeros(_ANCHORS, np.int8)
        self.anchors = 1  # anchor 0: silence at frame 0 from output frame 0

    # -- control side (any thread) -------------------------------------------------
    def post(self, *command) -> None:
        """Queue a command for the next block: ("play", run), ("pause", frame),
        ("seek", frame), ("mode", name), ("loop", start, end) or ("loop", None),
        ("sources", a, b, gen)."""
        self._commands.append(command)

    def timeline_at(self, out_frame: float) -> tuple[float, int] | None:
        """Timeline frame playing at output frame ``out_frame``, and its anchor number.

        While silence is playing before sound resumes, the frame where it resumes.
        None when nothing is known yet (the caller uses its own held position).
        """
        n = self.anchors
        for j in range(n - 1, max(n - _ANCHORS + 2, 0) - 1, -1):
            k = j % _ANCHORS
            c = int(self.anchor_counter[k])
            if c <= out_frame:
                if self.anchor_rate[k]:
                    return float(self.anchor_frame[k]) + (out_frame - c), j
                if j + 1 < n:
                    return float(self.anchor_frame[(j + 1) % _ANCHORS]), j + 1
                return None
        return None

    # -- audio thread --------------------------------------------------------------
    def render(self, out: np.ndarray) -> None:
        """Fill ``out`` (frames, 2) float32 in place and advance by its length."""
        while self._commands:
            self._apply(self._commands.popleft())
        frames = out.shape[0]
        done = 0
        while done < frames:
            if not self.running:
                out[done:].fill(0.0)
                break
            room = self._room()
            if room <= 0:
                self._boundary(self.counter + done)
                continue
            n = min(frames - done, self._cap, room)
            self._render_piece(out[done:done + n])
            done += n
            if self._park >= 0 and self._fade_i >= self.nfade:
                self.running = False
                self.pos, self._park = self._park, -1
                self._anchor(self.counter + done, self.pos, 0)
        self.counter += frames

    def _apply(self, cmd: tuple) -> None:
        name, at = cmd[0], self.counter
        audible = self.running and self._park < 0
        if name == "play":
            self.run = cmd[1]
            if not audible:
                if not self.running:
                    self._anchor(at, self.pos, 1)
                self.running, self._park = True, -1
                self._fade_to(self._mode)
        elif name == "pause":
            if self.running:
                self._park = cmd[1]
                self._fade_to((0.0, 0.0))
            else:
                self.pos = cmd[1]
        elif name == "seek":
            if audible:
                self._jump(cmd[1], at)
            elif self.running:
                self._park = cmd[1]
            else:
                self.pos = cmd[1]
        elif name == "mode":
            self._mode = MODES[cmd[1]]
            if audible:
                self._fade_to(self._mode)
        elif name == "loop":
            self._loop = (-1, -1) if cmd[1] is None else (cmd[1], cmd[2])
        elif name == "sources":
            self._tail_a, self._tail_b, self.tail_gen = self._a, self._b, self.gen
            self._a, self._b, self.gen = cmd[1], cmd[2], cmd[3]
            self.duration = max(self._a.shape[0], self._b.shape[0])
            # Crossfade old sources into new only where it can be heard.
            self._tail_pos, self._tail_i = self.pos, (0 if audible else self.nfade)

    def _room(self) -> int:
        """Frames until the next loop wrap or the end of the material."""
        start, end = self._loop
        if start >= 0 and start < self.duration:
            return min(end, self.duration) - self.pos
        return self.duration - self.pos

    def _boundary(self, at: int) -> None:
        if self._loop[0] >= 0 and self._loop[0] < self.duration:
            self._jump(self._loop[0], at)
            return
        # End of material: stop and rewind, as Player.stop() does (unless a pause was
        # fading out: then rest where it asked).  No fade: the material itself ended.
        if self._park < 0:
            self.ended_run = self.run
        self.running, self.pos, self._park = False, max(self._park, 0), -1
        self._gain = self._target = (0.0, 0.0)
        self._fade_i = self.nfade
        self._anchor(at, self.pos, 0)

    def _jump(self, frame: int, at: int) -> None:
        """Move the playhead, letting the old position fade out under the new one."""
        self._tail_a, self._tail_b, self.tail_gen = self._a, self._b, self.gen
        self._tail_pos, self._tail_i = self.pos, 0
        self.pos = frame
        self._anchor(at, frame, 1)

    def _anchor(self, at: int, frame: int, rate: int) -> None:
        k = self.anchors % _ANCHORS
        self.anchor_counter[k] = at
        self.anchor_frame[k] = frame
        self.anchor_rate[k] = rate
        self.anchors += 1  # publish after the slot is complete

    def _fade_to(self, target: tuple[float, float]) -> None:
        """Start a ramp from the gains last applied to ``target``."""
        if self._fade_i > 0:
            r = float(self._ramp[self._fade_i - 1, 0])
            (a0, b0), (a1, b1) = self._gain, self._target
            self._gain = (a0 + (a1 - a0) * r, b0 + (b1 - b0) * r)
        self._target, self._fade_i = target, 0

    def _render_piece(self, out: np.ndarray) -> None:
        n = out.shape[0]
        i, (a0, b0), (a1, b1) = self._fade_i, self._gain, self._target
        ramp = self._ramp[i:i + n]
        ga, gb = self._ga[:n], self._gb[:n]
        np.multiply(ramp, a1 - a0, out=ga)
        np.add(ga, a0, out=ga)
        np.multiply(ramp, b1 - b0, out=gb)
        np.add(gb, b0, out=gb)
        self._fade_i = min(self.nfade, i + n)
        self._mix(self._a, self._b, self.pos, ga, gb, out)
        if self._tail_i < self.nfade:
            m, j = min(n, self.nfade - self._tail_i), self._tail_i
            tail, head = self._tailbuf[:m], out[:m]
            self._mix(self._tail_a, self._tail_b, self._tail_pos, ga[:m], gb[:m], tail)
            np.subtract(head, tail, out=head)  # head = tail + (head - tail) * ramp
            np.multiply(head, self._ramp[j:j + m], out=head)
            np.add(head, tail, out=head)
            self._tail_pos += m
            self._tail_i += m
        self.pos += n

    def _mix(self, a: np.ndarray, b: np.ndarray, pos: int, ga: np.ndarray, gb: np.ndarray,
             out: np.ndarray) -> None:
        n = out.shape[0]
        np.multiply(_chunk(a, pos, n, self._sa), ga, out=out)
        tmp = self._tmp[:n]
        np.multiply(_chunk(b, pos, n, self._sb), gb, out=tmp)
        np.add(out, tmp, out=out)


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
        self._a, self._b, self._gen = _EMPTY, _EMPTY, 0
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
