"""The playback mixer: what the audio callback computes, free of PortAudio.

The :class:`Mixer` mixes the original (A) and its render (B) into output blocks with
the gains of the mode (A, B or A+B), crossfading over ~10 ms at mode switches, seeks,
loop wraps, source swaps, play and pause.  It reads prepared sources only
(:func:`core.playback.sources.prepare_source`) and writes into preallocated scratch
buffers with ``out=`` ufuncs.  Control calls reach it as small command tuples in a
deque that :meth:`Mixer.render` drains at the start of each block, so every change
lands on an exact frame; it writes a ring of *anchors* at every discontinuity (play,
park, seek, wrap, end) that maps output frames to timeline frames.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from core.playback.sources import EMPTY

__all__ = ["Mixer", "MODES", "FADE_SECONDS"]

FADE_SECONDS = 0.010
#: Gains (A, B) per mode.  "AB" halves both so two full-scale sources cannot clip.
MODES = {"A": (1.0, 0.0), "B": (0.0, 1.0), "AB": (0.5, 0.5)}
_ANCHORS = 128


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
        self._a = self._b = self._tail_a = self._tail_b = EMPTY
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
