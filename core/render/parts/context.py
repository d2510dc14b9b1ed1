"""What every part writer shares: the region's :class:`PartContext` and note helpers.

A writer appends notes, given in beats from the region's start, through
:func:`add_note` (which fades them in over an intro and cuts them at the region's
end); :func:`bar_notes` lays a rhythm cell over a bar, split at chord changes;
:func:`metric_accent` and :func:`swung` give a note its accent and its swung position;
:func:`part_register` is a role's pitch range for the style; :func:`final_hold` and
:func:`final_strokes` shape the held last chord of a piece.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass

from core.render import patterns as pt
from core.render.events import Style
from core.render.theory import Chord, Scale

__all__ = ["PartContext", "Raw", "INTRO_S", "RELEASE_S", "REGISTER", "DETACHED", "add_note",
           "metric_accent", "swung", "bar_notes", "part_register", "final_hold",
           "final_strokes", "nearest_pitch", "detached"]

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


def add_note(ctx: PartContext, out: Raw, part: str, beat: float, dur: float, pitch: int,
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


def metric_accent(ctx: PartContext, beat: float) -> float:
    """Metric accent of a pulse note: the downbeat strongest, then the bar's middle beat,
    then the other beats, off-beats lightest."""
    pos = beat % ctx.ts
    if abs(pos) < 1e-6:
        return _ACC[0]
    if abs(pos - round(pos)) > 1e-6:
        return _ACC[3]
    return _ACC[1] if ctx.ts % 2 == 0 and abs(pos - ctx.ts / 2) < 1e-6 else _ACC[2]


def swung(ctx: PartContext, beat: float) -> float:
    """Swung position of a pitched onset (off-beat eighths in lofi and jazz)."""
    return beat + ctx.swing8 if ctx.swing8 and abs(beat % 1.0 - 0.5) < 1e-6 else beat


def bar_notes(ctx: PartContext, bar: int, cell: pt.Cell) -> list[tuple[float, float, float, str]]:
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


def part_register(ctx: PartContext, role: str) -> tuple[int, int]:
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


def final_hold(ctx: PartContext) -> tuple[float, float] | None:
    """The final chord (beat, length) of an ending region, released ``RELEASE_S`` (at
    most a quarter of the hold) before the end: its release and reverb ring into the
    end, so a render does not close on a silence the analysis would report as a section
    of its own."""
    if not ctx.ending or ctx.stop >= ctx.total - 1e-9:
        return None
    length = ctx.total - ctx.stop
    return ctx.stop, length - min(0.25 * length, RELEASE_S / ctx.spb)


def final_strokes(ctx: PartContext, role: str,
                  hold: tuple[float, float]) -> list[tuple[float, float, float]]:
    """How a part plays the final chord, as (beat, length, level) strokes: held once, or,
    for the part that carries the pulse, re-struck on the beats of its first bars and
    dying away (morendo), the last stroke held to the release."""
    beat0, length = hold
    if role != ctx.pulse:
        return [(beat0, length, 1.0)]
    n = max(min(int(length + 1e-9) - 1, 2 * ctx.ts), 0)
    strokes = [(beat0 + k, 1.0, 1.0 - 0.4 * k / max(n, 1)) for k in range(n)]
    return strokes + [(beat0 + n, length - n, 0.6 if n else 1.0)]


def nearest_pitch(pc: int, ref: int, lo: int, hi: int) -> int:
    """The pitch of class ``pc`` nearest ``ref`` inside ``[lo, hi]``."""
    cands = [p for p in range(lo, hi + 1) if p % 12 == pc % 12]
    return min(cands, key=lambda p: abs(p - ref)) if cands else lo + (pc - lo) % 12


#: Note-length factor of detached playing (bright tunes and arpeggios with momentum).
DETACHED = 0.6


def detached(ctx: PartContext) -> bool:
    """Bright (valence 2) and moving (momentum 2+): tunes and arpeggios play detached."""
    return ctx.style.valence == 2 and ctx.style.momentum >= 2
