"""The scores of the key and tempo kit: notes with their known key, tempo and meter.

Two sources, both turned into a :class:`Piece` (timed MIDI notes plus the answers):

* :func:`chorale`: a Bach chorale of the ``music21`` corpus, played at a random tempo
  with one random General MIDI program per voice.  Key: the major key of the key
  signature when the final bass note is its tonic, the relative minor when it is that
  tonic, else the key ``music21``'s analysis gives if the final bass note is its tonic;
  otherwise (modal endings) the chorale is skipped.  Beats are quarter notes, downbeats
  the starts of full measures.
* :func:`progression`: a generated pop / common-practice progression (one chord a bar,
  4/4 or 3/4) in a given key, with bass, chords, a melody of chord tones and, on most
  items, drums: the tonic is the first chord of every cycle except in the deliberately
  ambiguous ``vi-IV-I-V`` family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
#: Pitched GM programs (0-based) the kit draws from: keys, organs, guitars, strings,
#: brass, reeds, pipes, synths, mallets, harp.
PROGRAMS = (0, 1, 4, 6, 11, 16, 19, 24, 25, 27, 40, 42, 46, 48, 52, 56, 61, 65, 68, 71,
            73, 80, 81, 88, 89)
BASS_PROGRAMS = (32, 33, 34, 38, 42, 43, 0)
#: Chord cycles: (root above the tonic, quality), ``M`` major, ``m`` minor.
MAJOR_CYCLES = (
    ((0, "M"), (7, "M"), (9, "m"), (5, "M")),  # I V vi IV
    ((0, "M"), (5, "M"), (7, "M"), (0, "M")),  # I IV V I
    ((0, "M"), (9, "m"), (2, "m"), (7, "M")),  # I vi ii V
    ((0, "M"), (5, "M"), (0, "M"), (7, "M")),  # I IV I V
    ((9, "m"), (5, "M"), (0, "M"), (7, "M")),  # vi IV I V (starts on the relative minor)
    ((0, "M"), (10, "M"), (5, "M"), (0, "M")),  # I bVII IV I (mixolydian rock)
)
MINOR_CYCLES = (
    ((0, "m"), (5, "m"), (7, "M"), (0, "m")),  # i iv V i (harmonic)
    ((0, "m"), (8, "M"), (3, "M"), (10, "M")),  # i VI III VII (aeolian)
    ((0, "m"), (10, "M"), (8, "M"), (7, "M")),  # i VII VI V (andalusian)
    ((0, "m"), (5, "m"), (10, "M"), (3, "M")),  # i iv VII III
    ((0, "m"), (8, "M"), (5, "m"), (7, "M")),  # i VI iv V
    ((0, "m"), (7, "m"), (8, "M"), (5, "m")),  # i v VI iv (natural minor)
)


@dataclass(frozen=True)
class Note:
    """One MIDI note: seconds, MIDI channel (9 is drums), pitch, velocity."""

    start: float
    duration: float
    channel: int
    pitch: int
    velocity: int


@dataclass
class Piece:
    """Timed notes and the answers a kit item is scored against."""

    source: str
    key: str  # mir_eval form, e.g. "F# minor"
    tempo: float
    beats: list[float]
    downbeats: list[float]
    seconds: float
    notes: list[Note] = field(default_factory=list)
    programs: dict[int, int] = field(default_factory=dict)
    meter: int = 4
    chords: list[tuple[float, float, str]] = field(default_factory=list)

    def annotation(self) -> dict:
        """The JSON-ready answers (beats and downbeats inside the clip only)."""
        inside = [round(b, 4) for b in self.beats if b < self.seconds]
        return {"source": self.source, "key": self.key, "tempo": round(self.tempo, 3),
                "meter": self.meter, "beats": inside, "seconds": self.seconds,
                "downbeats": [round(b, 4) for b in self.downbeats if b < self.seconds],
                "chords": [[round(s, 4), round(e, 4), c] for s, e, c in self.chords
                           if s < self.seconds],
                "programs": {str(c): p for c, p in self.programs.items()}}


@lru_cache(maxsize=1)
def chorale_paths() -> tuple[Path, ...]:
    """The Bach chorales of the music21 corpus in a fixed order."""
    from music21 import corpus

    return tuple(sorted(p for p in corpus.getComposer("bach") if p.name.startswith("bwv")))


def _chorale_key(score) -> str | None:
    """Key from key signature and final bass note (module doc); None when modal."""
    signatures = score.recurse().getElementsByClass("KeySignature")
    bass = score.parts[-1].flatten().notes
    if not signatures or not bass:
        return None
    last = bass[-1].pitches[0].pitchClass
    for mode in ("major", "minor"):
        key = signatures[0].asKey(mode)
        if key.tonic.pitchClass == last:
            return f"{PITCH_CLASSES[last]} {mode}"
    analysed = score.analyze("key")
    if analysed.tonic.pitchClass == last and analysed.mode in ("major", "minor"):
        return f"{PITCH_CLASSES[last]} {analysed.mode}"
    return None


def chorale(path: Path, rng: np.random.Generator, *, seconds: float) -> Piece | None:
    """A chorale at a random tempo and programs, cut to ``seconds`` (module doc)."""
    from music21 import converter

    score = converter.parse(str(path))
    key = _chorale_key(score)
    if key is None or len(score.parts) < 2:
        return None
    bpm = float(np.round(rng.uniform(60.0, 132.0), 1))
    beat = 60.0 / bpm
    programs = {c: int(rng.choice(PROGRAMS)) for c in range(min(len(score.parts), 4))}
    if rng.random() < 0.5:  # one timbre for all voices, as an organ or a choir would
        programs = {c: programs[0] for c in programs}
    notes = []
    for chan, part in enumerate(score.parts[:4]):
        for n in part.flatten().notes:
            start = float(n.getOffsetInHierarchy(score)) * beat
            for p in n.pitches:
                notes.append(Note(start, float(n.quarterLength) * beat * 0.95, chan, p.midi,
                                  int(rng.integers(60, 100))))
    length = min(float(score.highestTime) * beat, seconds)
    measures = score.parts[0].getElementsByClass("Measure")
    bar = measures[-1].barDuration.quarterLength if measures else 4.0
    downbeats = [float(m.offset) * beat for m in measures
                 if m.duration.quarterLength >= bar and m.number >= 1]
    piece = Piece(f"music21:{path.stem}", key, bpm,
                  list(np.arange(0.0, length, beat)), downbeats, round(length, 3),
                  notes, programs, meter=int(bar))
    if rng.random() < 0.3:
        _add_drums(piece, rng, bars=piece.downbeats, light=True)
    return piece


def progression(i: int, rng: np.random.Generator, *, seconds: float) -> Piece:
    """Item ``i`` of the generated progressions: key ``i % 24`` (C major .. B minor)."""
    tonic, minor = i % 12, (i // 12) % 2 == 1
    cycles = MINOR_CYCLES if minor else MAJOR_CYCLES
    cycle = cycles[(i // 24) % len(cycles)]
    bpm = float(np.round(rng.uniform(68.0, 172.0), 1))
    meter = 3 if rng.random() < 0.2 else 4
    beat, bar = 60.0 / bpm, 60.0 / bpm * meter
    programs = {0: int(rng.choice(BASS_PROGRAMS)), 1: int(rng.choice(PROGRAMS)),
                2: int(rng.choice(PROGRAMS))}
    style = int(rng.integers(3))  # 0 block chords, 1 arpeggio, 2 off-beat stabs
    notes, chords, downbeats = [], [], []
    n_bars = int(np.ceil(seconds / bar)) + 1
    for b in range(n_bars):
        root, quality = cycle[b % len(cycle)]
        t0 = b * bar
        downbeats.append(t0)
        pcs = [(tonic + root + iv) % 12 for iv in (0, 4 if quality == "M" else 3, 7)]
        name = f"{PITCH_CLASSES[pcs[0]]}:{'maj' if quality == 'M' else 'min'}"
        chords.append((t0, t0 + bar, name))
        notes += _bar_notes(pcs, t0, beat, meter, style, rng)
    key = f"{PITCH_CLASSES[tonic]} {'minor' if minor else 'major'}"
    piece = Piece(f"progression:{'minor' if minor else 'major'}{(i // 24) % len(cycles)}",
                  key, bpm, list(np.arange(0.0, n_bars * bar, beat)), downbeats,
                  round(float(seconds), 3), notes, programs, meter=meter, chords=chords)
    if rng.random() < 0.75:
        _add_drums(piece, rng, bars=downbeats, light=False)
    return piece


def _bar_notes(pcs: list[int], t0: float, beat: float, meter: int, style: int,
               rng: np.random.Generator) -> list[Note]:
    """Bass (channel 0), chords (1) and a chord-tone melody (2) for one bar."""
    out = [Note(t0 + k * beat, beat * 0.9, 0, 36 + pcs[0], 90) for k in range(meter)]
    voicing = [60 + pc if pc >= 5 else 72 + pc for pc in pcs]  # F4..E5, close position
    if style == 0:
        out += [Note(t0, beat * meter * 0.95, 1, p - 12, 70) for p in voicing]
    elif style == 1:
        for k in range(meter * 2):
            out.append(Note(t0 + k * beat / 2, beat / 2, 1, voicing[k % 3] - 12, 65))
    else:
        out += [Note(t0 + (k + 0.5) * beat, beat / 3, 1, p - 12, 72)
                for k in range(meter) for p in voicing]
    for k in range(meter):
        if rng.random() < 0.7:
            out.append(Note(t0 + k * beat, beat * 0.9, 2, voicing[int(rng.integers(3))] + 12,
                            int(rng.integers(70, 100))))
    return out


def _add_drums(piece: Piece, rng: np.random.Generator, *, bars: list[float],
               light: bool) -> None:
    """Kick on the downbeat (and half bar), snare on the back beats, hats on eighths."""
    beat = 60.0 / piece.tempo
    piece.programs[9] = 0
    for t0 in bars:
        for k in range(piece.meter):
            t = t0 + k * beat
            if k == 0 or (piece.meter == 4 and k == 2):
                piece.notes.append(Note(t, 0.1, 9, 36, 110))
            elif not light:
                piece.notes.append(Note(t, 0.1, 9, 38, 95))
            for half in (0.0, 0.5) if not light else (0.0,):
                piece.notes.append(Note(t + half * beat, 0.05, 9, 42,
                                        int(rng.integers(50, 80))))
