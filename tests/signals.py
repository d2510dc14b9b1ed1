"""Synthetic test signals with known answers (tempo, key, section boundaries)."""

from __future__ import annotations

import numpy as np

SR = 22050
PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def midi_hz(m: float) -> float:
    return 440.0 * 2.0 ** ((m - 69) / 12)


def tone(freqs, seconds: float, *, sr: int = SR, partials: int = 4) -> np.ndarray:
    """Harmonic tones (decaying partials) for every frequency, summed."""
    t = np.arange(int(seconds * sr)) / sr
    y = np.zeros_like(t)
    for f in freqs:
        for k in range(1, partials + 1):
            if f * k < sr / 2:
                y += np.sin(2 * np.pi * f * k * t) / k
    env = np.minimum(1.0, t / 0.01) * np.exp(-t * 1.5)
    return y * env / max(len(freqs), 1)


def chord(root_midi: int, minor: bool) -> list[float]:
    third = 3 if minor else 4
    return [midi_hz(root_midi - 12), midi_hz(root_midi), midi_hz(root_midi + third),
            midi_hz(root_midi + 7)]


def section(key_midi: int, minor: bool, bpm: float, seconds: float, *, seed: int,
            sr: int = SR, drum_tone: float = 1.0) -> np.ndarray:
    """A cadence loop in a key, with kick/snare/hat on a steady beat."""
    rng = np.random.default_rng(seed)
    beat = 60.0 / bpm
    n = int(seconds * sr)
    y = np.zeros(n)
    # i/I - iv/IV - V - i/I, one chord per bar of 4 beats; V is major in minor keys
    degrees = [(0, minor), (5, minor), (7, False), (0, minor)]
    bar = 4 * beat
    i = 0
    while i * bar < seconds:
        root, is_minor = degrees[i % 4]
        start = int(i * bar * sr)
        seg = tone(chord(key_midi + root, is_minor), bar, sr=sr)
        end = min(n, start + len(seg))
        y[start:end] += 0.5 * seg[:end - start]
        i += 1
    t_kick = np.arange(2000) / sr
    kick = np.sin(2 * np.pi * 60 * drum_tone * t_kick) * np.exp(-t_kick * 25)
    snare = (rng.standard_normal(3000) * 0.7 + np.sin(2 * np.pi * 190 * np.arange(3000) / sr)) \
        * np.exp(-np.arange(3000) / 500)
    hat = rng.standard_normal(600) * np.exp(-np.arange(600) / 80)
    hat = np.diff(hat, prepend=0.0)  # brighter: first difference is a high-pass
    eighth = 0
    while eighth * beat / 2 < seconds:
        s = int(eighth * beat / 2 * sr)
        hits = [(0.25, hat)]
        if eighth % 2 == 0:  # on the beat: kick on 1 and 3, snare on 2 and 4
            hits.append((1.0, kick) if (eighth // 2) % 2 == 0 else (0.8, snare))
        for gain, src in hits:
            e = min(n, s + len(src))
            y[s:e] += gain * src[:e - s]
        eighth += 1
    return (0.3 * y / np.max(np.abs(y))).astype(np.float32)


def form(parts: list[tuple[str, int, bool, float]], bpm: float, *, sr: int = SR
         ) -> tuple[np.ndarray, list[float]]:
    """Concatenate sections ``(letter, key_midi, minor, seconds)``; same letter = same music.

    Returns the signal and the boundary times (0 ... end).
    """
    made: dict[str, np.ndarray] = {}
    pieces, bounds = [], [0.0]
    for letter, key_midi, minor, seconds in parts:
        if letter not in made:
            made[letter] = section(key_midi, minor, bpm, seconds, seed=ord(letter), sr=sr,
                                   drum_tone=1.0 + 0.5 * (ord(letter) - 65))
        pieces.append(made[letter][: int(seconds * sr)])
        bounds.append(bounds[-1] + seconds)
    return np.concatenate(pieces), bounds
