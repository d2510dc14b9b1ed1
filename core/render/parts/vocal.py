"""The voice part of sampled renders (issue 13): a sung lead or a rapped flow.

Real pop, folk and hip-hop records have a voice, and a real-music tagger hears a render
without one as "instrumental".  The voice part is written only when the caller asks for
it (the SoundFont path, which voices it with :mod:`core.render.voice`), so the
synthesised renders keep their notes.  A sung voice sings the tune the melody part
wrote, moved whole into the singer's range; a rapped voice speaks syllables on the
sixteenth grid in two-bar phrases, on a speaking pitch, its stresses on the backbeat.
"""

from __future__ import annotations

import numpy as np

from core.render.parts.context import PartContext, Raw, add_note
from core.render.parts.melody import write_melody
from core.render.voice import delivery_of

__all__ = ["write_vocal", "FLOWS", "SUNG_CENTRE", "RAP_PITCH"]

#: Where the middle of a sung line sits (MIDI) per descriptor genre (pop: a female lead
#: around F4, where A4 read as opera; folk: a male lead around G3, which read as country
#: and folk where D4 read as "female vocalists", so pop: bench.realism).
SUNG_CENTRE = {"pop": 65, "folk": 55}
#: Speaking pitch of the rapper (MIDI 57, A3, 220 Hz: a raised, excited male voice; over
#: bench.realism's seeds 0-3 hip-hop renders were heard right 11 of 20 times at A3 and 8
#: of 20 at F#3).
RAP_PITCH = 57
#: Rap flows, one bar each on the sixteenth grid (upper case: a stressed syllable); the
#: second bar of a phrase ends early for a breath.
FLOWS = (("x.x.X.xxx.x.X.x.", "x.xxX.x.x.x.X..."),
         ("..x.X.x.x.xxX.x.", "x.x.X.x.xxx.X..."),
         ("x.xxX.x.x.x.Xxx.", "x.x.X.xxx...X..."),
         ("xxx.X.x.x.xxX.x.", ".xx.X.x.x.x.X..."))
_RAP_LEGATO = 1.0        # syllables run into each other, as speech does (shorter: blips)
_MIN_STEP = 0.13         # seconds: a faster grid (trap) raps on eighths instead


def write_vocal(ctx: PartContext, role: str, group: str, rng: np.random.Generator,
                out: Raw) -> None:
    """The voice of the region's genre (nothing for genres without one)."""
    delivery = delivery_of(ctx.style.genre)
    if delivery is None:
        return
    if delivery.rapped:
        _rap(ctx, role, rng, out)
    else:
        _sing(ctx, role, rng, out)


def _sing(ctx: PartContext, role: str, rng: np.random.Generator, out: Raw) -> None:
    """The melody part's notes (or a tune of the voice's own when there is none), moved
    by whole octaves so the line's median sits near the genre's centre."""
    tune = [n for n in out if n[4] == "melody"]
    if not tune:
        scratch: Raw = []
        write_melody(ctx, "melody", "", rng, scratch)
        tune = scratch
    if not tune:
        return
    centre = SUNG_CENTRE.get(ctx.style.genre, 65)
    shift = 12 * int(round((centre - float(np.median([n[2] for n in tune]))) / 12))
    for t0, dur, pitch, vel, _ in tune:
        out.append((t0, dur, min(max(pitch + shift, 0), 127), vel, role))


def _rap(ctx: PartContext, role: str, rng: np.random.Generator, out: Raw) -> None:
    """Two-bar phrases of a flow drawn per phrase; the pitch falls through a phrase
    (declination) and lifts on stressed syllables."""
    eighths = ctx.spb / 4 < _MIN_STEP
    step = 0.5 if eighths else 0.25
    bar = ctx.enter(role)
    while bar * ctx.ts < ctx.stop - 1e-9:
        flow = FLOWS[int(rng.integers(len(FLOWS)))]
        for half, cell in enumerate(flow):
            b = bar + half
            for k, ch in enumerate(cell[::2] if eighths else cell):
                if ch == ".":
                    continue
                beat = b * ctx.ts + k * step
                if beat >= ctx.stop - 1e-9 or k * step >= ctx.ts:
                    break
                if k % 2 and not eighths:
                    beat += ctx.swing16
                lift = 2 if ch.isupper() else int(rng.integers(-1, 2))
                fall = -3 * (half * ctx.ts + k * step) / (2 * ctx.ts)
                vel = ctx.vel * (1.0 if ch.isupper() else 0.8) * rng.normal(1.0, 0.06)
                add_note(ctx, out, role, beat, step * _RAP_LEGATO,
                         RAP_PITCH + lift + int(round(fall)), vel)
        bar += 2

