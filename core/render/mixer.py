"""The mixer: note events and part settings in, a finished stereo render out.

Speed comes from a per-render note cache (:mod:`core.render.sampler`, a sampler built
on the fly): every distinct (instrument, pitch, velocity bucket) is synthesised once,
and this module places a copy per event with its exact gain and note-off release
(drum hits with per-piece pans and hi-hat choke).  The parts are panned (with
mono-compatible width) into a dry stereo sum and a mono reverb send, which
:mod:`core.render.master` finishes: reverb, optional filter sweep, saturation,
compression, loudness normalisation and limiting.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from functools import lru_cache
from typing import Sequence

import numpy as np

from core.progress import Reporter
from core.render import drums
from core.render.dsp import linear_ramp
from core.render.events import MixSpec, NoteEvent, PartSpec
from core.render.instruments import DRUM_GROUPS, VOICES, velocity_gain
from core.render.master import add_reverb, master_chain, sweep
from core.render.sampler import NoteCache, tone_sos

__all__ = ["render_mix"]

logger = logging.getLogger(__name__)

VEL_BUCKETS = np.array([0.35, 0.65, 0.95])
_BUCKETS = tuple(float(b) for b in VEL_BUCKETS)
DRUM_VARIANTS = 4


def _bucket(velocity: float) -> float:
    """The nearest of :data:`VEL_BUCKETS` (the first of a tie, like ``argmin``)."""
    return min(_BUCKETS, key=lambda b: abs(b - velocity))


def _pan_gains(pan: float) -> tuple[float, float]:
    """Equal-power pan law: -3 dB per side at centre."""
    theta = (np.clip(pan, -1, 1) + 1) * np.pi / 4
    return float(np.cos(theta)), float(np.sin(theta))


def _instrument(event: NoteEvent, spec: PartSpec) -> str:
    for name in (event.instrument, spec.instrument):
        if name in VOICES or name in DRUM_GROUPS:
            return name
    logger.warning("unknown instrument %r in part %r; using synth_lead", event.instrument,
                   spec.name)
    return "synth_lead"


# -- placing notes -----------------------------------------------------------------------

def _spans(events: list[NoteEvent], instrument: str, n: int, sr: int,
           offset: float = 0.0) -> list[tuple]:
    """(key, start, note-on samples, samples needed, gain) of each audible event
    (``offset`` seconds are added to every start)."""
    out = []
    if instrument in DRUM_GROUPS:
        for e in events:
            s = int(round((e.start + offset) * sr))
            variant = ((s * 2654435761 + e.pitch * 40503) >> 13) % DRUM_VARIANTS
            key = (instrument, int(e.pitch), _bucket(e.velocity), variant)
            if 0 <= s < n:
                out.append((key, s, 0, n - s, velocity_gain(e.velocity)))
        return out
    n_rel, min_on = int(VOICES[instrument].release * sr), int(0.01 * sr)
    for e in events:
        s, on = int(round((e.start + offset) * sr)), max(int(round(e.duration * sr)), min_on)
        need = min(on + n_rel, n - s)
        if need > 0 and s + need > 0:
            key = (instrument, int(e.pitch), _bucket(e.velocity))
            out.append((key, s, on, need, velocity_gain(e.velocity)))
    return out


@lru_cache(maxsize=64)
def _release_curve(n: int) -> np.ndarray:
    """Note-off fade over ``n`` samples: exponential-like with zero slope at both ends
    (no kink, no splatter)."""
    x = np.linspace(0, 1, n, dtype=np.float32)
    r = (1 + 2 * x) * np.exp(-2 * x) * 0.5 * (1 + np.cos(np.float32(np.pi) * x))
    r.flags.writeable = False
    return r


def _place_pitched(bus: np.ndarray, spans: list[tuple], instrument: str,
                   cache: NoteCache) -> tuple[int, int]:
    """Add notes (exact gain, note-off release curve) into the mono ``bus``; returns the
    range ``[lo, hi)`` of samples written."""
    release = _release_curve(max(int(VOICES[instrument].release * cache.sr), 1))
    first, last = bus.size, 0
    scratch = np.empty(max((min(sp[3], cache.notes[sp[0]].size) for sp in spans), default=0),
                       dtype=np.float32)           # one buffer for every note's copy
    for key, s, on, need, gain in spans:
        body = cache.notes[key]
        end = min(need, body.size)
        seg = np.multiply(body[:end], np.float32(gain), out=scratch[:end])
        if on < end:
            seg[on:end] *= release[:end - on]
        lo = max(-s, 0)
        bus[s + lo:s + end] += seg[lo:]
        first, last = min(first, s + lo), max(last, s + end)
    return first, max(first, last)


def _place_drums(bus: np.ndarray, spans: list[tuple], pan: float,
                 cache: NoteCache) -> tuple[int, int]:
    """Add drum hits into the stereo ``bus`` (2, n) with per-piece pans (a closed hat
    chokes a ringing open hat); returns the range ``[lo, hi)`` of samples written."""
    sr = cache.sr
    first, last = bus.shape[1], 0
    closed = np.sort([s for (_, k, _, _), s, *_ in spans if k in (42, 44)])
    size = max((min(sp[3], cache.notes[sp[0]].size) for sp in spans), default=0)
    scratch = np.empty((2, size), dtype=np.float32)   # reused by every hit
    pans: dict[tuple[str, int], tuple[np.float32, np.float32]] = {}
    for (kit, k, vb, var), s, _, need, gain in spans:
        hit = cache.notes[(kit, k, vb, var)]
        end = min(hit.size, need)
        seg = np.multiply(hit[:end], np.float32(gain), out=scratch[0, :end])
        nxt = np.searchsorted(closed, s + 1)
        if k == 46 and kit != "orchestral_percussion" and nxt < closed.size:
            cut = int(closed[nxt] - s)
            fade = linear_ramp(1, 0, int(0.01 * sr))[:max(end - cut, 0)]
            seg[cut:cut + fade.size] *= fade
            seg[cut + fade.size:] = 0
        if (kit, k) not in pans:
            gl, gr = _pan_gains(pan + 0.8 * drums.drum_pan(kit, k) * (1 - abs(pan)))
            pans[kit, k] = np.float32(gl), np.float32(gr)
        gl, gr = pans[kit, k]
        tmp = scratch[1, :end]
        bus[0, s:s + end] += np.multiply(seg, gl, out=tmp)
        bus[1, s:s + end] += np.multiply(seg, gr, out=tmp)
        first, last = min(first, s), max(last, s + end)
    return first, max(first, last)


def _add_panned(dry: np.ndarray, mono: np.ndarray, width: float, pan: float, sr: int,
                lo: int = 0, hi: int | None = None) -> None:
    """Add a mono bus to ``dry`` (2, n), panned, with mono-compatible width (a Haas-
    delayed copy added left and subtracted right, so the mono sum is unchanged).
    Only ``mono[lo:hi]`` may be non-zero (the rest would add nothing)."""
    hi = mono.size if hi is None else hi
    gl, gr = (np.float32(g) for g in _pan_gains(pan))
    tmp = np.empty(max(hi - lo, 0), dtype=np.float32)
    dry[0, lo:hi] += np.multiply(mono[lo:hi], gl, out=tmp)
    dry[1, lo:hi] += np.multiply(mono[lo:hi], gr, out=tmp)
    if width > 0:
        d = int(0.013 * sr)
        end = min(hi, mono.size - d)
        if end > lo:
            side = np.multiply(mono[lo:end], np.float32(0.45 * width))
            dry[0, lo + d:end + d] += np.multiply(side, gl, out=tmp[:end - lo])
            dry[1, lo + d:end + d] -= np.multiply(side, gr, out=tmp[:end - lo])


def _groups(events: Sequence[NoteEvent], parts: Sequence[PartSpec]) -> tuple[dict, dict]:
    """Events grouped per (part, instrument), and the part specs (defaults added)."""
    specs = {p.name: p for p in parts}
    groups: dict[tuple[str, str], list[NoteEvent]] = defaultdict(list)
    for e in events:
        if e.part not in specs:
            logger.warning("event for undeclared part %r; mixing it with defaults", e.part)
            specs[e.part] = PartSpec(e.part, e.instrument)
        groups[(e.part, _instrument(e, specs[e.part]))].append(e)
    return dict(sorted(groups.items())), specs


def _render_parts(events: Sequence[NoteEvent], parts: Sequence[PartSpec], n: int,
                  cache: NoteCache, rep: Reporter,
                  offset: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The dry stereo sum (2, n) of all parts and the mono reverb send."""
    groups, specs = _groups(events, parts)
    spans = {g: _spans(evs, g[1], n, cache.sr, offset) for g, evs in groups.items()}
    wanted: dict[tuple, int] = defaultdict(int)
    for sp in spans.values():
        for key, _, _, need, _ in sp:
            wanted[key] = max(wanted[key], need)
    synth_rep, place_rep = rep.split([0.8, 0.2])
    cache.fill(wanted, synth_rep)
    dry = np.zeros((2, n), dtype=np.float32)
    send = np.zeros(n, dtype=np.float32)
    bus = np.zeros((2, n), dtype=np.float32)
    for i, ((part, inst), sp) in enumerate(spans.items()):
        place_rep(i / len(spans), f"mixing {part}")
        spec, gain = specs[part], np.float32(10 ** (specs[part].gain_db / 20))
        # every part touches only the span its notes cover: the rest of the buses
        # would add zeros
        if inst in DRUM_GROUPS:
            lo, hi = _place_drums(bus, sp, spec.pan, cache)
            part = bus[:, lo:hi]
            part *= gain
            dry[:, lo:hi] += part
            send[lo:hi] += np.float32(spec.reverb_send * 0.5) * (part[0] + part[1])
        else:
            mono = bus[0]
            lo, hi = _place_pitched(mono, sp, inst, cache)
            mono[lo:hi] *= gain
            send[lo:hi] += np.float32(spec.reverb_send) * mono[lo:hi]
            _add_panned(dry, mono, VOICES[inst].width, spec.pan, cache.sr, lo, hi)
        bus[:, lo:hi] = 0                       # clean for the next part
    return dry, send


def render_mix(events: Sequence[NoteEvent], parts: Sequence[PartSpec], mix: MixSpec, *,
               length: float, sr: int = 44100, seed: int = 0,
               reporter: Reporter | None = None, workers: int = 2,
               offset: float = 0.0, channels_first: bool = False) -> np.ndarray:
    """Synthesise and mix ``events`` into a stereo render.

    Parameters
    ----------
    events : sequence of NoteEvent
        Notes; those outside ``[0, length)`` (after ``offset``) are cut at the edges.
    parts : sequence of PartSpec
        Mixer settings per part (events of undeclared parts get defaults, logged).
    mix : MixSpec
        Master settings: reverb, saturation, filter, brightness, dynamics.
    length : float
        Seconds; the output has exactly ``round(length * sr)`` frames.
    sr : int
        Sample rate.
    seed : int
        Same inputs and seed give bit-identical output; the seed varies drum hits and
        the noise in voices and reverb.
    reporter : Reporter, optional
        Progress (stages "synthesising <part>", "mixing") and cancellation.
    workers : int
        Threads synthesising notes (1: in the calling thread, for callers that already
        run several mixes at once).  The output does not depend on it.
    offset : float
        Seconds added to every event's start (the events' time origin in the render),
        so a caller need not copy its events to move them.
    channels_first : bool
        Return shape ``(2, frames)`` (the mixer's own layout: no transposing copy).

    Returns
    -------
    numpy.ndarray
        float32, shape ``(round(length * sr), 2)``, every sample within
        +-:data:`core.render.master.CEILING`.

    Raises
    ------
    core.errors.Cancelled
        The reporter's caller cancelled.
    ValueError
        ``length`` is negative or not finite, or ``sr`` is not positive.
    """
    if not np.isfinite(length) or length < 0 or sr <= 0:
        raise ValueError(f"need length >= 0 and sr > 0, got length={length!r}, sr={sr!r}")
    rep = reporter or Reporter()
    n = int(round(length * sr))
    if n == 0:
        return np.zeros((2, 0) if channels_first else (0, 2), dtype=np.float32)
    synth_rep, mix_rep = rep.split([0.75, 0.25])
    cache = NoteCache(sr, seed, tone_sos(mix, sr), workers)
    dry, send = _render_parts(events, parts, n, cache, synth_rep, offset)
    mix_rep(0.0, "mixing")
    add_reverb(dry, send, mix.reverb, sr, seed)
    if mix.filter == "sweep":
        dry = sweep(dry, mix.brightness, sr)
    mix_rep(0.5, "mixing")
    out = master_chain(dry, mix, sr)
    mix_rep(1.0, "mixed")
    return out if channels_first else np.ascontiguousarray(out.T)
