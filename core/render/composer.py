"""The rule-based composer: a style, tempo and key in, an arrangement of notes out.

:func:`compose_region` writes one region of a render timeline.  Bars start exactly at
``start`` at the region's tempo; the region need not hold a whole number of bars (the
last bar is cut, or holds the final chord when the region ends the piece).

How a style becomes music
-------------------------
* **Harmony** (:mod:`core.render.harmony`): the progression family in the key's mode
  (:mod:`core.render.theory`), one chord per ``1 / harmonic_rhythm`` bars, voice-led
  (:mod:`core.render.voicing`), in phrases that open and close
  on the tonic (:func:`core.render.harmony.phrase_shape`: tonic pedal under the
  relative-major and Neapolitan chords, suspensions that resolve); a cadence into a
  held tonic when the region ends the piece.  Jazz and lofi add sevenths, bright
  valence adds ninths.  Over a tonic pedal the pad holds the tonic drone.
* **Roles** (:mod:`core.render.roles`): the instrument groups are dealt out to drums,
  bass, chords, pad, melody and arpeggio (:func:`~core.render.roles.assign_roles`);
  leftover groups double as extra pads or a guide-tone counter line, so every group
  given is heard.
* **Activity**: momentum (refined by rhythmic density) picks the level 0..4 of every
  part's rhythm cell and drum bar (:mod:`core.render.patterns`): sustained chords and
  a sparse pulse at 0, sixteenths, fills and driving bass at 4.  Below 90 BPM the
  pitched parts stay on the beat grid (level 2 at most) and leave eighths to the hats.
* **Pulse**: every beat of the asked tempo is marked.  When the drums cannot (none, or
  activity 0..1) a plucked or struck part carries it (:func:`~core.render.roles.pulse_role`):
  a broken chord in quarter notes, quarter-note chords or strums, re-struck pads;
  it plays from the first bar, comes forward in the mix while the sustained parts
  step back, keeps the tune on the beats and picks on through the final chord.
* **Valence**: the register (dark and low .. open and high), the voicing spread,
  added ninths, and the mix brightness.
* **Genre idiom** (:func:`flavour`): strummed guitars for folk (fingerpicked when
  quiet), power chords for rock, stabs and off-beat bass for house, swung Rhodes comping
  for lofi, arpeggiated synths and octave bass for synthwave, sustained strings and
  ostinati for cinematic, an 808 bass that follows the kick for hip-hop.  Library
  styles that share instruments with those get their own idiom: *pastoral* (nature
  documentaries: a short-plucked harp ostinato in eighths, woodwind tunes, light hand
  percussion instead of orchestral drums), *corporate* (a piano eighth-note ostinato,
  palm-muted guitar chugs, pumping bass, claps, added ninths), *celtic* (a drone pad,
  triplet-swung eighths for the jig's lilt, a tune a step busier than the band, a
  bodhran and shaker for the kit), *suspense* (a ticking high ostinato over held
  strings), *underscore* (a minimal mallet or piano pulse over pads) and *postrock*
  (ringing, delay-like guitar arpeggios over piano or strings, not power chords).
* **Form**: a seeded 1-2 bar motif, varied in 4/8-bar phrases; an intro is a lead-in of
  the first bar or two (at most :data:`~core.render.parts.context.INTRO_S`) that fades
  in, with drums, tunes and arpeggios entering after it; endings fill into a crash on
  the last downbeat and hold the chord.

The part writers live in :mod:`core.render.parts`; this module sets up a region (scale,
chord plan, activity levels, roles), runs them and mixes the parts.

Everything random comes from ``np.random.default_rng`` seeded per part from ``seed``.
"""

from __future__ import annotations

import logging
import math
import operator
import zlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from core.errors import TwintrackError
from core.render import harmony as hm
from core.render import patterns as pt
from core.render import theory as th
from core.render.events import FILTERS, MixSpec, NoteEvent, PartSpec, Style
from core.render.parts import WRITERS
from core.render.parts.context import REGISTER, PartContext, Raw
from core.render.roles import (DRUM_GROUPS, INSTRUMENT_GROUPS, PLUCKED, assign_roles, flavour,
                               pulse_role)
from core.render.voice import VOICE, delivery_of

__all__ = ["Style", "ChordSpan", "Arrangement", "INSTRUMENT_GROUPS", "DRUM_GROUPS",
           "compose_region", "assign_roles", "flavour"]

log = logging.getLogger(__name__)

_DYNAMICS = {"soft": 0.5, "medium": 0.68, "loud": 0.85}


@dataclass(frozen=True)
class ChordSpan:
    """A chord of the arrangement in absolute seconds (for analysis, tests, lead sheets)."""

    start: float
    end: float
    symbol: str
    root: int
    bass: int
    pcs: tuple[int, ...]


@dataclass(frozen=True)
class Arrangement:
    """A composed region: its notes, its parts and mix, and where its bars and beats are.

    ``bars`` counts the bars started in the region (the last may be partial);
    ``beat_times`` holds every beat in ``[start, start + duration)``.
    """

    events: tuple[NoteEvent, ...]
    parts: tuple[PartSpec, ...]
    mix: MixSpec
    bars: int
    beat_times: tuple[float, ...]
    chords: tuple[ChordSpan, ...] = ()


_SLOW_BPM = 90.0
_PULSE_LEVEL = -1.0  # dB: the part that carries the pulse sits as loud as the bass
_SUSTAIN_CUT = 6.0  # dB


def _mix_shift(role: str, pulse: str, band: dict[str, str]) -> float:
    """Gain change (dB) of a part when a pitched part carries the pulse: the pulse comes
    forward, and sustained parts step back so they do not swallow its attacks."""
    if not pulse:
        return 0.0
    if role == pulse:
        return max(_PULSE_LEVEL - _MIX[role][0], 0.0)
    if band.get(role) not in PLUCKED and role in ("bass", "chords", "pad", "pad2"):
        return -_SUSTAIN_CUT
    return 0.0


# (gain dB, pan, reverb send) per role.
_MIX = {"drums": (0.0, 0.0, 0.12), "percussion": (-4.0, 0.25, 0.25), "bass": (-1.0, 0.0, 0.05),
        "chords": (-5.0, -0.2, 0.25), "pad": (-9.0, 0.15, 0.45), "pad2": (-11.0, -0.15, 0.5),
        "melody": (-3.0, 0.1, 0.3), "arp": (-8.0, 0.35, 0.35), "counter": (-8.0, -0.35, 0.35),
        "vocal": (0.0, 0.0, 0.2)}


#: Chord colour of a sentiment (:func:`core.render.harmony.coloured`): positive moods add
#: sixths and ninths to their major chords, negative ones ninths to their minor chords (a
#: minor second against the third), neutral ones suspend every chord but the tonic.
_SENTIMENT_COLOUR = {"positive": "warm", "negative": "dark", "neutral": "open"}


def _colour(style: Style, idiom: str) -> str:
    """Chord colour of an idiom and sentiment: sevenths for jazz and lofi, else the
    sentiment's (:data:`_SENTIMENT_COLOUR`)."""
    return "sevenths" if idiom in ("jazz", "lofi") else _SENTIMENT_COLOUR[style.sentiment]


def _check(style: Style, *, tempo: float, duration: float, groups: Sequence[str],
           time_signature: int) -> None:
    problems = []
    if not (math.isfinite(tempo) and 20 <= tempo <= 400):
        problems.append(f"tempo {tempo!r} is not in 20..400 BPM")
    if not (math.isfinite(duration) and duration > 0):
        problems.append(f"duration {duration!r} must be positive")
    if time_signature not in range(2, 8):
        problems.append(f"time signature {time_signature!r} is not 2..7 beats per bar")
    checks = (("mode", style.mode, th.MODE_STEPS), ("progression", style.progression,
              hm.PROGRESSIONS), ("drum_style", style.drum_style, pt.DRUM_STYLES),
              ("register", style.register, REGISTER), ("dynamics", style.dynamics, _DYNAMICS),
              ("filter", style.filter, FILTERS), ("sentiment", style.sentiment,
                                                     _SENTIMENT_COLOUR))
    problems += [f"{name} {value!r} is not one of {sorted(allowed)}"
                 for name, value, allowed in checks if value not in allowed]
    for name, value, top in (("valence", style.valence, 2), ("momentum", style.momentum, 4),
                             ("rhythmic_density", style.rhythmic_density, 4)):
        if value not in range(top + 1):
            problems.append(f"{name} {value!r} is not an integer 0..{top}")
    bad = [g for g in groups if g not in INSTRUMENT_GROUPS]
    if bad:
        problems.append(f"unknown instrument groups {bad}")
    if problems:
        raise TwintrackError(f"cannot compose {style.genre}/{style.subgenre}/{style.mood}: "
                             + "; ".join(problems))


_DEFAULT_BAND = {"cinematic": ("strings", "brass", "harp_pluck", "orchestral_percussion"),
                 "house": ("synth_pad", "synth_bass", "synth_lead", "electronic_drums"),
                 "synthwave": ("synth_pad", "synth_bass", "synth_lead", "electronic_drums"),
                 "folk": ("acoustic_guitar", "bass", "strings", "drum_kit"),
                 "rock": ("electric_guitar", "bass", "drum_kit", "organ"),
                 "pastoral": ("harp_pluck", "woodwinds", "strings", "mallets"),
                 "corporate": ("grand_piano", "electric_guitar", "synth_pad", "synth_bass",
                               "electronic_drums"),
                 "celtic": ("acoustic_guitar", "woodwinds", "harp_pluck", "bass", "drum_kit"),
                 "suspense": ("strings", "synth_pad", "mallets", "synth_bass"),
                 "underscore": ("grand_piano", "mallets", "synth_pad", "synth_bass")}


def compose_region(style: Style, *, tempo: float, tonic: str, mode: str | None, start: float,
                   duration: float, instrument_groups: Sequence[str], seed: int, intro: bool,
                   ending: bool, time_signature: int = 4, voice: bool = False) -> Arrangement:
    """Compose one region of a render timeline.

    Parameters
    ----------
    style : Style
    tempo : float
        Beats per minute; beat 1 of bar 1 falls exactly on ``start``.
    tonic : str
        Key tonic, ``'C'`` .. ``'B'`` in sharps.
    mode : str or None
        The timeline key's mode (``'major'``/``'minor'``); its family wins over the
        style's mode, which colours it (minor + dorian style = dorian).  None: the
        style's mode.
    start, duration : float
        Region in seconds.  No note starts outside ``[start, start + duration)``
        and none sounds past the end.
    instrument_groups : sequence of str
        The band (empty: a default band for the genre).
    seed : int
        Same arguments and seed give the same arrangement.
    intro, ending : bool
        The region opens the piece (thin, fading-in first bars, drums enter late) /
        closes it (fill, crash on the last downbeat, cadence, held final chord).
    time_signature : int
        Beats per bar.
    voice : bool
        Add a vocal part (role ``"vocal"``, instrument :data:`core.render.voice.VOICE`)
        where the style's genre has a voice (:func:`core.render.voice.delivery_of`):
        the sampled renders sing or rap; the other parts' notes do not change.

    Returns
    -------
    Arrangement

    Raises
    ------
    core.errors.TwintrackError
        A style tag, tonic, mode, tempo or instrument group the composer cannot use.
    """
    groups = tuple(instrument_groups)
    _check(style, tempo=tempo, duration=duration, groups=groups, time_signature=time_signature)
    idiom = flavour(style)
    scale = th.Scale(th.pitch_class(tonic), th.resolve_mode(style.mode, mode))
    ts, spb = int(time_signature), 60.0 / float(tempo)
    total = duration / spb
    full = int(math.floor(total / ts + 1e-9))
    bars = max(int(math.ceil(total / ts - 1e-9)), 1)
    final = float(max(full - 1, 0) * ts) if ending else None
    # Momentum sets the level of drums and bass; the rhythmic density tag moves the
    # comping, arpeggio and tune one level up or down when it differs by two or more.
    gap = style.rhythmic_density - style.momentum
    busy = min(max(style.momentum + (abs(gap) >= 2) * int(np.sign(gap)), 0), 4)
    # At a slow tempo an eighth note is already a brisk pulse: the pitched parts stay
    # on the beat grid (level 2 at most) and leave the eighths to the hats.
    groove = style.momentum
    if tempo < _SLOW_BPM and style.drum_style != "none":
        busy, groove = min(busy, 2), min(groove, 2)
    # Celtic tunes lilt: triplet-swung eighths give the jig's long-short feel.
    s16, s8 = pt.swing_of(style.drum_style, lofi=idiom == "lofi",
                          jazz=idiom in ("jazz", "celtic"))
    roles = assign_roles(groups or _DEFAULT_BAND.get(idiom, ("grand_piano", "bass", "drum_kit")),
                         idiom=idiom, drums=style.drum_style != "none")
    pulse, roles = pulse_role(style, roles)
    if voice and delivery_of(style.genre) is not None:
        roles += (("vocal", VOICE),)     # last: it sings the tune the melody part wrote
    spans = hm.chord_plan(style.progression, scale, ts=ts, total=total, final=final,
                          harmonic_rhythm=style.harmonic_rhythm, colour=_colour(style, idiom))
    ctx = PartContext(style=style, idiom=idiom, scale=scale, level=style.momentum, busy=busy,
                      start=start, end=start + duration, spb=spb, ts=ts, bars=bars,
                      full_bars=full, stop=final if final is not None else total,
                      ending=ending, intro=intro, spans=spans, vel=_DYNAMICS[style.dynamics],
                      swing8=s8, swing16=s16, pulse=pulse, groove=groove)
    raw: Raw = []
    for role, group in roles:
        rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(role.encode())])
        WRITERS[role](ctx, role, group, rng, raw)
    instrument = dict(roles)
    events = tuple(NoteEvent(t, d, p, v, part, instrument[part])
                   for t, d, p, v, part in sorted(raw, key=operator.itemgetter(0, 4, 2)))
    reverb = 0.15 if idiom in ("cinematic", "ambient", "suspense") else 0.0
    # The part that carries the pulse comes forward in the mix.
    parts = tuple(PartSpec(role, group, _MIX[role][0] + _mix_shift(role, pulse, dict(roles)),
                           _MIX[role][1], min(_MIX[role][2] + reverb, 1.0))
                  for role, group in roles)
    mix = MixSpec(reverb=float(np.clip(style.reverb, 0, 1)),
                  saturation=float(np.clip(style.saturation, 0, 1)), filter=style.filter,
                  brightness=float(np.clip(style.brightness + 0.08 * (style.valence - 1), 0, 1)),
                  dynamics=style.dynamics)
    beats = tuple(start + i * spb for i in range(int(math.ceil(total - 1e-9))))
    chords = tuple(ChordSpan(start + a * spb, start + b * spb, c.symbol, c.root, c.bass, c.pcs)
                   for a, b, c in ctx.spans)
    log.debug("composed %s (%s, %s %s) %.1f s: %d bars, %d notes", style.mood, idiom,
              th.NOTE_NAMES[scale.tonic], scale.mode, duration, bars, len(events))
    return Arrangement(events, parts, mix, bars, beats, chords)
