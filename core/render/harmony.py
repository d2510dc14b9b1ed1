"""Music theory for the composer: scales and modes, chords from roman numerals,
progression families, cadences and voice leading.

Pitch classes are ints 0..11 (C = 0); pitches are MIDI note numbers.

A progression family is a loop of roman numerals per mode *family* (major or minor),
optionally with a loop of its own for a church mode.  Numerals are read against the
family scale (major or natural minor), so ``VI`` in a minor key is the flat sixth, as
musicians write it; case gives the quality (``V`` is major even in minor: the
harmonic-minor dominant).  A modal key then recolours the chords that its mode alters
(Gm -> G in D dorian, F#dim -> F in E phrygian, D -> Dm in G mixolydian) and keeps the
ones it cannot recolour into a major or minor chord as borrowed chords.

Voice leading picks, for each chord, the voicing inside a register that moves the
voices least from the previous voicing (common tones are held because they cost
nothing); voices are kept sorted, so they never cross.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

from core.errors import TwintrackError

__all__ = [
    "NOTE_NAMES", "MODE_STEPS", "MINOR_FAMILY", "PROGRESSIONS", "Scale", "Chord",
    "pitch_class", "family", "resolve_mode", "chord_from_numeral", "progression",
    "cadence", "turnaround", "coloured", "phrase_shape", "chord_plan", "with_seventh", "with_add9",
    "with_add6", "with_open", "rub", "with_colour", "melodic_pcs", "fit_note", "tonic_triad", "voice_chord", "pedal",
]

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_ENHARMONIC = {"DB": 1, "EB": 3, "GB": 6, "AB": 8, "BB": 10, "CB": 11, "FB": 4, "E#": 5,
               "B#": 0}
MODE_STEPS: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10), "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10), "lydian": (0, 2, 4, 6, 7, 9, 11),
}
MINOR_FAMILY = frozenset({"minor", "dorian", "phrygian"})

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

_NUMERAL = re.compile(r"^(?P<acc>[b#]?)(?P<deg>VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)"
                      r"(?P<q>o|ø|\+)?(?P<ext>maj7|7b9|7|sus2|sus4|add9|6)?(?:/(?P<inv>[357T]))?$")
_DEGREE = {"i": 0, "ii": 1, "iii": 2, "iv": 3, "v": 4, "vi": 5, "vii": 6}


def pitch_class(name: str) -> int:
    """Pitch class of a note name (``'C'``, ``'F#'``; flats are accepted too)."""
    key = str(name).strip().upper()
    if key in NOTE_NAMES:
        return NOTE_NAMES.index(key)
    if key in _ENHARMONIC:
        return _ENHARMONIC[key]
    raise TwintrackError(f"unknown tonic {name!r}; expected one of {', '.join(NOTE_NAMES)}")


def family(mode: str) -> str:
    """``'minor'`` for the minor-third modes (minor, dorian, phrygian), else ``'major'``."""
    return "minor" if mode in MINOR_FAMILY else "major"


def resolve_mode(style_mode: str, key_mode: str | None) -> str:
    """The mode to compose in: the key's family wins, the style's mode colours it.

    A timeline key in minor with a dorian style gives dorian; a key in major with a
    phrygian style gives major (the families disagree, the key wins).
    """
    if key_mode is None:
        return style_mode
    if key_mode not in MODE_STEPS:
        raise TwintrackError(f"unknown mode {key_mode!r}; expected one of {sorted(MODE_STEPS)}")
    if key_mode in ("major", "minor") and family(style_mode) == key_mode:
        return style_mode
    return key_mode


@dataclass(frozen=True)
class Scale:
    """A tonic and a mode; knows its pitch classes and walks by scale steps."""

    tonic: int
    mode: str

    @functools.cached_property
    def pcs(self) -> tuple[int, ...]:
        return tuple((self.tonic + s) % 12 for s in MODE_STEPS[self.mode])

    @functools.cached_property
    def _ladder(self) -> tuple[int, ...]:
        return tuple(p for p in range(128) if p % 12 in self.pcs)

    def contains(self, pc: int) -> bool:
        return pc % 12 in self.pcs

    def snap(self, pitch: int) -> int:
        """The nearest scale pitch (ties go down)."""
        for d in (0, -1, 1, -2, 2):
            if self.contains(pitch + d):
                return pitch + d
        return pitch

    def step(self, pitch: int, steps: int) -> int:
        """``pitch`` (snapped into the scale) moved by ``steps`` scale degrees."""
        ladder = self._ladder
        i = ladder.index(min(max(self.snap(pitch), ladder[0]), ladder[-1]))
        return ladder[min(max(i + steps, 0), len(ladder) - 1)]


@dataclass(frozen=True)
class Chord:
    """A chord: root pitch class, intervals above it (root first) and the bass pc."""

    root: int
    intervals: tuple[int, ...]
    bass: int
    symbol: str

    @property
    def pcs(self) -> tuple[int, ...]:
        return tuple((self.root + i) % 12 for i in self.intervals)


def _symbol(root: int, intervals: tuple[int, ...], bass: int) -> str:
    shape = {(0, 4, 7): "", (0, 3, 7): "m", (0, 3, 6): "dim", (0, 4, 8): "aug",
             (0, 2, 7): "sus2", (0, 5, 7): "sus4", (0, 4, 7, 10): "7", (0, 3, 7, 10): "m7",
             (0, 4, 7, 11): "maj7", (0, 3, 6, 10): "m7b5", (0, 4, 7, 10, 13): "7b9",
             (0, 3, 6, 9): "dim7",
             (0, 4, 7, 14): "add9", (0, 4, 7, 9): "6", (0, 3, 7, 9): "m6"}
    name = NOTE_NAMES[root] + shape.get(tuple(intervals), "(" + ",".join(map(str, intervals)) + ")")
    return name if bass == root else f"{name}/{NOTE_NAMES[bass]}"


def _make(root: int, intervals: tuple[int, ...], bass: int | None = None) -> Chord:
    bass = root if bass is None else bass
    return Chord(root, intervals, bass, _symbol(root, intervals, bass))


def chord_from_numeral(numeral: str, tonic: int, mode: str) -> Chord:
    """The chord a roman numeral names in a key (see the module docstring)."""
    m = _NUMERAL.match(numeral)
    if m is None:
        raise TwintrackError(f"cannot read the roman numeral {numeral!r}")
    deg = m["deg"]
    root = (tonic + MODE_STEPS[family(mode)][_DEGREE[deg.lower()]]
            + {"b": -1, "#": 1, "": 0}[m["acc"]]) % 12
    q, ext = m["q"] or "", m["ext"] or ""
    third = 4 if deg.isupper() else 3
    fifth = {"o": 6, "ø": 6, "+": 8}.get(q, 7)
    third = 3 if q in ("o", "ø") else third
    ivs = [0, third, fifth]
    if ext == "7":
        ivs.append(9 if q == "o" else 10)
    elif ext == "7b9":  # the dominant with the diminished seventh chord above its root
        ivs += [10, 13]
    elif ext == "maj7":
        ivs.append(11)
    elif ext in ("sus2", "sus4"):
        ivs[1] = 2 if ext == "sus2" else 5
        ivs = [0, ivs[1], 7]
    elif ext == "add9":
        ivs.append(14)
    elif ext == "6":
        ivs.append(9)
    if m["inv"] == "T":  # over a tonic pedal
        bass = tonic % 12
    else:
        bass = root if not m["inv"] else (root + ivs[(int(m["inv"]) - 1) // 2]) % 12
    return _make(root, tuple(ivs), bass)


def with_colour(chord: Chord, scale: Scale) -> Chord:
    """Recolour a chord of the family scale for a church mode (see module docstring)."""
    fam = Scale(scale.tonic, family(scale.mode))
    pcs = chord.pcs
    if scale.mode in ("major", "minor") or not all(fam.contains(p) for p in pcs):
        return chord  # plain keys and deliberate chromatic chords stay as written
    if all(scale.contains(p) for p in pcs) or not scale.contains(chord.root):
        return chord
    moved = [_modal_move(chord.root, i, scale, fam) for i in chord.intervals]
    if (moved[1] % 12, moved[2] % 12) not in ((4, 7), (3, 7), (2, 7), (5, 7)):
        if chord.intervals[:3] == (0, 2, 7):  # a sus2 the mode spoils becomes a sus4
            return with_colour(_make(chord.root, (0, 5, 7), chord.bass), scale)
        return chord  # would become diminished: keep it as a borrowed chord
    shift = {(chord.root + a) % 12: (chord.root + b) % 12 for a, b in zip(chord.intervals, moved)}
    return _make(chord.root, tuple(moved), shift.get(chord.bass, chord.bass))


def _modal_move(root: int, interval: int, scale: Scale, fam: Scale) -> int:
    """Move a family-scale tone onto the mode's altered degree (one semitone)."""
    if scale.contains(root + interval):
        return interval
    # Prefer the semitone that is the mode's own note (C# -> C in D mixolydian, not D).
    for d in sorted((1, -1), key=lambda d: fam.contains(root + interval + d)):
        if scale.contains(root + interval + d):
            return interval + d
    return interval


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
            return _make(chord.root, chord.intervals + (sev,), chord.bass)
    return chord


def with_add9(chord: Chord, scale: Scale) -> Chord:
    """A major or minor triad with its ninth added when the ninth is in the scale."""
    if len(chord.intervals) != 3 or not scale.contains(chord.root + 2):
        return chord
    return _make(chord.root, chord.intervals + (14,), chord.bass)


def melodic_pcs(chord: Chord, scale: Scale) -> frozenset[int]:
    """Pitch classes a melody may use over ``chord``: the scale, minus the scale notes a
    semitone away from a chromatic chord tone (they would clash), plus the chord tones."""
    chromatic = [p for p in chord.pcs if not scale.contains(p)]
    ok = {p for p in scale.pcs if all(abs((p - c + 6) % 12 - 6) != 1 for c in chromatic)}
    return frozenset(ok | set(chord.pcs))


def fit_note(pitch: int, chord: Chord, scale: Scale, *, strong: bool,
             prefer: tuple[int, ...] = ()) -> int:
    """Move a melody note onto the harmony: a chord tone on a strong beat, otherwise a
    note of :func:`melodic_pcs`.  Pitch classes in ``prefer`` (e.g. the tonic triad,
    tonic first, which keeps the key clear) win over nearer ones; ties go up, so lines
    keep their direction."""
    allowed = chord.pcs if strong else melodic_pcs(chord, scale)
    cands = [pitch + d for d in range(-6, 7) if (pitch + d) % 12 in allowed]
    if not cands:
        return pitch

    def cost(p: int) -> tuple[float, int]:
        rank = prefer.index(p % 12) * 0.75 if p % 12 in prefer else (2.5 if prefer else 0.0)
        return abs(p - pitch) + rank, -p

    return min(cands, key=cost)


def pedal(chord: Chord, scale: Scale, low: int) -> tuple[int, ...]:
    """The tonic drone a sustained part holds under ``chord`` from ``low`` up: tonic,
    fifth and octave, or the bare octave when the fifth would rub a semitone against a
    chord tone."""
    fifth = (scale.tonic + 7) % 12
    rub = any(abs((fifth - p + 6) % 12 - 6) == 1 for p in chord.pcs)
    root = low + (scale.tonic - low) % 12
    return (root, root + 12) if rub else (root, root + 7, root + 12)


def tonic_triad(scale: Scale) -> tuple[int, int, int]:
    """Pitch classes of the key's tonic triad: tonic, third, fifth of the mode."""
    return scale.pcs[0], scale.pcs[2], scale.pcs[4]


def voice_chord(chord: Chord, prev: tuple[int, ...] | None, *, low: int, high: int,
                voices: int = 4, spread: int = 14,
                favour: tuple[int, ...] = ()) -> tuple[int, ...]:
    """The voicing of ``chord`` in ``[low, high]`` closest to ``prev`` (sorted pitches).

    Parameters
    ----------
    chord : Chord
    prev : tuple of int or None
        The previous voicing (same number of voices), or None for the first chord
        (then the voicing nearest the middle of the register is taken).
    low, high : int
        Register (MIDI pitches, inclusive).
    voices : int
        Number of notes; the root (then the fifth) is doubled for triads, the fifth is
        dropped first from larger chords.
    spread : int
        Largest interval between the lowest and highest voice (semitones).
    favour : tuple of int
        Pitch classes to double when the chord has them, most wanted first (the key's
        tonic, then its third: stable doublings that also keep the key clear).
    """
    return _voice(chord.pcs, prev, low, high, voices, spread, favour)


def _required(pcs: tuple[int, ...], voices: int) -> frozenset[int]:
    """Chord tones a voicing must contain: all, or without the fifth (then the top
    extensions) when there are more tones than voices."""
    keep = [pcs[0], pcs[1]] + list(pcs[3:]) + [pcs[2]]
    return frozenset(keep[:voices])


@functools.lru_cache(maxsize=8192)
def _voice(pcs: tuple[int, ...], prev: tuple[int, ...] | None, low: int, high: int,
           voices: int, spread: int, favour: tuple[int, ...]) -> tuple[int, ...]:
    need = _required(pcs, voices)
    pitches = [p for p in range(low, high + 1) if p % 12 in pcs]
    centre = (low + high) / 2
    best, best_cost = None, float("inf")
    for notes in itertools.combinations(pitches, voices):
        if notes[-1] - notes[0] > spread or not need <= {n % 12 for n in notes}:
            continue
        cost = _cost(notes, prev, centre)
        # Doubling the third of a major chord sounds heavy; prefer doubling the root.
        third = (pcs[0] + 4) % 12
        cost += 1.0 * max(sum(1 for n in notes if n % 12 == third) - 1, 0)
        for w, pc in zip((3.0, 0.5, 0.25), favour):
            cost -= w * min(sum(1 for n in notes if n % 12 == pc), 2)
        if cost < best_cost:
            best, best_cost = notes, cost
    if best is None:  # register too narrow for the spread: stack upwards from the root
        base = low + (pcs[0] - low) % 12
        best = tuple(sorted(min(base + (pcs[i % len(pcs)] - pcs[0]) % 12 + 12 * (i // len(pcs)),
                                127) for i in range(voices)))
    return best


def _cost(notes: tuple[int, ...], prev: tuple[int, ...] | None, centre: float) -> float:
    mean = sum(notes) / len(notes)
    # Thirds low down sound muddy: penalise close intervals under E3.
    mud = sum(3.0 for a, b in zip(notes, notes[1:]) if a < 52 and b - a < 5)
    if prev is None or len(prev) != len(notes):
        return abs(mean - centre) + mud
    moves = [abs(a - b) for a, b in zip(notes, prev)]
    # Total motion, extra for leaps, and a weak pull back to the centre so a long
    # progression does not drift out of the register.
    return sum(moves) + 0.5 * sum(max(m - 4, 0) for m in moves) + 0.15 * abs(mean - centre) + mud


Span = tuple[float, float, Chord]


def coloured(chords: tuple[Chord, ...], scale: Scale, colour: str) -> tuple[Chord, ...]:
    """Chords in an idiom's colour.

    ``"sevenths"`` (jazz, lofi): the scale's seventh on every chord but a tonic triad,
    which takes a ninth (a tonic seventh leans towards the relative major, a tonic
    major seventh towards the mediant's minor triad).
    ``"warm"`` (positive moods): an added ninth on a major tonic (ninths elsewhere lean
    towards the dominant key) and added sixths on the other major triads.  ``"dark"`` (negative moods): added ninths on minor triads, a minor
    second against their third.  ``"open"`` (neutral moods): every chord but the tonic
    suspended (:func:`with_open`), so the key stays clear.  ``"plain"``: unchanged.
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
            return _make(chord.root, tuple(sorted((0, step, 7))), chord.bass)
    return chord


def with_add6(chord: Chord, scale: Scale) -> Chord:
    """A major triad with its sixth added when the sixth is in the scale (the warm,
    consonant colour of positive library music)."""
    if chord.intervals != (0, 4, 7) or not scale.contains(chord.root + 9):
        return chord
    return _make(chord.root, chord.intervals + (9,), chord.bass)


def rub(chord: Chord, scale: Scale) -> int | None:
    """A scale pitch class a semitone from a tone of ``chord`` (the b6 against the fifth
    of a minor tonic, the 4 against a major third): the diatonic minor second a dark pad
    adds as a low cluster; None when the scale has none."""
    for c in sorted(chord.pcs, key=lambda p: (p - chord.root) % 12 != 7):
        for d in (1, -1):
            p = (c + d) % 12
            if scale.contains(p) and p not in chord.pcs:
                return p
    return None


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
            c = _make(c.root, c.intervals, tonic)
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
    return _make(chord.root, (0, third, 7), bass)


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
