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
    kick = np.sin(2 * np.pi * 60 * drum_tone * np.arange(2000) / sr) * np.exp(-np.arange(2000) / 400)
    hat = rng.standard_normal(600) * np.exp(-np.arange(600) / 80)
    b = 0
    while b * beat < seconds:
        s = int(b * beat * sr)
        src = kick if b % 2 == 0 else 0.6 * hat
        e = min(n, s + len(src))
        y[s:e] += src[:e - s]
        h = int((b + 0.5) * beat * sr)
        if h < n:
            e = min(n, h + len(hat))
            y[h:e] += 0.3 * hat[:e - h]
        b += 1
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
