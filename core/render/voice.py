"""A voice for sampled renders: sung or rapped syllables from a formant synthesiser (issue 13).

Real pop, folk and hip-hop records have a voice on them, and a real-music tagger hears
its absence ("instrumental").  General MIDI has no words, so the voice is synthesised
the way speech synthesisers of the Klatt family do it: a glottal source (a sawtooth at
the note's pitch, plus breath noise) through a cascade of formant resonators set to a
vowel, with a consonant (a filtered noise burst: a fricative, a plosive or breath) in
front of each syllable.

A sung note (:data:`SUNG`) glides in from the previous pitch and grows a vibrato;
a rapped syllable (:data:`RAPPED`) is short, starts hard and falls in pitch like speech.
:func:`sing` renders a part's notes into a mono stem; the same notes and seed give the
same samples.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Sequence

import numpy as np
from scipy import signal

from core.render.events import NoteEvent

__all__ = ["VOICE", "Delivery", "SUNG", "SUNG_LOW", "RAPPED", "VOWELS", "GENRE_DELIVERY", "delivery_of",
           "sing"]

#: The instrument name of a voice part (beside the General MIDI instrument groups).
VOICE = "voice"

#: Formant frequencies and bandwidths (Hz) of an adult male voice, F1..F4 (after
#: Peterson and Barney 1952, rounded): the vowels of the syllables.
VOWELS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "a": ((730.0, 1090.0, 2440.0, 3400.0), (90.0, 110.0, 140.0, 200.0)),
    "e": ((530.0, 1840.0, 2480.0, 3500.0), (70.0, 110.0, 140.0, 200.0)),
    "i": ((300.0, 2250.0, 3000.0, 3700.0), (60.0, 110.0, 140.0, 200.0)),
    "o": ((570.0, 840.0, 2410.0, 3400.0), (80.0, 90.0, 130.0, 200.0)),
    "u": ((330.0, 900.0, 2240.0, 3300.0), (60.0, 90.0, 130.0, 200.0)),
}
_VOWEL_NAMES = tuple(VOWELS)
#: Consonants in front of a syllable: (name, seconds, level); "" = none (vowel onset).
_CONSONANTS = (("s", 0.07, 0.10), ("t", 0.018, 0.30), ("k", 0.025, 0.25), ("h", 0.04, 0.08),
               ("", 0.0, 0.0))


@dataclass(frozen=True)
class Delivery:
    """How syllables are voiced: sung (glides, vibrato, soft onsets) or rapped."""

    formant_scale: float     # 1.0 male .. ~1.17 female (shorter vocal tract)
    attack: float            # seconds
    release: float           # seconds
    decay: float             # level the syllable falls to by its end (1 = held)
    vibrato: float           # semitones (peak)
    glide: float             # seconds of portamento from the previous pitch
    fall: float              # semitones the pitch falls over a syllable (speech)
    jitter: float            # semitones of random pitch drift
    breath: float            # breath noise mixed into the source
    consonant: float         # chance of a consonant in front of a syllable
    rapped: bool = False     # the part is a rap flow (else a sung tune)


#: A singer (a female lead): soft onsets, portamento and a vibrato that grows on held
#: notes.  Formants a fifth of the way up from a man's, breath and a consonant on most
#: syllables: the MTT tagger then hears "female", "woman", "vocal" where a cleaner voice
#: read as a flute, and a wider vibrato as opera (bench.realism).
SUNG = Delivery(formant_scale=1.2, attack=0.035, release=0.08, decay=0.85, vibrato=0.35,
                glide=0.05, fall=0.0, jitter=0.05, breath=0.1, consonant=0.9)
#: A male singer (folk): a man's formants; a female voice made folk renders read as pop.
SUNG_LOW = replace(SUNG, formant_scale=1.0)
#: A rapper: short syllables that fall steeply in pitch and drift like speech, a consonant
#: on nearly every one (a steep fall and a drift read as hip-hop to the MSD tagger, a
#: flat pitch as "electronic": bench.realism).
RAPPED = Delivery(formant_scale=1.0, attack=0.02, release=0.03, decay=0.45, vibrato=0.0,
                  glide=0.0, fall=7.0, jitter=1.0, breath=0.08, consonant=0.85,
                  rapped=True)

#: Descriptor genres whose records have a voice, and how it is delivered.
GENRE_DELIVERY = {"pop": SUNG, "folk": SUNG_LOW, "hip_hop": RAPPED}

_VIBRATO_HZ = 5.5
_VIBRATO_DELAY = 0.18    # seconds before the vibrato starts to grow
_LEVEL = 0.25            # peak of a syllable at velocity 1 (the stem is mixed later)
_BLOCK = 256             # samples per step of a formant glide
_GLIDE_BLOCKS = 24       # steps of a formant glide (about 0.14 s at 44.1 kHz)


def delivery_of(genre: str) -> Delivery | None:
    """How a render of descriptor ``genre`` voices its vocal part (None: no voice)."""
    return GENRE_DELIVERY.get(genre)


def _resonator(freq: float, bw: float, sr: int) -> list[float]:
    """One Klatt resonator (unity gain at DC) as a second-order section."""
    c = -np.exp(-2 * np.pi * bw / sr)
    b = 2 * np.exp(-np.pi * bw / sr) * np.cos(2 * np.pi * freq / sr)
    return [1.0 - b - c, 0.0, 0.0, 1.0, -b, -c]


@lru_cache(maxsize=64)
def _vowel_sos(vowel: str, scale: float, sr: int) -> np.ndarray:
    """The formant cascade of ``vowel`` (formants scaled by ``scale``) at rate ``sr``."""
    freqs, bws = VOWELS[vowel]
    return np.array([_resonator(min(f * scale, 0.45 * sr), b * scale, sr)
                     for f, b in zip(freqs, bws)])


@lru_cache(maxsize=16)
def _consonant_sos(kind: str, sr: int) -> np.ndarray:
    """The noise filter of a consonant: high hiss for /s/, mid bursts for /t/ and /k/,
    a broad breath for /h/."""
    band = {"s": (4500.0, 0.45 * sr), "t": (2500.0, 7000.0), "k": (1200.0, 3500.0),
            "h": (500.0, 4000.0)}[kind]
    return signal.butter(2, [band[0], min(band[1], 0.45 * sr)], btype="bandpass", fs=sr,
                         output="sos")


def _envelope(m: int, attack: int, release: int, decay: float) -> np.ndarray:
    """Attack, a straight fall to ``decay`` of the peak, and a release over the last
    ``release`` samples (all within ``m`` samples)."""
    env = np.linspace(1.0, decay, m, dtype=np.float32)
    a = min(attack, m)
    env[:a] *= np.linspace(0.0, 1.0, a, endpoint=False, dtype=np.float32)
    r = min(release, m - a)
    if r > 0:
        env[m - r:] *= np.linspace(1.0, 0.0, r, dtype=np.float32)
    return env


def _glottal(phase: np.ndarray) -> np.ndarray:
    """Rosenberg's glottal pulse differentiated (the lips radiate its slope): an opening
    over 60 % of the period, a fast closing over 15 %, then the glottis shut."""
    p = phase % 1.0
    flow = np.where(p < 0.6, 0.5 * (1.0 - np.cos(np.pi * p / 0.6)),
                    np.where(p < 0.75, np.cos(0.5 * np.pi * (p - 0.6) / 0.15), 0.0))
    return np.diff(flow, prepend=flow[0]) * 8.0


def _syllable(f0: np.ndarray, env: np.ndarray, vowels: tuple[str, str], d: Delivery,
              sr: int, rng: np.random.Generator) -> np.ndarray:
    """A voiced syllable: glottal pulses at ``f0`` (Hz per sample) plus breath, shaped
    by ``env`` and filtered by formants that move from the first vowel to the second
    (a diphthong, or a vowel coloured by its consonant) over the syllable's first part."""
    phase = np.cumsum(f0 / sr) + rng.random()
    source = _glottal(phase) + d.breath * rng.standard_normal(len(f0))
    x = source * env
    a = _vowel_sos(vowels[0], d.formant_scale, sr)
    b = _vowel_sos(vowels[1], d.formant_scale, sr)
    if vowels[0] == vowels[1]:
        return signal.sosfilt(a, x).astype(np.float32)
    out = np.empty_like(x)
    zi = np.zeros((len(a), 2))
    steps = max(min(len(x) // _BLOCK, _GLIDE_BLOCKS), 1)
    for k, i in enumerate(range(0, len(x), _BLOCK)):
        w = min(k / steps, 1.0)
        out[i:i + _BLOCK], zi = signal.sosfilt(a + w * (b - a), x[i:i + _BLOCK], zi=zi)
    return out.astype(np.float32)


def _pitch_track(e: NoteEvent, prev: float | None, m: int, d: Delivery, sr: int,
                 rng: np.random.Generator) -> np.ndarray:
    """Fundamental (Hz) of each of a syllable's ``m`` samples: the note's pitch with a
    glide from ``prev``, vibrato, a speech-like fall and a slow random drift."""
    t = np.arange(m, dtype=np.float64) / sr
    semis = np.full(m, float(e.pitch))
    if d.glide and prev is not None:
        semis += (prev - e.pitch) * np.exp(-t / (d.glide / 3))
    if d.vibrato:
        grow = np.clip((t - _VIBRATO_DELAY) / 0.3, 0.0, 1.0)
        rate = _VIBRATO_HZ * (1 + 0.05 * rng.standard_normal())
        semis += d.vibrato * grow * np.sin(2 * np.pi * rate * t + rng.random() * 2 * np.pi)
    if d.fall:
        semis -= d.fall * t / max(t[-1], 1e-3)
    if d.jitter:
        knots = rng.standard_normal(4) * d.jitter
        semis += np.interp(t, np.linspace(0.0, t[-1] if m > 1 else 1.0, 4), knots)
    return 440.0 * 2.0 ** ((semis - 69.0) / 12.0)


def sing(events: Sequence[NoteEvent], *, sr: int, n: int, delivery: Delivery = SUNG,
         offset: float = 0.0, seed: int = 0) -> np.ndarray:
    """The mono stem (n,) float32 of ``events`` voiced as syllables.

    Every note is a syllable: a vowel drawn with ``seed``, a consonant in front of it
    (with the delivery's chance), the note's pitch shaped by the delivery, its level by
    the velocity.  Event times plus ``offset`` seconds place the notes; audio outside
    ``[0, n)`` is cut.
    """
    out = np.zeros(n, dtype=np.float32)
    rng = np.random.default_rng([seed % 2**32, len(events), 53])
    attack, release = int(delivery.attack * sr), int(delivery.release * sr)
    prev: float | None = None
    prev_end = -1.0
    for e in sorted(events, key=lambda e: e.start):
        start = e.start + offset
        vowel = _VOWEL_NAMES[int(rng.integers(len(_VOWEL_NAMES)))]
        second = _VOWEL_NAMES[int(rng.integers(len(_VOWEL_NAMES)))]
        kind, c_len, c_level = _CONSONANTS[int(rng.integers(len(_CONSONANTS) - 1))]
        if rng.random() >= delivery.consonant:
            kind = ""
        m = int(round(max(e.duration, 0.03) * sr)) + release
        i0 = int(round(start * sr))
        if i0 >= n or i0 + m <= 0:
            prev, prev_end = float(e.pitch), start + e.duration
            continue
        legato = prev is not None and start - prev_end < 0.08
        f0 = _pitch_track(e, prev if legato else None, m, delivery, sr, rng)
        env = _envelope(m, attack, release, delivery.decay) * np.float32(_LEVEL * e.velocity)
        _add(out, i0, _syllable(f0, env, (vowel, second), delivery, sr, rng))
        if kind:
            c = int(c_len * sr)
            burst = rng.standard_normal(c) * _envelope(c, c // 4, c // 2, 0.7)
            noise = signal.sosfilt(_consonant_sos(kind, sr), burst).astype(np.float32)
            _add(out, i0 - c // 2, noise * np.float32(c_level * e.velocity * 4 * _LEVEL))
        prev, prev_end = float(e.pitch), start + e.duration
    return out


def _add(out: np.ndarray, i0: int, x: np.ndarray) -> None:
    """Add ``x`` into ``out`` from sample ``i0``, cut at both edges."""
    a, b = max(i0, 0), min(i0 + len(x), len(out))
    if b > a:
        out[a:b] += x[a - i0:b - i0]
