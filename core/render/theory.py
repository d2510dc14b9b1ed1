"""Music theory for the composer: note names, modes and their families, scales, chords.

Pitch classes are ints 0..11 (C = 0); pitches are MIDI note numbers.

Chords are named by roman numerals, read against the mode's *family* scale (major or
natural minor), so ``VI`` in a minor key is the flat sixth, as musicians write it; case
gives the quality (``V`` is major even in minor: the harmonic-minor dominant).  A modal
key then recolours the chords that its mode alters (Gm -> G in D dorian, F#dim -> F in
E phrygian, D -> Dm in G mixolydian) and keeps the ones it cannot recolour into a major
or minor chord as borrowed chords (:func:`with_colour`).  Progressions are
:mod:`core.render.harmony`'s, voicings :mod:`core.render.voicing`'s.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from core.errors import TwintrackError

__all__ = ["NOTE_NAMES", "MODE_STEPS", "MINOR_FAMILY", "Scale", "Chord", "pitch_class",
           "family", "resolve_mode", "make_chord", "chord_from_numeral", "with_colour",
           "tonic_triad"]

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_ENHARMONIC = {"DB": 1, "EB": 3, "GB": 6, "AB": 8, "BB": 10, "CB": 11, "FB": 4, "E#": 5,
               "B#": 0}
MODE_STEPS: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10), "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10), "lydian": (0, 2, 4, 6, 7, 9, 11),
}
MINOR_FAMILY = frozenset({"minor", "dorian", "phrygian"})

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
    name = NOTE_NAMES[root] + shape.get(tuple(intervals),
                                        "(" + ",".join(map(str, intervals)) + ")")
    return name if bass == root else f"{name}/{NOTE_NAMES[bass]}"


def make_chord(root: int, intervals: tuple[int, ...], bass: int | None = None) -> Chord:
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
    return make_chord(root, tuple(ivs), bass)


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
            return with_colour(make_chord(chord.root, (0, 5, 7), chord.bass), scale)
        return chord  # would become diminished: keep it as a borrowed chord
    shift = {(chord.root + a) % 12: (chord.root + b) % 12 for a, b in zip(chord.intervals, moved)}
    return make_chord(chord.root, tuple(moved), shift.get(chord.bass, chord.bass))


def _modal_move(root: int, interval: int, scale: Scale, fam: Scale) -> int:
    """Move a family-scale tone onto the mode's altered degree (one semitone)."""
    if scale.contains(root + interval):
        return interval
    # Prefer the semitone that is the mode's own note (C# -> C in D mixolydian, not D).
    for d in sorted((1, -1), key=lambda d: fam.contains(root + interval + d)):
        if scale.contains(root + interval + d):
            return interval + d
    return interval


def tonic_triad(scale: Scale) -> tuple[int, int, int]:
    """Pitch classes of the key's tonic triad: tonic, third, fifth of the mode."""
    return scale.pcs[0], scale.pcs[2], scale.pcs[4]
