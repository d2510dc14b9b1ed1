"""The bass line: the chord's bass on strong beats and chord changes, fifths,
octaves and approach notes from the idiom's rhythm cell (or the kick drum's pattern
in the 808 idioms).
"""

from __future__ import annotations

import bisect

import numpy as np

from core.render import patterns as pt
from core.render.parts.context import (PartContext, Raw, add_note, bar_notes, final_hold,
                                       final_strokes, nearest_pitch, part_register, swung)
from core.render.theory import Chord

__all__ = ["write_bass"]


def _bass_kind(ctx: PartContext) -> str:
    if ctx.idiom in ("hiphop", "lofi") and ctx.style.drum_style != "none":
        return "kick"
    if ctx.style.mode == "dorian" and ctx.idiom in ("jazz", "lofi", "pop"):
        return "funk"
    return {"rock": "rock", "corporate": "rock", "house": "house", "synthwave": "synthwave",
            "electronic": "synthwave", "cinematic": "cinematic", "ambient": "cinematic",
            "suspense": "cinematic", "underscore": "cinematic",
            "classical": "cinematic", "jazz": "walking"}.get(ctx.idiom, "basic")


def _kick_cell(ctx: PartContext) -> pt.Cell:
    """The 808 idiom: the bass plays with the kick drum."""
    kicks = sorted({h.step / 4 for h in pt.drum_bar(ctx.style.drum_style, ctx.level, ctx.ts)
                    if h.key == pt.KICK} | {0.0})
    ends = kicks[1:] + [float(ctx.ts)]
    return pt.Cell(tuple(kicks), tuple(min(e - k, 2.0) for k, e in zip(kicks, ends)),
                   tuple(1.0 for _ in kicks), tuple("R" for _ in kicks))


def write_bass(ctx: PartContext, role: str, group: str, rng: np.random.Generator,
               out: Raw) -> None:
    """The bass line: the idiom's rhythm cell (the kick's pattern in the 808 idioms)."""
    kind = _bass_kind(ctx)
    cell = _kick_cell(ctx) if kind == "kick" else pt.parse_cell(
        pt.BASS_CELLS[kind][ctx.groove], ctx.ts)
    if role == ctx.pulse and ctx.level <= 1:
        cell = pt.parse_cell(pt.PULSE_CELL, ctx.ts)
    lo, hi = part_register(ctx, "bass")
    if group not in ("bass", "synth_bass"):
        lo, hi = lo + 7, hi + 7  # a left hand or cellos, not a bass guitar
    legato = 0.6 if kind in ("house", "synthwave") else 0.92
    prev = lo + 10
    starts = set(ctx.starts)
    for b in range(ctx.bars):
        for beat, dur, acc, code in bar_notes(ctx, b, cell):
            chord = ctx.chord_at(beat)
            if abs(beat % ctx.ts) < 1e-9 or beat in starts:
                code = "R"  # strong beats and chord changes always sound the chord's bass
            pitch = _bass_pitch(ctx, code, beat, dur, chord, prev, lo, hi)
            if code != "O":
                prev = pitch
            v = ctx.vel * 0.85 * acc * rng.normal(1.0, 0.05)
            add_note(ctx, out, role, swung(ctx, beat), dur * legato, pitch, v)
    hold = final_hold(ctx)
    if hold:
        p = nearest_pitch(ctx.chord_at(hold[0]).bass, prev, lo, hi)
        for beat, length, fade in final_strokes(ctx, role, hold):
            add_note(ctx, out, role, beat, length, p, ctx.vel * 0.85 * fade)


def _bass_pitch(ctx: PartContext, code: str, beat: float, dur: float, chord: Chord, prev: int,
                lo: int, hi: int) -> int:
    root = nearest_pitch(chord.bass, prev, lo, hi)
    if code == "F":
        return nearest_pitch(chord.root + 7, root, lo, hi)
    if code == "O":
        return root + 12
    if code == "A":  # step into the next chord's bass from the side we are on
        i = bisect.bisect_right(ctx.starts, beat + 1e-9)
        nxt = ctx.starts[i] if i < len(ctx.starts) else None
        if nxt is None or nxt - (beat + dur) > 1e-6 or ctx.chord_at(nxt).bass == chord.bass:
            return nearest_pitch(chord.root + 7, root, lo, hi)
        target = nearest_pitch(ctx.chord_at(nxt).bass, root, lo, hi)
        return ctx.scale.step(target, -1 if target >= root else 1)
    return root
