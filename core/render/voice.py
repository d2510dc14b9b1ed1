"""A voice for sampled renders: sung or rapped syllables from a formant synthesiser (issue 13).

Real pop, folk and hip-hop records have a voice on them, and a real-music tagger hears
its absence ("instrumental").  General MIDI has no words, so the voice is synthesised
the way speech synthesisers of the Klatt family do it: a glottal source (Rosenberg's
pulse at the note's pitch, plus breath noise) through a cascade of formant resonators
set to a vowel gliding into a second one, with a consonant (a filtered noise burst: a
fricative, a plosive or breath) in front of most syllables.

A sung note (:data:`SUNG`) glides in from the previous pitch and grows a vibrato;
a rapped syllable (:data:`RAPPED`) is short, starts hard and falls in pitch like speech.
:func:`sing` renders a part's notes into a mono stem; the same notes and seed give the
same samples.  It is made at :data:`VOICE_SR` at most and resampled: cheap beside the
SoundFont's parts, and the tagger listens below 8 kHz.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Sequence

import numpy as np
from scipy import signal

from core.render.events import NoteEvent

__all__ = ["VOICE", "VOICE_SR", "Delivery", "SUNG", "SUNG_LOW", "RAPPED", "VOWELS",
           "GENRE_DELIVERY", "delivery_of", "sing"]

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
#: Consonants in front of a syllable: (name, seconds, level).
_CONSONANTS = (("s", 0.07, 0.10), ("t", 0.018, 0.30), ("k", 0.025, 0.25), ("h", 0.04, 0.08))


@dataclass(frozen=True)
class Delivery:
    """How syllables are voiced: sung (glides, vibrato, soft onsets) or rapped."""

    formant_scale: float     # 1.0 male .. ~1.2 female (shorter vocal tract)
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


#: A singer (a female lead): soft onsets, portamento and a light vibrato that grows on
#: held notes.  Formants 20 % above a man's, breath and a consonant on
#: most syllables: the MTT tagger then hears "female", "woman", "vocal" where a cleaner
#: voice read as a flute, and a wider vibrato as opera (bench.realism).
SUNG = Delivery(formant_scale=1.2, attack=0.035, release=0.08, decay=0.85, vibrato=0.2,
                glide=0.05, fall=0.0, jitter=0.05, breath=0.1, consonant=0.9)
#: A male singer (folk): a man's formants and a wider vibrato; a female voice made folk
#: renders read as pop.
SUNG_LOW = replace(SUNG, formant_scale=1.0, vibrato=0.35)
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
_GLIDE = 0.14            # seconds from a syllable's first vowel to its second
_CONTROL = 64            # samples per step of the pitch track
#: Highest rate the voice is made at (see :func:`sing`).
VOICE_SR = 24000


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


def _flow_table(n: int = 2048) -> np.ndarray:
    """One period of Rosenberg's glottal flow on ``n + 1`` phase points: an opening over
    60 % of the period, a fast closing over 15 %, then the glottis shut."""
    p = np.linspace(0.0, 1.0, n + 1)
    flow = np.where(p < 0.6, 0.5 * (1.0 - np.cos(np.pi * p / 0.6)),
                    np.where(p < 0.75, np.cos(0.5 * np.pi * (p - 0.6) / 0.15), 0.0))
    return flow


_FLOW = _flow_table()


def _glottal(phase: np.ndarray) -> np.ndarray:
    """The glottal flow at ``phase`` (periods) differentiated, as the lips radiate its
    slope (the flow read from a table: cosines per sample were most of the voice's time)."""
    pos = (phase % 1.0) * (len(_FLOW) - 1)
    i = pos.astype(np.intp)
    flow = _FLOW[i] + (pos - i) * (_FLOW[i + 1] - _FLOW[i])
    return np.diff(flow, prepend=flow[0]) * 8.0


def _syllable(f0: np.ndarray, env: np.ndarray, vowels: tuple[str, str], d: Delivery,
              sr: int, rng: np.random.Generator) -> np.ndarray:
    """A voiced syllable: glottal pulses at ``f0`` (Hz per sample) plus breath, shaped
    by ``env`` and filtered by the formants of the first vowel, which crossfade into
    the second's (a diphthong) over :data:`_GLIDE` seconds."""
    phase = np.cumsum(f0 / sr) + rng.random()
    source = _glottal(phase) + d.breath * rng.standard_normal(len(f0))
    x = source * env
    first = signal.sosfilt(_vowel_sos(vowels[0], d.formant_scale, sr), x)
    if vowels[0] == vowels[1]:
        return first.astype(np.float32)
    second = signal.sosfilt(_vowel_sos(vowels[1], d.formant_scale, sr), x)
    w = np.clip(np.arange(len(x)) / (_GLIDE * sr), 0.0, 1.0)
    return (first + w * (second - first)).astype(np.float32)


def _pitch_track(e: NoteEvent, prev: float | None, m: int, d: Delivery, sr: int,
                 rng: np.random.Generator) -> np.ndarray:
    """Fundamental (Hz) of each of a syllable's ``m`` samples: the note's pitch with a
    glide from ``prev``, vibrato, a speech-like fall and a slow random drift (worked out
    every :data:`_CONTROL` samples and interpolated: it moves slowly)."""
    k = m // _CONTROL + 2
    t = np.arange(k, dtype=np.float64) * (_CONTROL / sr)
    semis = np.full(k, float(e.pitch))
    if d.glide and prev is not None:
        semis += (prev - e.pitch) * np.exp(-t / (d.glide / 3))
    if d.vibrato:
        grow = np.clip((t - _VIBRATO_DELAY) / 0.3, 0.0, 1.0)
        rate = _VIBRATO_HZ * (1 + 0.05 * rng.standard_normal())
        semis += d.vibrato * grow * np.sin(2 * np.pi * rate * t + rng.random() * 2 * np.pi)
    end = (m - 1) / sr
    if d.fall:
        semis -= d.fall * t / max(end, 1e-3)
    if d.jitter:
        knots = rng.standard_normal(4) * d.jitter
        semis += np.interp(t, np.linspace(0.0, end if m > 1 else 1.0, 4), knots)
    hz = 440.0 * 2.0 ** ((semis - 69.0) / 12.0)
    return np.interp(np.arange(m) / _CONTROL, np.arange(k), hz)


def sing(events: Sequence[NoteEvent], *, sr: int, n: int, delivery: Delivery = SUNG,
         offset: float = 0.0, seed: int = 0) -> np.ndarray:
    """The mono stem (n,) float32 of ``events`` voiced as syllables.

    Every note is a syllable: a vowel drawn with ``seed``, a consonant in front of it
    (with the delivery's chance), the note's pitch shaped by the delivery, its level by
    the velocity.  Event times plus ``offset`` seconds place the notes; audio outside
    ``[0, n)`` is cut.  At rates above :data:`VOICE_SR` the voice is made at half the
    rate and resampled (it has little above 10 kHz; half the work).
    """
    if sr > VOICE_SR:
        import soxr

        half = _voice(events, sr // 2, n // 2 + 1, delivery, offset, seed)
        up = soxr.resample(half, sr // 2, sr, quality="MQ")[:n]
        return np.pad(up, (0, n - len(up))).astype(np.float32)
    return _voice(events, sr, n, delivery, offset, seed)


def _voice(events: Sequence[NoteEvent], sr: int, n: int, d: Delivery, offset: float,
           seed: int) -> np.ndarray:
    """:func:`sing` at rate ``sr``."""
    out = np.zeros(n, dtype=np.float32)
    rng = np.random.default_rng([seed % 2**32, len(events), 53])
    attack, release = int(d.attack * sr), int(d.release * sr)
    prev: float | None = None
    prev_end = -1.0
    for e in sorted(events, key=lambda e: e.start):
        start = e.start + offset
        vowel = _VOWEL_NAMES[int(rng.integers(len(_VOWEL_NAMES)))]
        second = _VOWEL_NAMES[int(rng.integers(len(_VOWEL_NAMES)))]
        kind, c_len, c_level = _CONSONANTS[int(rng.integers(len(_CONSONANTS)))]
        if rng.random() >= d.consonant:
            kind = ""
        m = int(round(max(e.duration, 0.03) * sr)) + release
        i0 = int(round(start * sr))
        if i0 >= n or i0 + m <= 0:
            prev, prev_end = float(e.pitch), start + e.duration
            continue
        legato = prev is not None and start - prev_end < 0.08
        f0 = _pitch_track(e, prev if legato else None, m, d, sr, rng)
        env = _envelope(m, attack, release, d.decay) * np.float32(_LEVEL * e.velocity)
        _add(out, i0, _syllable(f0, env, (vowel, second), d, sr, rng))
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
