"""The composer's part writers: drums, bass, chords and pads, tune, arpeggio, counter line.

Each writer takes the region's :class:`PartContext` (style, scale, chord plan, beat grid,
activity levels), its role and instrument group and a seeded generator, and appends its
notes (in seconds) to a shared list; :data:`WRITERS` maps a role to its writer.
"""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass

import numpy as np

from core.render import patterns as pt
from core.render.events import Style
from core.render.roles import ARP_FIRST
from core.render.theory import Chord, Scale, family, tonic_triad
from core.render.voicing import fit_note, pedal, rub, voice_chord

__all__ = ["PartContext", "Raw", "WRITERS", "INTRO_S", "RELEASE_S", "REGISTER"]

_DRUM_DYNAMICS = {"soft": 0.7, "medium": 0.85, "loud": 1.0}
#: Pitch offset (semitones) of a register tag.
REGISTER = {"low": -5, "mid": 0, "high": 5, "wide": 0}
_VALENCE = (-4, 0, 4)
#: Longest intro (seconds): a lead-in of one or two bars, shorter than the shortest
#: section the form analysis reports (``core.analysis.structure.segment``'s ``min_segment``, 4 s),
#: so the regions of a timeline stay the sections a listener (and the analysis) hears.
INTRO_S = 3.5
#: The final chord is released this long (seconds) before the end of the piece.
RELEASE_S = 0.5


@dataclass(frozen=True)
class PartContext:
    """Everything the part writers share for one region (beats count from ``start``)."""

    style: Style
    idiom: str
    scale: Scale
    level: int              # activity 0..4 of drums and bass (momentum)
    busy: int               # activity 0..4 of comping, arpeggio and tune
    start: float
    end: float
    spb: float              # seconds per beat
    ts: int
    bars: int
    full_bars: int
    stop: float             # beat where the regular parts stop (the final downbeat)
    ending: bool
    intro: bool
    spans: tuple[tuple[float, float, Chord], ...]
    vel: float
    swing8: float
    swing16: float
    pulse: str = ""         # the role that marks every beat when the drums do not
    groove: int = 0         # activity 0..4 of the bass line (momentum, capped when slow)


    @property
    def total(self) -> float:
        return (self.end - self.start) / self.spb

    @functools.cached_property
    def starts(self) -> tuple[float, ...]:
        """Beat of every chord change (the first is 0)."""
        return tuple(s[0] for s in self.spans)

    def chord_at(self, beat: float) -> Chord:
        i = bisect.bisect_right(self.starts, beat + 1e-9) - 1
        return self.spans[max(i, 0)][2]

    @property
    def intro_bars(self) -> int:
        """Bars of the intro: as many whole bars as fit in :data:`INTRO_S` (none when
        the region is not an intro, is shorter than four bars, or a bar is longer)."""
        if not self.intro or self.bars < 4:
            return 0
        return min(2, int(INTRO_S / (self.ts * self.spb) + 1e-9))

    def enter(self, role: str) -> int:
        """First bar a role plays: drums, tunes and arpeggios come in after the intro (the
        bass, chords, pad and the part that carries the pulse play from the start)."""
        if role in ("bass", "chords", "pad", self.pulse):
            return 0
        return self.intro_bars


Raw = list[tuple[float, float, int, float, str]]


def _add(ctx: PartContext, out: Raw, part: str, beat: float, dur: float, pitch: int,
         vel: float) -> None:
    """Append a note given in beats; drop it if it starts outside the region, cut it at
    the region end, fade it in over the intro (by the note's middle, so
    a held chord does not stay at its fade-in level)."""
    t0 = ctx.start + beat * ctx.spb
    if beat < -1e-9 or t0 >= ctx.end - 1e-6:
        return
    fade = ctx.intro_bars * ctx.ts
    if fade and beat < fade:
        # A long note is heard at the level of its middle, not of its onset.
        vel *= 0.5 + 0.5 * min(beat + dur / 2, fade) / fade
    dur_s = min(dur * ctx.spb, ctx.end - t0)
    if dur_s <= 0:
        return
    out.append((t0, dur_s, min(max(int(pitch), 0), 127),
                float(min(max(vel, 0.05), 1.0)), part))


_ACC = (1.0, 0.9, 0.85, 0.6)  # downbeat, middle beat, other beats, off-beats


def _metric(ctx: PartContext, beat: float) -> float:
    """Metric accent of a pulse note: the downbeat strongest, then the bar's middle beat,
    then the other beats, off-beats lightest."""
    pos = beat % ctx.ts
    if abs(pos) < 1e-6:
        return _ACC[0]
    if abs(pos - round(pos)) > 1e-6:
        return _ACC[3]
    return _ACC[1] if ctx.ts % 2 == 0 and abs(pos - ctx.ts / 2) < 1e-6 else _ACC[2]


def _swing(ctx: PartContext, beat: float) -> float:
    """Swung position of a pitched onset (off-beat eighths in lofi and jazz)."""
    return beat + ctx.swing8 if ctx.swing8 and abs(beat % 1.0 - 0.5) < 1e-6 else beat


def _bar_notes(ctx: PartContext, bar: int, cell: pt.Cell) -> list[tuple[float, float, float, str]]:
    """A cell's notes in bar ``bar`` as (beat, dur, accent, code), split at chord changes
    (the second half restruck as a root) and stopped at ``ctx.stop``."""
    out, base, starts = [], bar * ctx.ts, ctx.starts
    for o, d, a, c in zip(cell.onsets, cell.durations, cell.accents, cell.codes):
        b0, b1 = base + o, min(base + o + d, ctx.stop)
        if b0 >= ctx.stop - 1e-9:
            break
        i, j = (bisect.bisect_right(starts, b0 + 1e-9), bisect.bisect_left(starts, b1 - 1e-9))
        cuts = list(starts[i:j])
        for x0, x1, code in zip([b0] + cuts, cuts + [b1], [c] + ["R"] * len(cuts)):
            out.append((x0, x1 - x0, a if x0 == b0 else 0.8, code))
    return out


def _register(ctx: PartContext, role: str) -> tuple[int, int]:
    off = REGISTER[ctx.style.register] + _VALENCE[ctx.style.valence]
    wide = ctx.style.register == "wide"
    lo, hi = {"bass": (32, 53), "chords": (50, 74), "pad": (55, 81), "pad2": (62, 88),
              "melody": (62, 84), "arp": (55, 79), "counter": (53, 70)}[role]
    if role == "bass":
        # Half the shift, and never below F#1: lower fundamentals are felt, not heard,
        # and their overtones (fifths) would blur the key.
        shift = max(off // 2 - 3 * wide, -2)
        return lo + shift, hi + shift
    # Dark styles sit low, but harmony voiced down in the bass register turns to mud
    # (and its overtones, not its notes, would be heard): at most a major third down.
    off = max(off, -4) + 4 * (wide and role == "melody")
    return lo + off, hi + off


def _spread(ctx: PartContext, role: str) -> int:
    """Voicing spread: close and dark at low valence, open and bright at high."""
    base = {"chords": 14, "pad": 19, "pad2": 19}.get(role, 14)
    return base + 5 * (ctx.style.valence - 1) + (7 if ctx.style.register == "wide" else 0)


def _hold(ctx: PartContext) -> tuple[float, float] | None:
    """The final chord (beat, length) of an ending region, released ``RELEASE_S`` (at
    most a quarter of the hold) before the end: its release and reverb ring into the
    end, so a render does not close on a silence the analysis would report as a section
    of its own."""
    if not ctx.ending or ctx.stop >= ctx.total - 1e-9:
        return None
    length = ctx.total - ctx.stop
    return ctx.stop, length - min(0.25 * length, RELEASE_S / ctx.spb)


def _tail(ctx: PartContext, role: str, hold: tuple[float, float]) -> list[tuple[float, float, float]]:
    """How a part plays the final chord, as (beat, length, level) strokes: held once, or,
    for the part that carries the pulse, re-struck on the beats of its first bars and
    dying away (morendo), the last stroke held to the release."""
    beat0, length = hold
    if role != ctx.pulse:
        return [(beat0, length, 1.0)]
    n = max(min(int(length + 1e-9) - 1, 2 * ctx.ts), 0)
    strokes = [(beat0 + k, 1.0, 1.0 - 0.4 * k / max(n, 1)) for k in range(n)]
    return strokes + [(beat0 + n, length - n, 0.6 if n else 1.0)]


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


def _write_chords(ctx: PartContext, role: str, group: str, rng: np.random.Generator,
                  out: Raw) -> None:
    kind = _comp_kind(ctx, role, group)
    if kind in ("pad", "ostinato") and role == ctx.pulse and ctx.busy <= 1:
        kind = "portato"  # sustained instruments re-strike the chord on every beat
    lo, hi = _register(ctx, role)
    if kind == "strum":
        lo, hi = lo - 10, hi - 2  # guitar chords sit lower and wider
    voices, spread = (5, 24) if kind == "strum" else (4, _spread(ctx, role))
    vel = ctx.vel * (0.72 if kind in ("pad", "ostinato", "portato") else 0.8)
    prev: tuple[int, ...] | None = None
    if kind == "pad":
        notes = [(b0, min(b1, ctx.stop) - b0, 0.9, "R") for b0, b1, _ in ctx.spans if b0 < ctx.stop]
        # Pads recede as the band drives (and leave the attacks to the rhythm section).
        vel *= (1.0, 1.0, 0.85, 0.6, 0.45)[ctx.level]
    else:
        pulse_cell = role == ctx.pulse and ctx.busy <= 1 and kind != "pick"
        cell = pt.parse_cell(pt.PULSE_CELL if pulse_cell else pt.COMP_CELLS[kind][ctx.busy],
                             ctx.ts)
        notes = [(b, d, a * _metric(ctx, b) if role == ctx.pulse else a, c)
                 for bar in range(ctx.bars) for b, d, a, c in _bar_notes(ctx, bar, cell)]
    for beat, dur, acc, _ in notes:
        chord = ctx.chord_at(beat)
        if role == "pad" and (chord.bass == ctx.scale.tonic != chord.root
                              or ctx.idiom == "celtic" or ctx.style.sentiment == "neutral"):
            # Over a tonic pedal the pad holds the drone; the chords play the colour.
            # A celtic pad holds it throughout, as pipes would, and so does the pad of a
            # neutral mood: static, modal harmony over an open-fifth drone.
            for p in pedal(chord, ctx.scale, lo):
                _add(ctx, out, role, beat, dur, p, vel * acc * rng.normal(1.0, 0.05))
            continue
        prev = voice_chord(chord, prev, low=lo, high=hi, voices=voices, spread=spread,
                              favour=_favour(ctx.scale, chord))
        v = vel * acc * rng.normal(1.0, 0.05)
        _comp_notes(ctx, out, role, kind, _swing(ctx, beat), dur, prev, chord, v, rng)
        if kind == "pad" and ctx.style.sentiment == "negative":
            _cluster(ctx, out, role, beat, dur, prev, chord, v)
    hold = _hold(ctx)
    if hold:
        final = voice_chord(ctx.chord_at(hold[0]), prev, low=lo, high=hi, voices=voices,
                               spread=spread, favour=_favour(ctx.scale, ctx.chord_at(hold[0])))
        for beat, length, fade in _tail(ctx, role, hold):
            for i, p in enumerate(final):  # a gentle roll into the last chord
                _add(ctx, out, role, beat + 0.04 * i * (kind == "strum"), length, p, vel * fade)


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
            _add(ctx, out, part, beat, dur, p + step, vel * 0.8)
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
            _add(ctx, out, part, beat, length, p, vel)
        if ctx.style.sentiment == "negative":  # the minor second that grinds on the fifth
            _cluster(ctx, out, part, beat, length, (root + 7, root + 12), chord, vel * 0.8)
        return
    if kind == "pick":  # fingerpicking: the thumb alternates the low strings on one and
        # three, the fingers pick the upper strings between; every note rings on
        step = int(round((beat % ctx.ts) * 2))
        idx = (0, 3, 4, 2, 1, 3, 4, 2)[step % 8]
        pitch = voicing[min(idx, len(voicing) - 1)]
        _add(ctx, out, part, beat, min(dur * 3.0, 1.5), pitch,
             vel * (1.0 if step % 2 == 0 else 0.8))
        return
    if kind == "muted":  # the lower strings, palm-muted: short and dull
        for p in voicing[:3]:
            _add(ctx, out, part, beat, min(dur * 0.35, 0.3), p, vel * 0.9)
        return
    if kind == "strum":  # down-strokes low to high on the beat, lighter up-strokes between
        up = abs(beat % 1.0 - 0.5) < 0.01
        strings = voicing[::-1][:4] if up else voicing
        gap = 0.012 / ctx.spb
        for i, p in enumerate(strings):
            _add(ctx, out, part, beat + i * gap, dur * 0.95, p, vel * (0.75 if up else 1.0))
        return
    length = {"stabs": min(dur, 0.3), "ostinato": dur * 0.5, "rhodes": dur * 0.9,
              "block": dur * 0.92, "portato": dur * 0.8}.get(kind, dur)
    for p in voicing:
        _add(ctx, out, part, beat, length, p, vel * float(rng.normal(1.0, 0.03)))


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


def _write_bass(ctx: PartContext, role: str, group: str, rng: np.random.Generator,
                out: Raw) -> None:
    kind = _bass_kind(ctx)
    cell = _kick_cell(ctx) if kind == "kick" else pt.parse_cell(
        pt.BASS_CELLS[kind][ctx.groove], ctx.ts)
    if role == ctx.pulse and ctx.level <= 1:
        cell = pt.parse_cell(pt.PULSE_CELL, ctx.ts)
    lo, hi = _register(ctx, "bass")
    if group not in ("bass", "synth_bass"):
        lo, hi = lo + 7, hi + 7  # a left hand or cellos, not a bass guitar
    legato = 0.6 if kind in ("house", "synthwave") else 0.92
    prev = lo + 10
    starts = set(ctx.starts)
    for b in range(ctx.bars):
        for beat, dur, acc, code in _bar_notes(ctx, b, cell):
            chord = ctx.chord_at(beat)
            if abs(beat % ctx.ts) < 1e-9 or beat in starts:
                code = "R"  # strong beats and chord changes always sound the chord's bass
            pitch = _bass_pitch(ctx, code, beat, dur, chord, prev, lo, hi)
            if code != "O":
                prev = pitch
            v = ctx.vel * 0.85 * acc * rng.normal(1.0, 0.05)
            _add(ctx, out, role, _swing(ctx, beat), dur * legato, pitch, v)
    hold = _hold(ctx)
    if hold:
        p = _nearest(ctx.chord_at(hold[0]).bass, prev, lo, hi)
        for beat, length, fade in _tail(ctx, role, hold):
            _add(ctx, out, role, beat, length, p, ctx.vel * 0.85 * fade)


def _nearest(pc: int, ref: int, lo: int, hi: int) -> int:
    """The pitch of class ``pc`` nearest ``ref`` inside ``[lo, hi]``."""
    cands = [p for p in range(lo, hi + 1) if p % 12 == pc % 12]
    return min(cands, key=lambda p: abs(p - ref)) if cands else lo + (pc - lo) % 12


def _bass_pitch(ctx: PartContext, code: str, beat: float, dur: float, chord: Chord, prev: int,
                lo: int, hi: int) -> int:
    root = _nearest(chord.bass, prev, lo, hi)
    if code == "F":
        return _nearest(chord.root + 7, root, lo, hi)
    if code == "O":
        return root + 12
    if code == "A":  # step into the next chord's bass from the side we are on
        i = bisect.bisect_right(ctx.starts, beat + 1e-9)
        nxt = ctx.starts[i] if i < len(ctx.starts) else None
        if nxt is None or nxt - (beat + dur) > 1e-6 or ctx.chord_at(nxt).bass == chord.bass:
            return _nearest(chord.root + 7, root, lo, hi)
        target = _nearest(ctx.chord_at(nxt).bass, root, lo, hi)
        return ctx.scale.step(target, -1 if target >= root else 1)
    return root


def _write_melody(ctx: PartContext, role: str, group: str, rng: np.random.Generator,
                  out: Raw) -> None:
    """The motif in 4/8-bar phrases: A, A transposed to fit the chord, A displaced, and a
    cadential A that settles on a long chord tone."""
    # A celtic tune is a reel or jig: a step busier than the band.
    level = min(ctx.busy + 1, 4) if ctx.idiom == "celtic" and ctx.busy >= 2 else ctx.busy
    motif = pt.make_motif(level, ctx.ts, rng, on_beat=bool(ctx.pulse) and ctx.busy <= 1)
    lo, hi = _register(ctx, "melody")
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
            _add(ctx, out, role, _swing(ctx, beat), dur, pitch, v)
            last = pitch
        beat0 += unit
        u += 1
    hold = _hold(ctx)
    if hold:  # end on the tonic (or the nearest tone of the final chord)
        final = ctx.chord_at(hold[0])
        pitch = min((p for p in range(lo, hi + 1) if p % 12 in final.pcs),
                    key=lambda p: (abs(p - last) + 3 * (p % 12 != ctx.scale.tonic)))
        _add(ctx, out, role, hold[0], hold[1], pitch, ctx.vel * 0.9)


def _articulation(ctx: PartContext, legato: float) -> float:
    """How long a tune's notes are held: dark moods bind them (legato), bright moods with
    momentum detach them (staccato), calm bright ones keep the idiom's touch."""
    if ctx.style.valence == 0:
        return max(legato, 0.98)
    if _detached(ctx):
        return legato * _DETACHED
    return legato


#: Note-length factor of detached playing (bright tunes and arpeggios with momentum).
_DETACHED = 0.6


def _detached(ctx: PartContext) -> bool:
    """Bright (valence 2) and moving (momentum 2+): tunes and arpeggios play detached."""
    return ctx.style.valence == 2 and ctx.style.momentum >= 2


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


def _write_arp(ctx: PartContext, role: str, group: str, rng: np.random.Generator,
               out: Raw) -> None:
    """Broken chords: synth arpeggios run up in sixteenths, harps and guitars roll and
    pick in eighths; each chord restarts the figure."""
    fast = ctx.idiom in ("synthwave", "electronic", "house") and ctx.busy >= 2
    rate = {0: 2.0, 1: 1.0, 2: 0.5, 3: 0.5, 4: 0.25}[ctx.busy] / (2 if fast else 1)
    order = {"acoustic_guitar": (0, 2, 1, 3, 1, 2)}.get(group, (0, 1, 2, 3, 2, 1)
                                                        if not fast else (0, 1, 2, 3))
    ring = (1.0 if fast else 1.8) * (_DETACHED if _detached(ctx) else 1.0)
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
    lo, _ = _register(ctx, "arp")
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
                acc, i = _metric(ctx, t), int(round(t / rate)) % (len(order) if ostinato
                                                                   else ctx.ts)
            v = ctx.vel * 0.7 * acc * rng.normal(1.0, 0.06)
            pitch = seq[order[i % len(order)]]
            _add(ctx, out, role, _swing(ctx, t), min(rate * ring, b1 - t), pitch, v)
            t, i = t + rate, i + 1
    hold = _hold(ctx)
    if hold and prev:
        final = voice_chord(ctx.chord_at(hold[0]), prev, low=lo, high=lo + 16, voices=3,
                               spread=12)
        tail = _tail(ctx, role, hold)
        if len(tail) > 1:  # the pulse picks on through the last chord, dying away
            seq = final + (final[0] + 12,)
            for k, (beat, length, fade) in enumerate(tail):
                _add(ctx, out, role, beat, length, seq[order[k % len(order)]],
                     ctx.vel * 0.7 * fade * _metric(ctx, beat))
        else:
            for j, p in enumerate(final):
                _add(ctx, out, role, hold[0] + 0.25 * j, hold[1] - 0.25 * j, p, ctx.vel * 0.6)


def _write_counter(ctx: PartContext, role: str, group: str, rng: np.random.Generator,
                   out: Raw) -> None:
    """A guide-tone line (the chord's third or seventh), held, restruck every bar when busy."""
    lo, hi = _register(ctx, "counter")
    prev, begin = (lo + hi) // 2, ctx.enter(role) * ctx.ts
    for b0, b1, chord in ctx.spans:
        b0, b1 = max(b0, begin), min(b1, ctx.stop)
        guide = chord.pcs[3] if len(chord.pcs) > 3 else chord.pcs[1]
        prev = _nearest(guide, prev, lo, hi)
        step = float(ctx.ts) if ctx.level >= 2 else b1 - b0
        t = b0
        while t < b1 - 1e-9 and step > 0:
            _add(ctx, out, role, t, min(step, b1 - t), prev, ctx.vel * 0.6 * rng.normal(1, 0.05))
            t += step
    hold = _hold(ctx)
    if hold:
        _add(ctx, out, role, hold[0], hold[1], _nearest(ctx.chord_at(hold[0]).pcs[1], prev, lo, hi),
             ctx.vel * 0.55)


def _write_drums(ctx: PartContext, role: str, group: str, rng: np.random.Generator,
                 out: Raw) -> None:
    style = ctx.style.drum_style
    level = ctx.level
    if role == "percussion" or (group == "orchestral_percussion" and style != "orchestral"):
        # A second drum group adds a layer; orchestral percussion plays its own idiom.
        style = "orchestral" if group == "orchestral_percussion" else "light"
        level = max(level - (role == "percussion"), 0)
    keymap: dict[int, int] = {}
    if ctx.idiom == "pastoral" and group == "orchestral_percussion":
        # Nature films: light hand percussion (congas, bongos, shaker, triangle), not drums.
        style, keymap = "light", _HAND_PERCUSSION
    elif ctx.idiom == "corporate":
        keymap = {pt.SNARE: pt.CLAP}  # the motivational backbeat is a clap
    elif ctx.idiom == "celtic" and group == "drum_kit":
        keymap = _BODHRAN
    enter = ctx.enter(role)
    hits = pt.drum_track(style, level=level, bars=ctx.bars, full_bars=ctx.full_bars,
                         beats=ctx.ts, rng=rng, enter=enter,
                         final_bar=int(ctx.stop // ctx.ts) if ctx.ending else None,
                         crash_first=role == "drums" and (level >= 1 and not ctx.intro
                                                          or level >= 2 and enter > 0),
                         swing16=ctx.swing16, swing8=ctx.swing8)
    gain = _DRUM_DYNAMICS[ctx.style.dynamics] * (0.8 if role == "percussion" else 1.0)
    tuning = keymap or (_timpani(ctx.scale) if group == "orchestral_percussion" else {})
    for beat, key, vel, dur in hits:
        if role == "percussion" and key == pt.KICK and style != "orchestral":
            continue  # the kit already has the kick; a second one would flam
        _add(ctx, out, role, beat, dur, tuning.get(key, key), vel * gain)


# GM keys of the light kit played as hand percussion: low conga for the kick, bongos for
# snare and rim, tambourine for the hats, an open triangle for the crash, congas for toms.
_HAND_PERCUSSION = {pt.KICK: 64, pt.SNARE: 60, pt.RIM: 62, pt.CLOSED_HAT: 54, pt.OPEN_HAT: 54,
                    pt.CRASH: 81, pt.LOW_TOM: 64, pt.MID_TOM: 63, pt.HIGH_TOM: 62}


# A celtic kit: the snare and toms are a frame drum (bodhran, played as toms), the hats
# and ride a shaker.
_BODHRAN = {pt.SNARE: pt.LOW_TOM, pt.CLOSED_HAT: pt.SHAKER, pt.OPEN_HAT: pt.SHAKER,
            pt.RIDE: pt.SHAKER, pt.HIGH_TOM: pt.MID_TOM}


def _timpani(scale: Scale) -> dict[int, int]:
    """Orchestral percussion plays its toms as timpani, which sound at their MIDI pitch
    (keys 41-53): tune low/mid/high to tonic, dominant and upper tonic-or-dominant."""
    tonic = 41 + (scale.tonic - 41) % 12
    fifth = tonic + 7 if tonic + 7 <= 53 else tonic - 5
    return {pt.LOW_TOM: tonic, pt.MID_TOM: fifth,
            pt.HIGH_TOM: tonic + 12 if tonic + 12 <= 53 else max(tonic, fifth)}


WRITERS = {"drums": _write_drums, "percussion": _write_drums, "bass": _write_bass,
            "chords": _write_chords, "pad": _write_chords, "pad2": _write_chords,
            "melody": _write_melody, "arp": _write_arp, "counter": _write_counter}
