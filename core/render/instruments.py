"""Pitched instrument voices: one vectorised numpy render per note, no per-sample loops.

Each voice turns (pitch, velocity, length) into a mono *body*: the sound of a key held
for the whole length.  Note-off is applied later by the mixer (it cuts the cached
body and fades it over :attr:`Voice.release`), so one body per (instrument, pitch,
velocity bucket) serves every duration.  Voices are normalised to a peak near
``Voice.level`` at full velocity; loudness per velocity is applied by the mixer.

Techniques: additive partials with inharmonic stretch (piano), 2-operator FM
(electric piano), drawbar harmonics via the Chebyshev recurrence (organ, woodwinds),
polyBLEP saw ensembles through biquads (strings, pads, brass, leads, bass synth,
choir formants), Karplus-Strong in period-sized blocks (guitars, bass, harp) and
modal synthesis (mallets); their building blocks live in :mod:`core.render.dsp`.
This module owns the instrument groups, the voice table and :func:`render_note`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.render.dsp import (TWO_PI, adsr, burst, ensemble, filt, harmonics, karplus,
                             linear_ramp, noise, osc_phase, saw, sine, times)

__all__ = ["INSTRUMENT_GROUPS", "DRUM_GROUPS", "Voice", "VOICES", "render_note",
           "midi_hz", "velocity_gain"]

logger = logging.getLogger(__name__)

INSTRUMENT_GROUPS = (
    "grand_piano", "electric_piano", "organ", "strings", "brass", "woodwinds",
    "choir_pad", "synth_pad", "synth_lead", "synth_bass", "bass", "acoustic_guitar",
    "electric_guitar", "mallets", "harp_pluck", "drum_kit", "electronic_drums",
    "orchestral_percussion",
)
DRUM_GROUPS = frozenset({"drum_kit", "electronic_drums", "orchestral_percussion"})


def midi_hz(pitch: float) -> float:
    """Equal-tempered frequency of a MIDI note (A4 = 69 = 440 Hz)."""
    return 440.0 * 2.0 ** ((pitch - 69) / 12.0)


def velocity_gain(velocity: float) -> float:
    """Amplitude of a note at ``velocity`` (about -8 dB at 0.5, -18 dB at 0.2)."""
    return float(max(velocity, 0.0)) ** 1.3


@dataclass(frozen=True)
class Voice:
    """A pitched instrument: its render function and the mixer's handling of it.

    Attributes
    ----------
    render : callable
        ``render(f0, velocity, t, sr, rng) -> body`` (float32, same length as ``t``).
    release : float
        Seconds of fade after note-off.
    level : float
        Trim so all voices sit at a similar loudness at the same velocity.
    highpass : float
        Hz; cleans low-frequency mud and DC (the mixer applies it).
    width : float
        0..1 stereo spread the mixer adds (pads wide, bass mono).
    decays : bool
        True when the body dies away by itself (the mixer trims it when silent).
    """

    render: Callable[..., np.ndarray]
    release: float
    level: float
    highpass: float
    width: float = 0.0
    decays: bool = False


def _piano(f0, vel, t, sr, rng):
    pitch = 69 + 12 * np.log2(f0 / 440)
    b = float(np.clip(2e-4 * 2 ** ((pitch - 48) / 24), 5e-5, 4e-3))   # string stiffness
    tau = float(np.clip(7.0 * 2 ** (-(pitch - 36) / 20), 0.5, 9.0))
    # two-stage decay (prompt sound, then aftersound); upper partials die faster
    env = 0.7 * np.exp(-t / np.float32(tau * 0.22)) + 0.3 * np.exp(-t / np.float32(tau))
    q = np.exp(-t * np.float32((1.5 + 3 * (1 - vel)) * 2 ** ((pitch - 60) / 24)))
    out = np.zeros_like(t)
    for k in range(1, 17):
        fk = k * f0 * np.sqrt(1 + b * k * k)       # stiff-string inharmonic stretch
        if fk > 0.42 * sr:
            break
        amp = k ** -(1.7 - 0.9 * vel) * (0.25 + abs(np.sin(np.pi * k * 0.118)))  # hammer at 1/8.5
        osc = sine(fk, t.size, sr)
        if k <= 3:  # second string of the unison, slightly detuned: slow beating
            osc += np.float32(0.5) * sine(fk * 1.0006, t.size, sr, rng.random() * 6)
        out += np.float32(amp) * env * osc
        env *= q
    hammer = burst(rng, t, sr, "lowpass", 1500 + 3000 * vel, 0.012)
    return out + np.float32(0.8 * vel * (np.abs(out[:400]).max() + 1e-9)) * hammer


def _epiano(f0, vel, t, sr, rng):
    # Rhodes-like 2-op FM: index falls after the strike (bark), a short high tine ping
    index = (0.6 + 2.4 * vel) * np.exp(-t / np.float32(0.35)) + np.float32(0.15)
    ph = TWO_PI * osc_phase(f0, t, sr)
    env = adsr(t, 0.002, 1.6 * 2 ** (-(f0 - 200) / 600), 0.0)
    tone = np.sin(ph + index * np.sin(ph))
    tine = sine(min(f0 * 7.0, 0.4 * sr), t.size, sr) * np.exp(-t / np.float32(0.04))
    trem = 1 + np.float32(0.12) * np.sin(TWO_PI * np.float32(4.5) * t)
    return tone * env * trem + np.float32(0.35 * vel) * tine


def _organ(f0, vel, t, sr, rng):
    # drawbars as harmonics of the 16' sub; rotary-speaker vibrato and tremolo
    ph = osc_phase(f0 / 2, t, sr, vib_cents=9, vib_rate=6.3, vib_delay=0.0)
    bars = {1: 0.55, 2: 1.0, 3: 0.7, 4: 0.45, 6: 0.3, 8: 0.25, 10: 0.08, 12: 0.1, 16: 0.12}
    amps = [bars.get(k, 0.0) if k * f0 / 2 < 0.42 * sr else 0.0 for k in range(1, 17)]
    amps[5] = amps[5] + np.float32(0.5 * vel) * np.exp(-t / np.float32(0.25))  # percussion
    out = harmonics(ph, amps)
    out *= adsr(t, 0.006, 1.0, 1.0) * (1 + np.float32(0.06) * np.sin(TWO_PI * 6.3 * t))
    return out + np.float32(0.3) * burst(rng, t, sr, "bandpass", 2500, 0.004, 0.7)  # key click


def _strings(f0, vel, t, sr, rng):
    x = ensemble(f0, t, sr, rng, (-9.0, -2.0, 4.0, 10.0), vib=14, rate=5.2)
    x = filt(x, "lowpass", min(900 + 4 * f0 + 2500 * vel, 8000), sr)
    bow = burst(rng, t, sr, "bandpass", 3 * f0, 0.15, 1.5)     # bow scrape at the attack
    return (x + np.float32(0.15) * bow) * adsr(t, 0.09 + 0.25 * (1 - vel), 0.8, 0.85)


def _brass(f0, vel, t, sr, rng):
    # lip scoop: starts ~40 cents flat, settles in ~35 ms (integrated into the phase)
    scoop = np.float32(f0 * 0.024 * 0.035) * (np.exp(-t / np.float32(0.035)) - 1)
    ph = osc_phase(f0, t, sr, vib_cents=10, vib_rate=5.5, vib_delay=0.35) + scoop
    ph -= np.floor(ph)
    ph2 = ph + np.float32(0.37) + np.float32(f0 * 0.0023) * t
    x = saw(ph, f0 / sr) + saw(ph2 - np.floor(ph2), f0 / sr)
    dark = filt(x, "lowpass", 2.5 * f0 + 200, sr)
    bright = filt(x, "lowpass", min(f0 * (4 + 10 * vel) + 800, 9000), sr, 1.0)
    fenv = 0.35 + 0.65 * np.exp(-t / np.float32(0.3)) * adsr(t, 0.04, 10, 1)  # brassy blat
    return (dark + fenv * (bright - dark)) * adsr(t, 0.035, 0.4, 0.8)


def _woodwind(f0, vel, t, sr, rng):
    ph = osc_phase(f0, t, sr, vib_cents=11, vib_rate=4.8, vib_delay=0.3)
    lim = [a if (k + 1) * f0 < 0.42 * sr else 0 for k, a in enumerate([1, .3, .14, .07, .04])]
    breath = filt(noise(rng, t.size), "bandpass", 2 * f0, sr, 1.5)
    chiff = burst(rng, t, sr, "highpass", 2500, 0.03) * np.float32(0.5 + 0.8 * vel)
    return (harmonics(ph, lim) + np.float32(0.1) * breath + chiff) * adsr(t, 0.06, 0.6, 0.85)


def _choir(f0, vel, t, sr, rng):
    src = ensemble(f0, t, sr, rng, (-8.0, 0.0, 7.0), vib=18, rate=5.4)
    src += np.float32(0.15) * noise(rng, t.size)          # breath
    shift = 1 + 0.1 * (f0 > 350)                           # sopranos' formants sit higher
    out = np.float32(0.12) * src
    for fc, q, g in ((700, 4, 1.0), (1150, 5, 0.6), (2700, 6, 0.3)):  # vowel "ah"
        out += np.float32(g) * filt(src, "bandpass", fc * shift, sr, q)
    return out * adsr(t, 0.35, 1.0, 1.0)


def _synth_pad(f0, vel, t, sr, rng):
    x = ensemble(f0, t, sr, rng, (-16.0, -7.0, 0.0, 6.0, 15.0), vib=4, rate=0.4)
    x += np.float32(0.4) * sine(f0 / 2, t.size, sr)
    lp = filt(x, "lowpass", 1200 + 1800 * vel, sr, 0.9)
    lfo = 0.12 + 0.1 * np.sin(TWO_PI * np.float32(0.15) * t + np.float32(rng.random() * 6))
    return (lp + lfo * (x - lp)) * adsr(t, 0.5, 2, 0.9)     # slow shimmer of the highs


def _synth_lead(f0, vel, t, sr, rng):
    ph = osc_phase(f0, t, sr, vib_cents=18, vib_rate=5.6, vib_delay=0.3)
    a = saw(ph, f0 / sr)
    half = ph + np.float32(0.5)
    det = ph + np.float32(0.25) + np.float32(f0 * 0.004) * t
    x = 1.5 * a - 0.5 * saw(half - np.floor(half), f0 / sr) + saw(det - np.floor(det), f0 / sr)
    dark = filt(x, "lowpass", 3 * f0 + 300, sr)
    bright = filt(x, "lowpass", min(f0 * 12 + 2000 * vel, 9000), sr, 2.0)
    x = dark + (bright - dark) * (0.4 + 0.6 * np.exp(-t / np.float32(0.25)))
    return np.tanh(np.float32(1.4) * x) * adsr(t, 0.008, 0.5, 0.85)


def _synth_bass(f0, vel, t, sr, rng):
    ph = osc_phase(f0, t, sr)
    half = ph + np.float32(0.5)
    x = saw(ph, f0 / sr) - 0.6 * saw(half - np.floor(half), f0 / sr)  # saw + pulse
    x += np.float32(0.8) * sine(f0 / 2, t.size, sr)                    # sub octave
    dark = filt(x, "lowpass", 1.5 * f0 + 60, sr)
    acid = filt(x, "lowpass", min(f0 * (4 + 10 * vel), 6000), sr, 4.0)  # resonant
    x = dark + (acid - dark) * np.exp(-t / np.float32(0.09 + 0.1 * vel))
    return np.tanh(np.float32(1.8) * x) * adsr(t, 0.003, 0.6, 0.8)


def _bass(f0, vel, t, sr, rng):
    s = karplus(f0, t.size, sr, rng, t60=2.5, bright=0.2 + 0.4 * vel, pick=0.2,
                exc_lp=500 + 1500 * vel)
    s /= np.float32(np.abs(s).max() + 1e-9)
    fund = sine(f0, t.size, sr) * np.exp(-t / np.float32(1.6))    # body of the low string
    return s + np.float32(0.6) * fund * adsr(t, 0.004, 1, 1)


def _acoustic_guitar(f0, vel, t, sr, rng):
    s = karplus(f0, t.size, sr, rng, t60=3.0, bright=0.3 + 0.3 * vel, pick=0.18,
                exc_lp=1200 + 2500 * vel)
    return s + np.float32(1.2) * filt(s, "bandpass", 200, sr, 1.0)   # wooden body


def _electric_guitar(f0, vel, t, sr, rng):
    s = karplus(f0, t.size, sr, rng, t60=5.0, bright=0.5, pick=0.2, exc_lp=3000)
    s /= np.float32(np.abs(s).max() + 1e-9)
    x = np.tanh(np.float32(2.0 + 3 * vel) * s)   # amp drive, then a 4x12-ish cabinet
    return filt(filt(x, "lowpass", 4200, sr, 1.1), "highpass", 120, sr)


def _mallets(f0, vel, t, sr, rng):
    # modal bar: tuned modes 1:4:10 (marimba/vibes), higher modes ring shorter
    decay = float(np.clip(1.8 * 2 ** (-(f0 - 260) / 500), 0.3, 3.0))
    out = np.zeros_like(t)
    for ratio, amp, tau in ((1.0, 1.0, 1.0), (4.0, 0.35 * vel, 0.35), (10.0, 0.12 * vel, 0.12)):
        if ratio * f0 < 0.42 * sr:
            out += np.float32(amp) * sine(ratio * f0, t.size, sr) * np.exp(
                -t / np.float32(decay * tau))
    return out + np.float32(0.4 * vel) * burst(rng, t, sr, "bandpass", 3000, 0.003, 1.0)


def _harp(f0, vel, t, sr, rng):
    s = karplus(f0, t.size, sr, rng, t60=float(np.clip(4 * 2 ** (-(f0 - 200) / 600), 0.8, 5)),
                bright=0.35 + 0.3 * vel, pick=0.5, exc_lp=1500 + 3000 * vel)
    s /= np.float32(np.abs(s).max() + 1e-9)
    return s + np.float32(0.4) * sine(f0, t.size, sr) * np.exp(-t / np.float32(1.5))


VOICES: dict[str, Voice] = {
    "grand_piano": Voice(_piano, 0.18, 0.9, 30, 0.35, decays=True),
    "electric_piano": Voice(_epiano, 0.15, 0.8, 40, 0.45, decays=True),
    "organ": Voice(_organ, 0.06, 0.55, 40, 0.4),
    "strings": Voice(_strings, 0.4, 0.75, 60, 0.8),
    "brass": Voice(_brass, 0.12, 0.75, 60, 0.3),
    "woodwinds": Voice(_woodwind, 0.1, 0.7, 80, 0.2),
    "choir_pad": Voice(_choir, 0.6, 0.8, 80, 0.8),
    "synth_pad": Voice(_synth_pad, 0.9, 0.6, 60, 1.0),
    "synth_lead": Voice(_synth_lead, 0.12, 0.55, 80, 0.25),
    "synth_bass": Voice(_synth_bass, 0.05, 0.75, 25),
    "bass": Voice(_bass, 0.08, 0.85, 25, decays=True),
    "acoustic_guitar": Voice(_acoustic_guitar, 0.15, 0.8, 70, 0.4, decays=True),
    "electric_guitar": Voice(_electric_guitar, 0.1, 0.5, 90, 0.35, decays=True),
    "mallets": Voice(_mallets, 0.6, 0.8, 60, 0.3, decays=True),
    "harp_pluck": Voice(_harp, 0.8, 0.8, 50, 0.4, decays=True),
}


def render_note(instrument: str, pitch: int, velocity: float, length: float, *,
                sr: int = 44100, seed: int = 0) -> np.ndarray:
    """The mono body of one held note, peak-normalised to the voice's level.

    Parameters
    ----------
    instrument : str
        A pitched group of :data:`INSTRUMENT_GROUPS` (drums live in
        :mod:`core.render.drums`).
    pitch : int
        MIDI note.
    velocity : float
        0..1, shapes the timbre (brightness, attack); loudness is the mixer's job.
    length : float
        Seconds to render (note plus release).
    sr, seed : int
        Sample rate; seed of the voice's noise and phases (same seed, same samples).

    Returns
    -------
    numpy.ndarray
        float32, ``round(length * sr)`` samples, with a 2 ms fade-in against clicks.
    """
    voice = VOICES[instrument]
    n = max(int(round(length * sr)), 1)
    rng = np.random.default_rng([seed % 2**32, int(pitch), int(round(velocity * 1000))])
    f0 = midi_hz(pitch)
    x = np.asarray(voice.render(f0, float(velocity), times(n, sr), sr, rng), dtype=np.float32)
    x *= np.float32(voice.level / (np.abs(x).max() + 1e-12))
    fade = min(int(0.002 * sr), n)
    x[:fade] *= linear_ramp(0, 1, fade)
    return x
