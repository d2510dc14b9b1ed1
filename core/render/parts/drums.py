"""The drum parts: the style's drum track for a kit, a second percussion layer, and
the idioms' own kits (hand percussion for pastoral, a clap backbeat for corporate, a
bodhran and shaker for celtic, timpani tuned to the key for orchestral percussion).
The hits themselves are synthesised by :mod:`core.render.drums`.
"""

from __future__ import annotations

import numpy as np

from core.render import patterns as pt
from core.render.parts.context import PartContext, Raw, add_note
from core.render.theory import Scale

__all__ = ["write_drums"]

_DRUM_DYNAMICS = {"soft": 0.7, "medium": 0.85, "loud": 1.0}


def write_drums(ctx: PartContext, role: str, group: str, rng: np.random.Generator,
                out: Raw) -> None:
    """The drum track of the style (or of the idiom's own kit) at the region's level."""
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
        add_note(ctx, out, role, beat, dur, tuning.get(key, key), vel * gain)


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
