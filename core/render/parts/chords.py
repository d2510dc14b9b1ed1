"""Chord parts: comping (block chords, strums, fingerpicking, power chords, stabs,
Rhodes, ostinati) and sustained pads (with the tonic drone over a pedal and the dark
cluster of a negative mood), voice-led from chord to chord.
"""

from __future__ import annotations

import numpy as np

from core.render import patterns as pt
from core.render.parts.context import (PartContext, Raw, add_note, bar_notes, final_hold,
                                       final_strokes, metric_accent, part_register, swung)
from core.render.theory import Chord, Scale, family
from core.render.voicing import pedal, rub, voice_chord

__all__ = ["write_chords"]


def _spread(ctx: PartContext, role: str) -> int:
    """Voicing spread: close and dark at low valence, open and bright at high."""
    base = {"chords": 14, "pad": 19, "pad2": 19}.get(role, 14)
    return base + 5 * (ctx.style.valence - 1) + (7 if ctx.style.register == "wide" else 0)


def _comp_kind(ctx: PartContext, role: str, group: str) -> str:
    """How a chord instrument plays: sustained pad, block chords, strums, stabs ..."""
    sustained = group in ("strings", "synth_pad", "choir_pad", "organ", "brass", "woodwinds")
    if role != "chords" or (sustained and ctx.idiom != "house"):
        if ctx.idiom == "cinematic" and group == "strings" and ctx.level >= 3 and role == "chords":
            return "ostinato"
        return "pad"
    if ctx.idiom == "house":
        return "stabs"
    if group == "acoustic_guitar":
        # Folk fingerpicks its quiet songs (thumb on the beats, fingers between).
        return "pick" if ctx.idiom == "folk" and ctx.busy <= 2 else "strum"
    if group == "electric_guitar":
        if ctx.idiom == "corporate":
            return "muted"  # palm-muted eighth-note chugs under the piano ostinato
        # Rock plays power chords; a positive mood rings out open, full major chords.
        return "power" if ctx.idiom == "rock" and ctx.style.sentiment != "positive" else "strum"
    if group == "electric_piano" or ctx.idiom in ("lofi", "jazz"):
        return "rhodes"
    return "block"


def write_chords(ctx: PartContext, role: str, group: str, rng: np.random.Generator,
                 out: Raw) -> None:
    """Comping or pad chords, voice-led, then the held final chord of an ending."""
    kind = _comp_kind(ctx, role, group)
    if kind in ("pad", "ostinato") and role == ctx.pulse and ctx.busy <= 1:
        kind = "portato"  # sustained instruments re-strike the chord on every beat
    lo, hi = part_register(ctx, role)
    if kind == "strum":
        lo, hi = lo - 10, hi - 2  # guitar chords sit lower and wider
    voices, spread = (5, 24) if kind == "strum" else (4, _spread(ctx, role))
    vel = ctx.vel * (0.72 if kind in ("pad", "ostinato", "portato") else 0.8)
    prev: tuple[int, ...] | None = None
    if kind == "pad":
        notes = [(b0, min(b1, ctx.stop) - b0, 0.9, "R") for b0, b1, _ in ctx.spans
                 if b0 < ctx.stop]
        # Pads recede as the band drives (and leave the attacks to the rhythm section).
        vel *= (1.0, 1.0, 0.85, 0.6, 0.45)[ctx.level]
    else:
        pulse_cell = role == ctx.pulse and ctx.busy <= 1 and kind != "pick"
        cell = pt.parse_cell(pt.PULSE_CELL if pulse_cell else pt.COMP_CELLS[kind][ctx.busy],
                             ctx.ts)
        notes = [(b, d, a * metric_accent(ctx, b) if role == ctx.pulse else a, c)
                 for bar in range(ctx.bars) for b, d, a, c in bar_notes(ctx, bar, cell)]
    for beat, dur, acc, _ in notes:
        chord = ctx.chord_at(beat)
        if role == "pad" and (chord.bass == ctx.scale.tonic != chord.root
                              or ctx.idiom == "celtic" or ctx.style.sentiment == "neutral"):
            # Over a tonic pedal the pad holds the drone; the chords play the colour.
            # A celtic pad holds it throughout, as pipes would, and so does the pad of a
            # neutral mood: static, modal harmony over an open-fifth drone.
            for p in pedal(chord, ctx.scale, lo):
                add_note(ctx, out, role, beat, dur, p, vel * acc * rng.normal(1.0, 0.05))
            continue
        prev = voice_chord(chord, prev, low=lo, high=hi, voices=voices, spread=spread,
                           favour=_favour(ctx.scale, chord))
        v = vel * acc * rng.normal(1.0, 0.05)
        _comp_notes(ctx, out, role, kind, swung(ctx, beat), dur, prev, chord, v, rng)
        if kind == "pad" and ctx.style.sentiment == "negative":
            _cluster(ctx, out, role, beat, dur, prev, chord, v)
    hold = final_hold(ctx)
    if hold:
        final = voice_chord(ctx.chord_at(hold[0]), prev, low=lo, high=hi, voices=voices,
                            spread=spread, favour=_favour(ctx.scale, ctx.chord_at(hold[0])))
        for beat, length, fade in final_strokes(ctx, role, hold):
            for i, p in enumerate(final):  # a gentle roll into the last chord
                add_note(ctx, out, role, beat + 0.04 * i * (kind == "strum"), length, p,
                         vel * fade)


def _cluster(ctx: PartContext, out: Raw, part: str, beat: float, dur: float,
             voicing: tuple[int, ...], chord: Chord, vel: float) -> None:
    """The tension of a negative mood: a sustained part adds a diatonic minor second
    (:func:`core.render.voicing.rub`) next to the low voices of its chord, a dark
    cluster that stays in the key."""
    pc = rub(chord, ctx.scale)
    if pc is None or not voicing:
        return
    for p in voicing[:2]:
        step = (pc - p + 6) % 12 - 6  # signed semitones to the nearest pitch of class pc
        if abs(step) == 1:
            add_note(ctx, out, part, beat, dur, p + step, vel * 0.8)
            return


def _favour(scale: Scale, chord: Chord) -> tuple[int, int]:
    """Doublings that keep the key clear: the minor tonic triad in root position doubles
    its third (the note that tells minor from major, which the tonic's own overtones
    blur), every
    other chord the key's tonic, then the note that tells the key from its nearest
    rival (the fifth against the relative major in minor, the third elsewhere)."""
    if family(scale.mode) == "minor":
        if chord.root == chord.bass == scale.tonic and len(chord.pcs) == 3 \
                and scale.pcs[2] in chord.pcs:
            return scale.pcs[2], scale.pcs[0]
        return scale.pcs[0], scale.pcs[4]
    return scale.pcs[0], scale.pcs[2]


def _comp_notes(ctx: PartContext, out: Raw, part: str, kind: str, beat: float, dur: float,
                voicing: tuple[int, ...], chord: Chord, vel: float,
                rng: np.random.Generator) -> None:
    if kind == "power":  # root, fifth, octave; palm-muted short notes when driving
        root = voicing[0] - (voicing[0] - chord.root) % 12
        root += 12 if root < 40 else 0
        length = dur * (0.55 if ctx.level >= 3 else 0.95)
        for p in (root, root + 7, root + 12):
            add_note(ctx, out, part, beat, length, p, vel)
        if ctx.style.sentiment == "negative":  # the minor second that grinds on the fifth
            _cluster(ctx, out, part, beat, length, (root + 7, root + 12), chord, vel * 0.8)
        return
    if kind == "pick":  # fingerpicking: the thumb alternates the low strings on one and
        # three, the fingers pick the upper strings between; every note rings on
        step = int(round((beat % ctx.ts) * 2))
        idx = (0, 3, 4, 2, 1, 3, 4, 2)[step % 8]
        pitch = voicing[min(idx, len(voicing) - 1)]
        add_note(ctx, out, part, beat, min(dur * 3.0, 1.5), pitch,
                 vel * (1.0 if step % 2 == 0 else 0.8))
        return
    if kind == "muted":  # the lower strings, palm-muted: short and dull
        for p in voicing[:3]:
            add_note(ctx, out, part, beat, min(dur * 0.35, 0.3), p, vel * 0.9)
        return
    if kind == "strum":  # down-strokes low to high on the beat, lighter up-strokes between
        up = abs(beat % 1.0 - 0.5) < 0.01
        strings = voicing[::-1][:4] if up else voicing
        gap = 0.012 / ctx.spb
        for i, p in enumerate(strings):
            add_note(ctx, out, part, beat + i * gap, dur * 0.95, p, vel * (0.75 if up else 1.0))
        return
    length = {"stabs": min(dur, 0.3), "ostinato": dur * 0.5, "rhodes": dur * 0.9,
              "block": dur * 0.92, "portato": dur * 0.8}.get(kind, dur)
    for p in voicing:
        add_note(ctx, out, part, beat, length, p, vel * float(rng.normal(1.0, 0.03)))
