"""The melodic lines: the tune (a seeded motif varied in 4/8-bar phrases, fitted to
the chords, its contour and articulation set by valence and momentum) and the
guide-tone counter line.
"""

from __future__ import annotations

import numpy as np

from core.render import patterns as pt
from core.render.parts.context import (DETACHED, PartContext, Raw, add_note, detached,
                                       final_hold, nearest_pitch, part_register, swung)
from core.render.theory import tonic_triad
from core.render.voicing import fit_note

__all__ = ["write_melody", "write_counter"]


def write_melody(ctx: PartContext, role: str, group: str, rng: np.random.Generator,
                 out: Raw) -> None:
    """The motif in 4/8-bar phrases: A, A transposed to fit the chord, A displaced, and a
    cadential A that settles on a long chord tone."""
    # A celtic tune is a reel or jig: a step busier than the band.
    level = min(ctx.busy + 1, 4) if ctx.idiom == "celtic" and ctx.busy >= 2 else ctx.busy
    motif = pt.make_motif(level, ctx.ts, rng, on_beat=bool(ctx.pulse) and ctx.busy <= 1)
    lo, hi = part_register(ctx, "melody")
    unit = motif.bars * ctx.ts
    strong = ctx.ts / 2 if ctx.ts % 2 == 0 else ctx.ts
    legato = {"house": 0.6, "cinematic": 1.0, "ambient": 1.0, "suspense": 1.0, "pastoral": 0.75,
              "celtic": 0.8}.get(ctx.idiom, 0.9)
    legato = _articulation(ctx, legato)
    # Valence shapes the contour: dark tunes sink through a phrase, bright ones climb.
    slope = ctx.style.valence - 1
    anchor, last = (lo + hi) // 2, (lo + hi) // 2
    triad, tonic = tonic_triad(ctx.scale), (ctx.scale.tonic,)
    u, beat0 = 0, float(ctx.enter(role) * ctx.ts)
    while beat0 < ctx.stop - 1e-9:
        k = u % 4
        drift = (int(rng.choice([-2, 2])) if slope == 0 else 2 * slope) if k == 1 else 0
        anchor = fit_note(ctx.scale.step(anchor, drift), ctx.chord_at(beat0), ctx.scale,
                          strong=True, prefer=triad)
        anchor = anchor - 12 if anchor > hi - 5 else anchor + 12 if anchor < lo + 3 else anchor
        notes = _variation(motif, k, unit, level, rng)
        for o, d, s in notes:
            beat = beat0 + o
            if beat >= ctx.stop - 1e-9:
                break
            on_beat = abs(o % strong) < 1e-9
            # Strong beats lean on the tonic triad, a phrase's last long note on the tonic.
            prefer = tonic if (k == 3 and o == notes[-1][0]) else triad if on_beat else ()
            s += int(round(slope * 2 * o / unit)) if k != 3 else 0
            pitch = fit_note(ctx.scale.step(anchor, s), ctx.chord_at(beat), ctx.scale,
                             strong=on_beat, prefer=prefer)
            pitch += 12 if pitch < lo else -12 if pitch > hi else 0
            dur = min(d, ctx.stop - beat) * legato
            v = ctx.vel * (1.0 if abs(o % 1.0) < 1e-9 else 0.85) * rng.normal(1.0, 0.05)
            add_note(ctx, out, role, swung(ctx, beat), dur, pitch, v)
            last = pitch
        beat0 += unit
        u += 1
    hold = final_hold(ctx)
    if hold:  # end on the tonic (or the nearest tone of the final chord)
        final = ctx.chord_at(hold[0])
        pitch = min((p for p in range(lo, hi + 1) if p % 12 in final.pcs),
                    key=lambda p: (abs(p - last) + 3 * (p % 12 != ctx.scale.tonic)))
        add_note(ctx, out, role, hold[0], hold[1], pitch, ctx.vel * 0.9)


def _articulation(ctx: PartContext, legato: float) -> float:
    """How long a tune's notes are held: dark moods bind them (legato), bright moods with
    momentum detach them (staccato), calm bright ones keep the idiom's touch."""
    if ctx.style.valence == 0:
        return max(legato, 0.98)
    if detached(ctx):
        return legato * DETACHED
    return legato


def _variation(motif: pt.Motif, k: int, unit: float, level: int,
               rng: np.random.Generator) -> list[tuple[float, float, int]]:
    notes = list(zip(motif.onsets, motif.durations, motif.steps))
    if k == 2 and level >= 2 and rng.random() < 0.6:  # displaced by an eighth
        notes = [(o + 0.5, d, s) for o, d, s in notes if o + 0.5 < unit - 0.25]
    if k == 3:  # first half, then a long note on the nearest chord tone, then breathe
        half = [(o, d, s) for o, d, s in notes if o < unit / 2]
        tail = unit / 2 if half else 0.0
        if half:
            half[-1] = (half[-1][0], min(half[-1][1], tail - half[-1][0]), half[-1][2])
        return half + [(tail, max(unit - tail - 0.5, 0.5), 0)]
    return notes


def write_counter(ctx: PartContext, role: str, group: str, rng: np.random.Generator,
                  out: Raw) -> None:
    """A guide-tone line (the chord's third or seventh), held, restruck every bar when busy."""
    lo, hi = part_register(ctx, "counter")
    prev, begin = (lo + hi) // 2, ctx.enter(role) * ctx.ts
    for b0, b1, chord in ctx.spans:
        b0, b1 = max(b0, begin), min(b1, ctx.stop)
        guide = chord.pcs[3] if len(chord.pcs) > 3 else chord.pcs[1]
        prev = nearest_pitch(guide, prev, lo, hi)
        step = float(ctx.ts) if ctx.level >= 2 else b1 - b0
        t = b0
        while t < b1 - 1e-9 and step > 0:
            add_note(ctx, out, role, t, min(step, b1 - t), prev,
                     ctx.vel * 0.6 * rng.normal(1, 0.05))
            t += step
    hold = final_hold(ctx)
    if hold:
        add_note(ctx, out, role, hold[0], hold[1],
                 nearest_pitch(ctx.chord_at(hold[0]).pcs[1], prev, lo, hi), ctx.vel * 0.55)
