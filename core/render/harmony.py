"""Harmony of a region: progression families, cadences, chord colours, the chord plan.

A progression family is a loop of roman numerals per mode *family* (major or minor),
optionally with a loop of its own for a church mode; the numerals and their modal
recolouring are :mod:`core.render.theory`'s.  :func:`chord_plan` loops a family in
phrases shaped around the tonic (:func:`phrase_shape`), answers every second phrase
with a cadence (:func:`turnaround`), colours the chords for the idiom and mood
(:func:`coloured`) and ends a piece with the mode's cadence into a held tonic.  How
the chords are voiced is :mod:`core.render.voicing`'s.
"""

from __future__ import annotations

from core.errors import TwintrackError
from core.render.theory import Chord, Scale, chord_from_numeral, family, make_chord, with_colour

__all__ = ["PROGRESSIONS", "Span", "progression", "cadence", "turnaround", "with_seventh",
           "with_add9", "with_add6", "with_open", "coloured", "phrase_shape", "chord_plan"]

#: Progression families: mode (or mode family) -> space-separated roman numerals.
PROGRESSIONS: dict[str, dict[str, str]] = {
    "axis": {"major": "I V vi IV", "minor": "i VI III VII"},
    "doo_wop": {"major": "I vi IV V", "minor": "i VI iv V"},
    "minor_epic": {"major": "I IV vi V", "minor": "i VI III VII"},
    # Pachelbel's stepwise bass in major, the Andalusian cadence in minor.
    "minor_descending": {"major": "I V/3 vi I/5 IV I/3 ii V", "minor": "i VII VI V"},
    # Modal vamps: the mode's colour chord over a tonic pedal (D/C in C lydian).
    "modal_vamp": {"major": "I IV/T", "minor": "i iv/T", "dorian": "i IV7/T",
                   "mixolydian": "I bVII/T", "lydian": "I II/T", "phrygian": "i bII/T"},
    "blues": {"major": "I IV I V7", "minor": "i iv i V7"},
    "drone": {"major": "I Isus2 I Isus4", "minor": "i Isus2 i iv/T", "dorian": "i Isus2 i IV7/T",
              "phrygian": "i bII/T i i", "lydian": "I II/T I I"},
    # Suspensions that resolve: the tonic is heard plain between the sus chords.
    "suspended": {"major": "Isus4 I IVsus2 Vsus4", "minor": "isus4 i VIsus2 VIIsus4"},
    "jazz_ii_v": {"major": "Imaj7 vi7 ii7 V7", "minor": "i7 VImaj7 iiø7 V7",
                  "lydian": "Imaj7 II/T Imaj7 vii7", "mixolydian": "I7 v7 IV I7"},
    # Lament basses: down by step from the tonic (chromatically in major).
    "lament": {"major": "I Imaj7/7 I7/7 IV/3", "minor": "i i7/7 iv/3 V",
               "dorian": "i i7/7 IV/3 i/5"},
    # The Neapolitan over the tonic pedal, then the dominant (its leading-tone dim7 over
    # the root in minor): chromatic on top, the tonic below.
    "chromatic_tension": {"major": "I bII I viiø7", "minor": "i bII i V7b9"},
}

#: The chord that leads into the final tonic, per mode (its characteristic cadence).
_CADENCE = {"major": "V7", "minor": "V7", "dorian": "IV7", "mixolydian": "bVII",
            "lydian": "II", "phrygian": "bII"}

#: A chord of a region's plan: (start beat, end beat, chord).
Span = tuple[float, float, Chord]


def progression(name: str, scale: Scale) -> tuple[Chord, ...]:
    """The chords of progression family ``name`` in ``scale``."""
    if name not in PROGRESSIONS:
        raise TwintrackError(f"unknown progression {name!r}; expected one of "
                             f"{sorted(PROGRESSIONS)}")
    table = PROGRESSIONS[name]
    numerals = table.get(scale.mode) or table[family(scale.mode)]
    return tuple(with_colour(chord_from_numeral(n, scale.tonic, scale.mode), scale)
                 for n in numerals.split())


def cadence(scale: Scale) -> tuple[Chord, Chord]:
    """The mode's cadence: (approach chord, final tonic)."""
    tonic = "I" if family(scale.mode) == "major" else "i"
    return (chord_from_numeral(_CADENCE[scale.mode], scale.tonic, scale.mode),
            chord_from_numeral(tonic, scale.tonic, scale.mode))


def turnaround(chords: tuple[Chord, ...], scale: Scale) -> tuple[Chord, ...]:
    """The loop's answering phrase: it closes with a cadence into the tonic.

    The last two chords become (approach, tonic): the mode's cadence chord, or the
    plagal IV when the loop already has the approach chord just before (I-V-vi-IV
    answers I-V-IV-I).  When the loop already stands on the tonic there, only its last
    chord turns into the approach (ii-V-I-vi answers ii-V-I-V).  Loops of fewer than
    four chords, and loops that already end on the approach chord (the Andalusian
    cadence, the lament), are returned unchanged.
    """
    approach, tonic = cadence(scale)
    if len(chords) < 4 or chords[-1].root == approach.root:
        return chords
    if chords[-2].root == scale.tonic:
        return chords[:-1] + (approach,)
    if chords[-3].root == approach.root:
        plagal = "IV" if family(scale.mode) == "major" else "iv"
        approach = with_colour(chord_from_numeral(plagal, scale.tonic, scale.mode), scale)
    return chords[:-2] + (approach, tonic)


def with_seventh(chord: Chord, scale: Scale) -> Chord:
    """A triad with the scale's seventh above its root added (jazz/lofi colour)."""
    if len(chord.intervals) != 3 or chord.intervals[1] not in (3, 4):
        return chord
    for sev in (10, 11) if chord.intervals[1] == 3 else (11, 10):
        if scale.contains(chord.root + sev):
            return make_chord(chord.root, chord.intervals + (sev,), chord.bass)
    return chord


def with_add9(chord: Chord, scale: Scale) -> Chord:
    """A major or minor triad with its ninth added when the ninth is in the scale."""
    if len(chord.intervals) != 3 or not scale.contains(chord.root + 2):
        return chord
    return make_chord(chord.root, chord.intervals + (14,), chord.bass)


def coloured(chords: tuple[Chord, ...], scale: Scale, colour: str) -> tuple[Chord, ...]:
    """Chords in an idiom's colour.

    ``"sevenths"`` (jazz, lofi): the scale's seventh on every chord but a tonic triad,
    which takes a ninth (a tonic seventh leans towards the relative major, a tonic
    major seventh towards the mediant's minor triad).
    ``"warm"`` (positive moods): an added ninth on a major tonic (ninths elsewhere lean
    towards the dominant key) and added sixths on the other major triads.
    ``"dark"`` (negative moods): added ninths on minor triads, a minor second against
    their third.  ``"open"`` (neutral moods): every chord but the tonic suspended
    (:func:`with_open`), so the key stays clear.  ``"plain"``: unchanged.
    """
    if colour == "sevenths":
        return tuple(with_add9(c, scale) if c.root == scale.tonic and c.intervals in
                     ((0, 3, 7), (0, 4, 7)) else with_seventh(c, scale) for c in chords)
    if colour == "warm":
        return tuple(with_add9(c, scale) if c.intervals == (0, 4, 7) and c.root == scale.tonic
                     else with_add6(c, scale) if c.intervals == (0, 4, 7) else c
                     for c in chords)
    if colour == "dark":
        return tuple(with_add9(c, scale) if c.intervals == (0, 3, 7) else c for c in chords)
    if colour == "open":
        return tuple(c if c.root == scale.tonic else with_open(c, scale) for c in chords)
    return chords


def with_open(chord: Chord, scale: Scale) -> Chord:
    """A major or minor triad with its third replaced by the second (sus2), else the
    fourth (sus4), when the scale has it: neither major nor minor, the open sound of
    neutral moods."""
    if chord.intervals not in ((0, 3, 7), (0, 4, 7)):
        return chord
    for step in (2, 5):
        if scale.contains(chord.root + step):
            return make_chord(chord.root, tuple(sorted((0, step, 7))), chord.bass)
    return chord


def with_add6(chord: Chord, scale: Scale) -> Chord:
    """A major triad with its sixth added when the sixth is in the scale (the warm,
    consonant colour of positive library music)."""
    if chord.intervals != (0, 4, 7) or not scale.contains(chord.root + 9):
        return chord
    return make_chord(chord.root, chord.intervals + (9,), chord.bass)


#: Families whose identity is their bass line: no tonic pedal under them.
_WALKING_BASS = frozenset({"minor_descending", "lament"})


def phrase_shape(chords: tuple[Chord, ...], scale: Scale, *,
                 pedal: bool = True) -> tuple[tuple[float, Chord], ...]:
    """One phrase of a loop as ``(length in chord slots, chord)``: shaped so the tonic is
    the centre of every phrase, even in modal and relative-major-heavy loops.

    * Suspensions resolve: a sus chord before the last slot gives the second half of its
      slot to its plain triad (Isus4-I, IVsus2-IV), so every chord's third is heard.
    * In the minor family a bII before the last slot is a neighbour chord: it gives the
      second half of its slot back to the tonic.
    * The phrase closes on the tonic: a last chord that is not the tonic gives the
      second half of its slot to it (IV-I, V-i, bVII-i, viio7-i), so the tonic holds
      the first and the last beats of every phrase.
    * Tonic pedal: in the minor family the relative-major chords (III, VI) and a
      chromatic bII sit over the tonic in the bass (VI6, III/1 = i7, the phrygian bII
      over its pedal), and so do a root-position bVII (minor) or V (major) in the first
      half of the phrase; the chord that closes the phrase keeps its own bass.  Not
      with ``pedal=False`` (a descending bass line is the point of the loop).
    """
    tonic, n = scale.tonic, len(chords)
    minor = family(scale.mode) == "minor"
    out: list[tuple[float, Chord]] = []
    home = chords[0] if chords[0].root == tonic else _tonic_chord(scale)
    for i, c in enumerate(chords):
        rel = (c.root - tonic) % 12
        under = rel in (1, 3, 8) if minor else False
        under |= 2 * i < n and rel == (10 if minor else 7) and c.bass == c.root
        if pedal and under and i < n - 1 and c.bass != tonic:
            c = make_chord(c.root, c.intervals, tonic)
        plain = _resolved(c, scale)
        if minor and rel == 1 and i < n - 1:  # a neighbour chord: bII/T - i
            plain = home
        if plain is not None and i < n - 1:
            out += [(0.5, c), (0.5, plain)]
        else:
            out.append((1.0, c))
    last = chords[-1]
    if n > 1 and last.root != tonic:
        w, c = out.pop()
        out += [(w / 2, c), (w / 2, _resolved(home, scale) or home)]
    return tuple(out)


def _resolved(chord: Chord, scale: Scale) -> Chord | None:
    """The plain triad a sus chord resolves to (its third from the scale), else None."""
    if chord.intervals not in ((0, 5, 7), (0, 2, 7)):
        return None
    third = 4 if scale.contains(chord.root + 4) else 3
    bass = chord.bass if chord.bass != chord.root else chord.root
    return make_chord(chord.root, (0, third, 7), bass)


def _tonic_chord(scale: Scale) -> Chord:
    return chord_from_numeral("I" if family(scale.mode) == "major" else "i", scale.tonic,
                              scale.mode)


def chord_plan(name: str, scale: Scale, *, ts: int, total: float, harmonic_rhythm: float,
               final: float | None = None, colour: str = "plain") -> tuple[Span, ...]:
    """The harmony of a region as ``(start beat, end beat, chord)`` spans.

    Parameters
    ----------
    name : str
        Progression family; it loops in phrases (one pass of the loop each, shaped by
        :func:`phrase_shape`), every second phrase answered by :func:`turnaround` (a
        drone just loops, at least two bars per chord).
    scale : Scale
    ts : int
        Beats per bar.
    total : float
        Region length in beats (need not be whole bars).
    harmonic_rhythm : float
        Chord changes per bar.
    final : float, optional
        Beat of the last downbeat of a piece: the mode's cadence leads into a tonic
        held from there to the end.
    colour : str
        See :func:`coloured`.
    """
    loop = progression(name, scale)
    answer = loop if name == "drone" else turnaround(loop, scale)
    phrases = []
    for p in (loop, answer):
        shaped = phrase_shape(p, scale, pedal=name not in _WALKING_BASS)
        phrases.append(tuple(zip((w for w, _ in shaped),
                                 coloured(tuple(c for _, c in shaped), scale, colour))))
    span = ts / min(max(harmonic_rhythm, 0.125), 4.0)
    if name == "drone":
        span = max(span, 2.0 * ts)
    spans: list[Span] = []
    t, k = 0.0, 0
    while t < total - 1e-9:
        for w, c in phrases[k % 2]:
            if t >= total - 1e-9:
                break
            end = min(t + w * span, total)
            if spans and spans[-1][2] == c:  # the same chord continues over the bar line
                spans[-1] = (spans[-1][0], end, c)
            else:
                spans.append((t, end, c))
            t = end
        k += 1
    if final is None:
        return tuple(spans)
    approach, tonic = cadence(scale)
    pre = max(final - min(span, float(ts)), 0.0)
    kept = [(a, min(b, pre), c) for a, b, c in spans if a < pre - 1e-9]
    if kept and kept[-1][2].root == approach.root and kept[-1][1] - kept[-1][0] > ts + 1e-9:
        # The loop already stands on the approach chord: return home for a bar first, so
        # the cadence is heard as one (bII/T - i - bII - i, not four bars of bII).
        a, b, c = kept.pop()
        kept += [(a, b - ts, c), (b - ts, b, _tonic_chord(scale))]
    if final > pre:
        kept.append((pre, final, approach))
    return tuple(kept) + ((final, total, tonic),)
