"""Voicing: where the notes of the harmony go.

Voice leading picks, for each chord, the voicing inside a register that moves the
voices least from the previous voicing (common tones are held because they cost
nothing); voices are kept sorted, so they never cross.  Also here: the tonic drone a
sustained part holds (:func:`pedal`), the diatonic minor second of a dark cluster
(:func:`rub`) and melody notes moved onto the chord under them (:func:`fit_note`).
"""

from __future__ import annotations

import functools
import itertools

from core.render.theory import Chord, Scale

__all__ = ["voice_chord", "pedal", "rub", "melodic_pcs", "fit_note"]


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


def pedal(chord: Chord, scale: Scale, low: int) -> tuple[int, ...]:
    """The tonic drone a sustained part holds under ``chord`` from ``low`` up: tonic,
    fifth and octave, or the bare octave when the fifth would rub a semitone against a
    chord tone."""
    fifth = (scale.tonic + 7) % 12
    rub = any(abs((fifth - p + 6) % 12 - 6) == 1 for p in chord.pcs)
    root = low + (scale.tonic - low) % 12
    return (root, root + 12) if rub else (root, root + 7, root + 12)


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
