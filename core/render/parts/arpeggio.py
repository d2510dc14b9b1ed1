"""Broken chords: synth arpeggios, rolled and picked harps and guitars, the ostinato
idioms' running eighths, and the quarter-note broken chord of a part that carries
the pulse.
"""

from __future__ import annotations

import math

import numpy as np

from core.render.parts.context import (DETACHED, PartContext, Raw, add_note, detached,
                                       final_hold, final_strokes, metric_accent,
                                       part_register, swung)
from core.render.roles import ARP_FIRST
from core.render.voicing import voice_chord

__all__ = ["write_arp"]


def write_arp(ctx: PartContext, role: str, group: str, rng: np.random.Generator,
              out: Raw) -> None:
    """Broken chords: synth arpeggios run up in sixteenths, harps and guitars roll and
    pick in eighths; each chord restarts the figure."""
    fast = ctx.idiom in ("synthwave", "electronic", "house") and ctx.busy >= 2
    rate = {0: 2.0, 1: 1.0, 2: 0.5, 3: 0.5, 4: 0.25}[ctx.busy] / (2 if fast else 1)
    order = {"acoustic_guitar": (0, 2, 1, 3, 1, 2)}.get(group, (0, 1, 2, 3, 2, 1)
                                                        if not fast else (0, 1, 2, 3))
    ring = (1.0 if fast else 1.8) * (DETACHED if detached(ctx) else 1.0)
    # Ostinato idioms keep running eighths: a pastoral harp plucks them short
    # (pizzicato-like), a corporate piano repeats a bright broken-chord cell.
    ostinato = ctx.idiom in ARP_FIRST and ctx.busy >= 1
    if ostinato:
        rate = 0.5 if ctx.busy <= 3 else 0.25
        order, ring = {"corporate": ((0, 2, 1, 3), 0.9), "suspense": ((3,), 0.3),
                       "postrock": ((0, 1, 2, 3, 2, 1), 2.5),
                       "underscore": ((0, 1, 3, 1, 2, 1), 1.2)}.get(
                           ctx.idiom, ((0, 1, 2, 3, 2, 1), 0.6))
    pulse = role == ctx.pulse and ctx.busy <= 1
    lo, _ = part_register(ctx, "arp")
    if pulse:  # a broken chord in quarter notes, one turn per bar: it marks every beat,
        # an octave above the sustained harmony so the pads do not swallow its attacks
        # Alberti-like: low, high, middle, high (the middle voice, often the third,
        # is heard once a bar, the outer voices carry the chord)
        rate, order = 1.0, (0, 2, 1, 2) if ctx.ts % 2 == 0 else (0, 2, 1)
        if ostinato:  # the eighths mark the beats too
            rate = 0.5
            order = (3,) if ctx.idiom == "suspense" else (0, 2, 1, 2, 3, 2, 1, 2)
        lo = max(lo, min(lo + 12, 72))
    prev: tuple[int, ...] | None = None
    begin = ctx.enter(role) * ctx.ts
    for b0, b1, chord in ctx.spans:
        b0, b1 = max(b0, begin), min(b1, ctx.stop)
        prev = voice_chord(chord, prev, low=lo, high=lo + 16, voices=3, spread=12)
        seq = prev + (prev[0] + 12,)
        t, i = math.ceil(b0 / rate - 1e-9) * rate, 0
        while t < b1 - 1e-9:
            acc = 1.0 if abs(t % 1.0) < 1e-9 else 0.8
            if pulse:
                acc, i = metric_accent(ctx, t), int(round(t / rate)) % (len(order) if ostinato
                                                                        else ctx.ts)
            v = ctx.vel * 0.7 * acc * rng.normal(1.0, 0.06)
            pitch = seq[order[i % len(order)]]
            add_note(ctx, out, role, swung(ctx, t), min(rate * ring, b1 - t), pitch, v)
            t, i = t + rate, i + 1
    hold = final_hold(ctx)
    if hold and prev:
        final = voice_chord(ctx.chord_at(hold[0]), prev, low=lo, high=lo + 16, voices=3,
                            spread=12)
        tail = final_strokes(ctx, role, hold)
        if len(tail) > 1:  # the pulse picks on through the last chord, dying away
            seq = final + (final[0] + 12,)
            for k, (beat, length, fade) in enumerate(tail):
                add_note(ctx, out, role, beat, length, seq[order[k % len(order)]],
                         ctx.vel * 0.7 * fade * metric_accent(ctx, beat))
        else:
            for j, p in enumerate(final):
                add_note(ctx, out, role, hold[0] + 0.25 * j, hold[1] - 0.25 * j, p, ctx.vel * 0.6)
