"""Synthesised percussion: an acoustic-style kit, an 808/909-style kit, orchestral drums.

A hit is rendered from General MIDI percussion keys (36 kick, 38 snare, 42/46 hats,
49 crash, 51 ride, 39 clap, 37 rim, 41-50 toms, ...).  Each (kit, key, velocity
bucket, variant) is rendered once by the mixer; the ``variant`` seeds small random
differences (tuning, decay, noise) so repeated hits do not sound machine-identical.
In ``orchestral_percussion`` keys 41-53 and any non-percussion key are timpani tuned
to that MIDI pitch.
"""

from __future__ import annotations

import numpy as np

from core.render.dsp import filt, linear_ramp, sine, times
from core.render.instruments import midi_hz

__all__ = ["render_hit", "drum_pan", "hit_length"]

_TOMS = {41: 0, 43: 1, 45: 2, 47: 3, 48: 4, 50: 5}
_PANS = {42: 0.3, 44: 0.3, 46: 0.3, 49: -0.35, 57: 0.4, 51: 0.35, 59: 0.35, 53: 0.3,
         41: -0.35, 43: -0.25, 45: -0.05, 47: 0.05, 48: 0.2, 50: 0.3, 70: 0.45, 69: 0.45,
         54: -0.4, 56: -0.3, 75: 0.4, 76: -0.3, 77: -0.3, 80: 0.5, 81: 0.5}


def drum_pan(kit: str, key: int) -> float:
    """Stereo position (-1..1) of a kit piece, drummer's-eye view."""
    if kit == "orchestral_percussion" and key not in (49, 52, 55, 57, 80, 81):
        return 0.0
    return _PANS.get(int(key), 0.0)


def _noise(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.standard_normal(n).astype(np.float32)


def _sweep(t: np.ndarray, f_end: float, f_start: float, tau: float, sr: int) -> np.ndarray:
    """Sine gliding exponentially from ``f_start`` to ``f_end`` (phase integrated)."""
    ph = f_end * t + (f_start - f_end) * tau * (1 - np.exp(-t / np.float32(tau)))
    return np.sin(np.float32(2 * np.pi) * _frac(ph))


def _env(t: np.ndarray, tau: float, attack: float = 0.0005) -> np.ndarray:
    return np.minimum(t / np.float32(attack), 1) * np.exp(-t / np.float32(tau))


def _metal(t: np.ndarray, sr: int, rng, scale: float) -> np.ndarray:
    """808-style cluster of six detuned square waves: the metallic part of cymbals."""
    out = np.zeros_like(t)
    for f in (205.3, 304.4, 369.6, 522.7, 540.0, 800.0):
        ph = (f * scale * (1 + 0.01 * rng.standard_normal())) * t + rng.random()
        out += np.sign(np.sin(np.float32(2 * np.pi) * _frac(ph)))
    return out


def _frac(ph: np.ndarray) -> np.ndarray:
    """``ph % 1`` for a phase that is never negative, in place and without the cost of
    numpy's float modulo (both are exact, so the results are identical)."""
    ph -= np.floor(ph)
    return ph


def _kick(t, sr, rng, vel, electronic):
    if electronic:   # 808: long boomy sine with a fast drop
        body = _sweep(t, 46 * (1 + 0.01 * rng.standard_normal()), 140, 0.04, sr)
        x = body * _env(t, 0.45 + 0.25 * vel)
        return np.tanh(1.6 * x) + 0.15 * filt(_noise(rng, t.size), "highpass", 3000, sr) * _env(t, 0.002)
    body = _sweep(t, 52 * (1 + 0.02 * rng.standard_normal()), 160 + 60 * vel, 0.03, sr)
    click = filt(_noise(rng, t.size), "bandpass", 3500, sr, 0.8) * _env(t, 0.003)
    body = body * (0.75 * _env(t, 0.11) + 0.25 * _env(t, 0.3))   # punch, then a short boom
    return np.tanh(1.5 * body) + (0.3 + 0.4 * vel) * click


def _snare(t, sr, rng, vel, electronic):
    d = 1 + 0.03 * rng.standard_normal()
    tone = _sweep(t, 185 * d, 260, 0.02, sr) * _env(t, 0.09) + 0.5 * _sweep(
        t, 330 * d, 420, 0.02, sr) * _env(t, 0.05)
    hp = 1800 if electronic else 1200
    wires = filt(filt(_noise(rng, t.size), "highpass", hp, sr), "lowpass", 9000, sr)
    noise_tau = (0.17 if electronic else 0.14) * (0.8 + 0.3 * vel)
    return 0.6 * tone + (0.8 + 0.3 * vel) * wires * _env(t, noise_tau)


def _clap(t, sr, rng, vel, electronic):
    burst = filt(_noise(rng, t.size), "bandpass", 1100 + 200 * rng.random(), sr, 1.3)
    env = np.zeros_like(t)
    for i, at in enumerate((0.0, 0.011, 0.021, 0.032)):   # several hands, not one
        tt = np.maximum(t - np.float32(at + 0.002 * rng.random()), 0)
        env += (tt > 0) * np.exp(-tt / np.float32(0.2 if i == 3 else 0.007)) * (0.6 if i == 3 else 1)
    return burst * env


def _hat(t, sr, rng, vel, tau, electronic):
    metal = _metal(t, sr, rng, 1.0 if electronic else 1.45)
    noise = _noise(rng, t.size)
    x = (0.7 if electronic else 0.45) * metal + (0.5 if electronic else 1.0) * noise
    x = filt(filt(x, "highpass", 7000, sr, 0.9), "highpass", 6000, sr)
    return x * _env(t, tau * (1 + 0.1 * rng.standard_normal()), 0.0008)


def _cymbal(t, sr, rng, vel, ride):
    metal = _metal(t, sr, rng, 1.7 if ride else 1.25)
    noise = _noise(rng, t.size)
    bright = filt(0.6 * metal + noise, "highpass", 5000 if ride else 3500, sr)
    dark = filt(bright, "lowpass", 6000, sr)
    if ride:   # stick ping plus bell partials on a long, quiet wash
        bell = sine(2150, t.size, sr) + 0.6 * sine(3300, t.size, sr)
        return 0.4 * bright * _env(t, 0.06) + 0.2 * dark * _env(t, 1.2) + 0.15 * bell * _env(t, 0.5)
    return bright * _env(t, 0.25, 0.002) + 0.6 * dark * _env(t, 1.6 * (0.8 + 0.4 * vel), 0.002)


def _swell(t, sr, rng, vel):
    """Suspended cymbal rolled with soft mallets: a 1.5 s crescendo then the wash."""
    x = _cymbal(t, sr, rng, vel, False)
    rise = np.clip(t / np.float32(1.5), 0, 1) ** 2
    return filt(x, "lowpass", 9000, sr) * np.where(t < 1.5, rise, np.exp(-(t - 1.5) / np.float32(1.0)))


def _tom(t, sr, rng, f0, tau):
    f = f0 * (1 + 0.015 * rng.standard_normal())
    head = filt(_noise(rng, t.size), "bandpass", 2.5 * f, sr, 1.0) * _env(t, 0.02)
    return _sweep(t, f, 1.6 * f, 0.05, sr) * _env(t, tau) + 0.3 * head


def _timpani(t, sr, rng, f0, vel):
    out = np.zeros_like(t)
    for ratio, amp, tau in ((1.0, 1.0, 1.6), (1.5, 0.5, 1.0), (1.98, 0.35, 0.7),
                            (2.44, 0.2, 0.5), (2.94, 0.12, 0.4), (0.7, 0.4, 0.12)):
        out += amp * sine(f0 * ratio, t.size, sr, rng.random() * 6) * _env(t, tau, 0.002)
    thud = filt(_noise(rng, t.size), "lowpass", 300 + 500 * vel, sr) * _env(t, 0.03)
    return out + 0.5 * thud


def _big_drum(t, sr, rng, vel, taiko):
    f = 62 if taiko else 45
    skin = filt(_noise(rng, t.size), "lowpass", 900 if taiko else 300, sr) * _env(t, 0.05, 0.002)
    return _sweep(t, f, 1.5 * f, 0.08, sr) * _env(t, 0.7 if taiko else 1.1, 0.003) + 0.5 * skin


def _small(t, sr, rng, vel, key):
    """Hand percussion and odds: rim, cowbell, shaker, tambourine, blocks, triangle."""
    if key in (37, 75, 76, 77):   # rim click, claves, wood blocks
        f = {37: 1700, 75: 2500, 76: 900, 77: 700}[key]
        return sine(f, t.size, sr) * _env(t, 0.025) + 0.4 * filt(
            _noise(rng, t.size), "bandpass", f, sr, 2) * _env(t, 0.004)
    if key == 56:
        bell = np.sign(sine(545, t.size, sr)) + np.sign(sine(815, t.size, sr))
        return filt(bell, "bandpass", 800, sr, 2) * (0.6 * _env(t, 0.03) + 0.4 * _env(t, 0.2))
    if key in (80, 81):
        x = sine(1250, t.size, sr) + 0.5 * sine(3450, t.size, sr) + 0.3 * sine(5900, t.size, sr)
        return x * _env(t, 0.08 if key == 80 else 1.2, 0.001)
    if 60 <= key <= 64:   # bongos/congas
        f = {60: 400, 61: 300, 62: 330, 63: 260, 64: 200}[key]
        return _tom(t, sr, rng, f, 0.12)
    shaker = filt(_noise(rng, t.size), "bandpass", 6500 if key != 54 else 8000, sr, 1.2)
    rise = np.minimum(t / np.float32(0.012), 1) ** 2
    return shaker * rise * np.exp(-t / np.float32(0.09 if key != 54 else 0.2))


def hit_length(kit: str, key: int) -> float:
    """Seconds to render for a hit (its natural decay to about -60 dB)."""
    key = int(key)
    if kit == "orchestral_percussion":
        return 4.0 if key in (49, 51, 52, 55, 57) else 3.0
    if key in (49, 52, 55, 57):
        return 3.0
    if key in (51, 53, 59, 46, 81):
        return 2.0
    return 1.6 if (kit == "electronic_drums" and key in (35, 36)) else 0.8


def render_hit(kit: str, key: int, velocity: float, *, sr: int = 44100,
               variant: int = 0, seed: int = 0) -> np.ndarray:
    """One drum hit (mono float32, peak 1 before velocity), deterministic per arguments.

    Parameters
    ----------
    kit : str
        ``"drum_kit"``, ``"electronic_drums"`` or ``"orchestral_percussion"``.
    key : int
        General MIDI percussion key (see the module docstring for orchestral pitches).
    velocity : float
        0..1, shapes the timbre (the mixer applies loudness).
    variant, seed : int
        Select one of the slightly different renders of the same hit.
    """
    key = int(key)
    rng = np.random.default_rng([seed % 2**32, variant, key, int(velocity * 100), len(kit)])
    t = times(int(hit_length(kit, key) * sr), sr)
    x = _dispatch(kit, key, float(velocity), t, sr, rng)
    x = np.asarray(x, dtype=np.float32)
    x *= np.float32(_LEVEL.get(key, 0.8) / (np.abs(x).max() + 1e-12))
    x[: int(0.0005 * sr)] *= linear_ramp(0, 1, int(0.0005 * sr))
    tail = min(int(0.05 * sr), x.size)
    x[-tail:] *= linear_ramp(1, 0, tail)   # no click at the cut
    return x


_LEVEL = {36: 1.0, 35: 1.0, 38: 0.8, 40: 0.8, 39: 0.7, 42: 0.35, 44: 0.3, 46: 0.4,
          49: 0.55, 57: 0.55, 51: 0.4, 53: 0.45, 59: 0.4, 37: 0.5, 70: 0.3, 69: 0.3,
          54: 0.35, 56: 0.4, 80: 0.3, 81: 0.3}


def _dispatch(kit, key, vel, t, sr, rng):
    e = kit == "electronic_drums"
    if kit == "orchestral_percussion":
        if key in (35, 36):
            return _big_drum(t, sr, rng, vel, taiko=key == 36)
        if key in (49, 52, 55, 57, 51):
            return _swell(t, sr, rng, vel) if key in (51, 57) else _cymbal(t, sr, rng, vel, False)
        if 41 <= key <= 53 or not 35 <= key <= 81:
            return _timpani(t, sr, rng, midi_hz(key), vel)
    if key in (35, 36):
        return _kick(t, sr, rng, vel, e)
    if key in (38, 40):
        return _snare(t, sr, rng, vel, e)
    if key == 39:
        return _clap(t, sr, rng, vel, e)
    if key in (42, 44, 46):
        tau = {42: 0.035 if e else 0.05, 44: 0.03, 46: 0.35}[key]
        return _hat(t, sr, rng, vel, tau, e)
    if key in (49, 52, 55, 57, 51, 53, 59):
        return _cymbal(t, sr, rng, vel, ride=key in (51, 53, 59))
    if key in _TOMS:
        base = (70, 90, 110, 135, 160, 190)[_TOMS[key]]
        return _tom(t, sr, rng, base * (0.8 if e else 1.0), 0.45 if e else 0.3)
    return _small(t, sr, rng, vel, key)
