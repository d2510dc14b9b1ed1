"""Drum patterns, fills and rhythm cells for the composer.

Drum patterns are written like a step sequencer: one string of 16 sixteenth-note steps
per lane per 4/4 bar, one letter per hit; the letter says which General MIDI
percussion key and how hard (upper case accented, lower case normal)::

    K k kick 36   S s g snare 38 (g = ghost)   P p clap 39   R r rim 37
    C c h closed hat 42   O o open hat 46   Y y ride 51   Z z shaker 70
    B b cowbell 56   T t low tom 45   M m mid tom 47   U u high tom 50   X crash 49

Each drum style has a bar for each activity level 0..4 (0 = a sparse pulse, 4 = busy
hats and syncopated kicks).  Bars in other metres are derived by rule (kick on one,
backbeat on the later beats, hats by level).  Rhythm cells for the pitched parts are
strings on an even grid over a 4/4 bar: ``X``/``x`` an onset (accented/normal), ``-``
holds the previous note, ``.`` is a rest; the string length sets the grid (8 = eighths,
16 = sixteenths).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import TwintrackError

__all__ = ["DRUM_STYLES", "KICK", "SNARE", "CRASH", "LOW_TOM", "MID_TOM", "HIGH_TOM",
           "DrumHit", "Cell", "drum_bar", "fill", "parse_cell", "swing_of", "COMP_CELLS",
           "BASS_CELLS", "PULSE_CELL", "motif_rhythm",
           "drum_track", "Motif", "make_motif"]

KICK, SNARE, CLAP, RIM, CLOSED_HAT, OPEN_HAT, CRASH, RIDE = 36, 38, 39, 37, 42, 46, 49, 51
LOW_TOM, MID_TOM, HIGH_TOM, SHAKER, COWBELL = 45, 47, 50, 70, 56
_LETTERS = {
    "K": (KICK, 1.0), "k": (KICK, 0.75), "S": (SNARE, 1.0), "s": (SNARE, 0.7),
    "g": (SNARE, 0.3), "P": (CLAP, 0.95), "p": (CLAP, 0.65), "R": (RIM, 0.9), "r": (RIM, 0.6),
    "C": (CLOSED_HAT, 0.85), "c": (CLOSED_HAT, 0.6), "h": (CLOSED_HAT, 0.4),
    "O": (OPEN_HAT, 0.85), "o": (OPEN_HAT, 0.6), "Y": (RIDE, 0.85), "y": (RIDE, 0.6),
    "Z": (SHAKER, 0.75), "z": (SHAKER, 0.5), "B": (COWBELL, 0.8), "b": (COWBELL, 0.55),
    "T": (LOW_TOM, 0.95), "t": (LOW_TOM, 0.65), "M": (MID_TOM, 0.9), "m": (MID_TOM, 0.6),
    "U": (HIGH_TOM, 0.9), "u": (HIGH_TOM, 0.6), "X": (CRASH, 0.9),
}

# style -> level 0..4 -> lanes.  Read a column as one sixteenth of the bar.  Every bar
# marks the beat of the asked tempo: half-time feels (trap, halftime) keep their hats on
# its eighths, light kits put the shaker on its beats before they subdivide.
_KIT: dict[str, tuple[tuple[str, ...], ...]] = {
    "light": (("k...............",),
              ("k.......k.......", "....r.......r...", "Z...z...Z...z..."),
              ("K.......k.......", "....R.......R...", "Z...Z...Z...Z...", "..z.......z....."),
              ("K.......K.k.....", "....S.......S...", "c.c.c.c.c.c.c.c.", "z.z.z.z.z.z.z.z."),
              ("K.....k.K.k.....", "....S..g....S..g", "cccCcccCcccCcccC", "z.z.z.z.z.z.z.z.")),
    "full": (("k...............",),
             ("K.......K.......", "....S.......S...", "c...c...c...c..."),
             ("K.......K.......", "....S.......S...", "C.c.C.c.C.c.C.c."),
             ("K.....k.K.k.....", "....S......gS...", "C.c.C.c.C.c.C.o."),
             ("K.k...k.K.k...k.", "....S..g.g..S..g", "CcccCcccCcccCcoc")),
    "halftime": (("k...............",),
                 ("K...............", "........S.......", "c...c...c...c..."),
                 ("K.....k.........", "........S.......", "C.c.C.c.C.c.C.c."),
                 ("K.....k...k.....", "........S......g", "C.c.C.c.C.c.C.o."),
                 ("K.k...k...k..k..", "......g.S..g...g", "CcccCcccCcccCcoc")),
    "breakbeat": (("k...............",),
                  ("K.........k.....", "....S.......S...", "c...c...c...c..."),
                  ("K.k.......k.....", "....S.......S...", "C.c.C.c.C.c.C.c."),
                  ("K.k.......kk....", "....S..g.g..S..g", "C.c.C.c.C.c.O.c."),
                  ("K.k...k...kk..k.", "....S.gg.g.gS.gg", "CcCcCcCcCcCcOcCc")),
    "four_on_the_floor": (("k...............",),
                          ("K...K...K...K...", "....P.......P..."),
                          ("K...K...K...K...", "....P.......P...", "..o...o...o...o."),
                          ("K...K...K...K...", "....P.......P...", "..O...O...O...O.",
                           "hchchchchchchchc"),
                          ("K...K...K...K...", "....P.......P..p", "..O...O...O...O.",
                           "hchchchchchchchc", "z.Z.z.Z.z.Z.z.Z.")),
    "trap": (("k...............",),
             ("K...............", "........P.......", "c...c...c...c..."),
             ("K......k..k.....", "........P.......", "C.c.C.c.C.c.C.c."),
             ("K......k..k...k.", "........P.......", "C.c.C.c.C.c.C.cc"),
             ("K......k.kk...k.", "........P.......", "C.c.C.c.C.c.C.cc", "....r.......r...")),
    "boom_bap": (("k...............",),
                 ("K.........K.....", "....S.......S...", "c...c...c...c..."),
                 ("K.........K.....", "....S.......S...", "C.c.C.c.C.c.C.c."),
                 ("K......k..K.....", "....S..g....S..g", "C.c.C.c.C.c.C.o."),
                 ("K.k....k.kK.....", "....S..g.g..S..g", "CcCcCcCcCcCcCcoc")),
    "orchestral": (("T...............",),
                   ("T.......t.......",),
                   ("K.......K.......", "T...t...T...t..."),
                   ("K.......K.......", "T.t.M.t.T.t.M.tt", "......g.......g."),
                   ("K.....k.K.....k.", "TttMTttMTttMTtUu", "g.g.s.g.g.g.s.gg")),
}
DRUM_STYLES = ("none",) + tuple(_KIT)

@dataclass(frozen=True)
class DrumHit:
    """One hit in a bar: position in sixteenth steps from the downbeat, key, velocity."""

    step: float
    key: int
    velocity: float


def swing_of(style: str, *, lofi: bool = False, jazz: bool = False) -> tuple[float, float]:
    """Swing of a drum style as (off-beat sixteenth delay, off-beat eighth delay) in beats.

    Boom bap swings its sixteenths (about 58 %); lofi and jazz feels swing eighths
    (about 60 % and a triplet feel); everything else is straight.
    """
    s16 = {"boom_bap": 0.08, "breakbeat": 0.03}.get(style, 0.0)
    s8 = 0.16 if jazz else (0.1 if lofi else 0.0)
    return s16, s8


def _lanes(lanes: tuple[str, ...]) -> tuple[DrumHit, ...]:
    return tuple(DrumHit(float(i), *_LETTERS[ch]) for lane in lanes
                 for i, ch in enumerate(lane) if ch != ".")


_BARS = {style: tuple(_lanes(lv) for lv in levels) for style, levels in _KIT.items()}


def drum_bar(style: str, level: int, beats: int = 4) -> tuple[DrumHit, ...]:
    """The hits of one bar of ``style`` at activity ``level`` (0..4) in ``beats``/4."""
    if style not in _BARS:
        raise TwintrackError(f"unknown drum style {style!r}; expected one of {DRUM_STYLES}")
    level = min(max(int(level), 0), 4)
    if beats == 4:
        return _BARS[style][level]
    return _odd_bar(style, level, beats)


def _odd_bar(style: str, level: int, beats: int) -> tuple[DrumHit, ...]:
    """A bar in another metre: kick on one, backbeats on the later beats, hats by level."""
    low = (LOW_TOM if style == "orchestral" else KICK)
    hits = [DrumHit(0.0, low, 0.95 if level else 0.7)]
    if level == 0:
        return tuple(hits)
    back = RIM if style == "light" else (CLAP if style in ("four_on_the_floor", "trap")
                                         else SNARE)
    for b in range(1, beats):
        hits.append(DrumHit(4.0 * b, back, 0.8 if b == beats - 1 else 0.55))
    if level >= 3 and beats > 2:
        hits.append(DrumHit(4.0 * (beats - 1) + 2, KICK, 0.7))
    step = {1: 4, 2: 2, 3: 2, 4: 1}[level]
    hat = SHAKER if style == "light" else (LOW_TOM if style == "orchestral" else CLOSED_HAT)
    for s in range(0, 4 * beats, step):
        hits.append(DrumHit(float(s), hat, 0.8 if s % 4 == 0 else 0.5))
    return tuple(hits)


def fill(style: str, *, beats: float, level: int, rng: np.random.Generator) -> tuple[DrumHit, ...]:
    """A fill over the last ``beats`` beats of a bar (steps relative to the fill's start).

    Rock kits roll down the toms, electronic styles build a snare roll, trap rolls its
    hats in thirty-seconds, orchestral percussion rolls the low drums; every fill
    grows louder towards the next downbeat.
    """
    n = int(round(beats * 4))
    if n <= 0:
        return ()
    ramp = np.linspace(0.55, 1.0, n)
    if style in ("full", "breakbeat", "halftime", "light"):
        toms = (SNARE, SNARE, HIGH_TOM, HIGH_TOM, MID_TOM, MID_TOM, LOW_TOM, LOW_TOM)
        keys = [toms[int(i * len(toms) / n)] for i in range(n)]
        hits = [DrumHit(float(i), k, float(v)) for i, (k, v) in enumerate(zip(keys, ramp))]
        return tuple(hits) + (DrumHit(0.0, KICK, 0.8),)
    if style == "trap":
        rate = int(rng.choice([2, 3]))  # thirty-seconds or sixteenth triplets
        hats = [DrumHit(i / rate, CLOSED_HAT, float(0.45 + 0.5 * i / (n * rate)))
                for i in range(n * rate)]
        return tuple(hats) + (DrumHit(0.0, CLAP, 0.9), DrumHit(float(n - 1), KICK, 0.8))
    if style == "boom_bap":
        return (DrumHit(0.0, SNARE, 0.9), DrumHit(2.0, KICK, 0.8), DrumHit(3.0, SNARE, 0.45),
                DrumHit(float(n - 1), SNARE, 0.7))
    if style == "orchestral":
        roll = [DrumHit(i / 2, LOW_TOM, float(0.4 + 0.55 * i / (2 * n))) for i in range(2 * n)]
        return tuple(roll) + tuple(DrumHit(float(i), SNARE, float(v) * 0.7)
                                   for i, v in enumerate(ramp) if level >= 3)
    # four_on_the_floor: a snare build, in sixteenths, on top of the kick.
    return tuple(DrumHit(float(i), SNARE, float(v)) for i, v in enumerate(ramp)) + tuple(
        DrumHit(float(i), KICK, 0.9) for i in range(0, n, 4))


@dataclass(frozen=True)
class Cell:
    """A rhythm cell realised for one bar: onsets, durations (beats), accents and the
    letter written at each onset (bass cells use it to pick the note)."""

    onsets: tuple[float, ...]
    durations: tuple[float, ...]
    accents: tuple[float, ...]
    codes: tuple[str, ...]


def parse_cell(cell: str, beats: float = 4.0) -> Cell:
    """Onsets/durations in beats of a cell string over a bar of ``beats`` beats.

    Any letter is an onset (upper case accented).  The cell describes a 4/4 bar; in
    other metres it is cut (or repeated) at the bar line, and a held note stops there.
    """
    grid = 4.0 / len(cell)
    onsets, durs, acc, codes = [], [], [], []
    for i in range(int(round(beats / grid))):
        ch = cell[i % len(cell)]
        if ch.isalpha():
            onsets.append(i * grid)
            durs.append(grid)
            acc.append(1.0 if ch.isupper() else 0.8)
            codes.append(ch.upper())
        elif ch == "-" and durs:
            durs[-1] += grid
    return Cell(tuple(onsets), tuple(min(d, beats - o) for o, d in zip(onsets, durs)),
                tuple(acc), tuple(codes))


# Comping cells per style, activity levels 0..4 (onset counts rise with the level).
# Driving figures gallop in reverse (two sixteenths, then the eighth): every beat then
# follows a rest, so its attack, not the off-beat's, is the strongest of the figure.
COMP_CELLS: dict[str, tuple[str, ...]] = {
    "block": ("X-------", "X---x---", "X-x-x-x-", "X-xx-xx-", "XxxxXxxx"),
    "strum": ("X-------", "X---x---", "X-x-x-x-", "X-xx-xx-", "X-xxXxxx"),
    "power": ("X-------", "X---X---", "X-x-X-x-", "XxxxXxxx", "XxX.XxX.XxX.XxX."),
    "stabs": ("X-------", "X---x---", ".x.x.x.x", "x.xx.x.x", "x.xxx.x.x.xxx.x."),
    "rhodes": ("X-------", "X-----x-", "X--x--x-", "X--x-xx-", "X-xx-xxx"),
    "ostinato": ("X-------", "X---X---", "X-x-X-x-", "XxxxXxxx", "XxxxXxxxXxxxXxxx"),
    # Fingerpicked guitar: one string per eighth (the composer picks which).
    "pick": ("X-x-x-x-", "X-xxX-xx", "XxxxXxxx", "XxxxXxxxXxxxXxx.", "XxxxXxxxXxxxXxxx"),
    # Palm-muted electric guitar chugs (corporate / motivational).
    "muted": ("X---x---", "X-x-x-x-", "X-xxX-xx", "XxxxXxxx", "XxxxXxxxXxxxXxxx"),
}
# The pulse of quiet, drumless styles: one onset on every beat, the downbeat accented.
PULSE_CELL = "X-x-x-x-"
# Bass cells: R root, F fifth, O octave, A approach to the next chord, as onsets
# (onset counts rise strictly with the level, so activity always shows).
BASS_CELLS: dict[str, tuple[str, ...]] = {
    "basic": ("R-------", "R---F---", "R-R-F-A-", "R--RR-FA", "RRORRRFA"),
    "rock": ("R-------", "R---R---", "R-R-R-A-", "RRRRRRRA", "RrR.RrR.RrR.RrA."),
    "house": ("R-------", "R---R---", ".R.R.R.R", "RR.RRR.R", "R.RRR.RRR.RRR.RA"),
    "synthwave": ("R-------", "R---R---", "R-R-R-R-", "RORORORO", "RRORRRORRRORRROA"),
    "cinematic": ("R-------", "R---R---", "R-R-R-R-", "RRRRRRRR", "RRRRRRRRRRRRRRRA"),
    "walking": ("R-------", "R---F---", "R-F-R-A-", "R-F-ORA-", "RFOARFOA"),
    "funk": ("R-------", "R-----R-", "R--R--FA", "R-.RR.OA", "R.ORR.ORR.ORROFA"),
}


def motif_rhythm(level: int, rng: np.random.Generator, *, on_beat: bool = False) -> str:
    """A one-bar melodic rhythm cell for activity ``level`` (seeded choice); with
    ``on_beat``, only cells whose notes all start on a beat (a slow tune over a pulse
    that nothing else subdivides)."""
    choices = (("X-------", "X---X---"),
               ("X---X---", "X-----x-", "X--x----"),
               ("X-x-X---", "X--xX---", ".xX-x-X-", "X-x-x-X-"),
               ("X-xxX-x-", ".xxXx-x-", "X-x-xX-x", "XxX-x-xx"),
               ("XxxxX-xx", "X-xxXxx-", "xxX-xxX-", "XxX-xxxx"))[min(max(level, 0), 4)]
    if on_beat:
        choices = tuple(c for c in choices if all(ch in ".-" for ch in c[1::2])) or ("X-x-X---",)
    return str(rng.choice(choices))


_RINGS = {CRASH: 4.0, RIDE: 1.0, OPEN_HAT: 0.5}
_SWUNG = frozenset({CLOSED_HAT, OPEN_HAT, RIDE, SHAKER, COWBELL})


def drum_track(style: str, *, level: int, bars: int, full_bars: int, beats: int,
               rng: np.random.Generator, enter: int = 0, final_bar: int | None = None,
               crash_first: bool = False, swing16: float = 0.0,
               swing8: float = 0.0) -> list[tuple[float, int, float, float]]:
    """A region's drum part as ``(beat, key, velocity, duration_beats)`` tuples.

    Parameters
    ----------
    style : str
        Drum style (:data:`DRUM_STYLES`, not ``"none"``).
    level : int
        Activity 0..4.  Level 0 plays every other bar; fills come every 8 bars from
        level 1 and every 4 bars from level 3, with a crash on the downbeat after them
        from level 2.
    bars, full_bars : int
        Bars started in the region, and bars that fit whole.
    beats : int
        Beats per bar.
    rng : numpy.random.Generator
        Velocity humanisation and fill choices.
    enter : int
        First bar that plays (intros bring the drums in late).
    final_bar : int, optional
        The region ends the piece: fill into this bar, crash and kick on its downbeat,
        then let it ring.
    crash_first : bool
        Crash on the first bar played (a section change).
    swing16, swing8 : float
        Delay in beats of off-beat sixteenths / eighths of hats and shakers (kick and
        snare stay on the grid).
    """
    out: list[tuple[float, int, float, float]] = []
    phrase = 4 if level >= 3 else 8
    for b in range(enter, bars):
        if final_bar is not None and b >= final_bar:
            out += [(b * beats, CRASH, 1.0, _RINGS[CRASH]), (b * beats, KICK, 0.95, 0.25)]
            break
        if level == 0 and (b - enter) % 2:
            continue
        hits = list(drum_bar(style, level, beats))
        last_full = b == full_bars - 1 and b > enter
        if level >= 1 and (final_bar is not None and b == final_bar - 1
                           or (b + 1) % phrase == 0 or last_full):
            span = 2 if (level >= 4 or b == (final_bar or 0) - 1) and beats >= 3 else 1
            cut = 4 * (beats - span)
            hits = [h for h in hits if h.step < cut]
            hits += [DrumHit(h.step + cut, h.key, h.velocity)
                     for h in fill(style, beats=span, level=level, rng=rng)]
        if (b == enter and crash_first) or (level >= 2 and b > enter and b % phrase == 0):
            hits = [h for h in hits if not (h.step == 0 and h.key in _SWUNG)]
            hits.append(DrumHit(0.0, CRASH, 0.9))
        vel = np.clip(np.array([h.velocity for h in hits]) * rng.normal(1.0, 0.07, len(hits)),
                      0.1, 1.0)
        for h, v in zip(hits, vel):
            out.append((b * beats + _swung(h, swing16, swing8), h.key, float(v),
                        _RINGS.get(h.key, 0.25)))
    return out


def _swung(h: DrumHit, swing16: float, swing8: float) -> float:
    beat = h.step / 4.0
    if h.key not in _SWUNG or h.step != int(h.step):
        return beat
    if int(h.step) % 2 == 1:
        return beat + swing16
    return beat + (swing8 if int(h.step) % 4 == 2 else 0.0)


@dataclass(frozen=True)
class Motif:
    """A melodic idea: onsets and durations in beats, and scale steps from its first note."""

    onsets: tuple[float, ...]
    durations: tuple[float, ...]
    steps: tuple[int, ...]
    bars: int


def make_motif(level: int, beats: int, rng: np.random.Generator, *,
               on_beat: bool = False) -> Motif:
    """A seeded 1-2 bar motif: a rhythm cell per bar and a mostly stepwise contour.

    Steps are mostly seconds; after a leap the line turns back by step (the classic
    gap-fill rule), and it stays within a sixth of its first note.
    """
    bars = 2 if level <= 2 or rng.random() < 0.5 else 1
    onsets: list[float] = []
    durs: list[float] = []
    for b in range(bars):
        cell = parse_cell(motif_rhythm(level, rng, on_beat=on_beat), beats)
        onsets += [b * beats + o for o in cell.onsets]
        durs += list(cell.durations)
    if not onsets:
        onsets, durs = [0.0], [float(beats)]
    steps, pos, last = [0], 0, 0
    for _ in onsets[1:]:
        if abs(last) >= 2:
            move = -int(np.sign(last))
        else:
            move = int(rng.choice([-2, -1, 0, 1, 2], p=[0.12, 0.36, 0.08, 0.32, 0.12]))
        if not -4 <= pos + move <= 5:
            move = -move
        pos += move
        steps.append(pos)
        last = move
    return Motif(tuple(onsets), tuple(durs), tuple(steps), bars)
