"""Signal building blocks of the synthesised voices and drums, vectorised in numpy.

Sample times and fades (shared read-only tables), envelopes, RBJ biquads, band-limited
oscillators (polyBLEP saws, block-exact sines, phases with delayed vibrato), noise from
a shared table, drawbar harmonics by the Chebyshev recurrence, detuned saw ensembles,
a Karplus-Strong string computed one period at a time, and the correlation-aware
equal-power crossfade that loops held notes and joins rendered regions.  The voices
built from them live in :mod:`core.render.instruments`, the drum hits in
:mod:`core.render.drums`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import signal

__all__ = ["TWO_PI", "times", "linear_ramp", "adsr", "biquad", "filt", "saw", "osc_phase",
           "noise", "sine", "burst", "harmonics", "ensemble", "karplus",
           "equal_power_crossfade"]

TWO_PI = np.float32(2 * np.pi)

def times(n: int, sr: int) -> np.ndarray:
    """Sample times in seconds (float32, read-only: a view of a shared table when short)."""
    table = _times_table(sr)
    if n <= table.size:
        return table[:n]
    return np.arange(n, dtype=np.float32) / np.float32(sr)


@lru_cache(maxsize=4)
def _times_table(sr: int) -> np.ndarray:
    # every note and hit needs t; one table (12 s) saves an allocation and a pass each
    t = np.arange(12 * sr, dtype=np.float32) / np.float32(sr)
    t.flags.writeable = False
    return t


@lru_cache(maxsize=256)
def linear_ramp(start: float, stop: float, n: int) -> np.ndarray:
    """``np.linspace(start, stop, n)`` in float32, cached and read-only (fades)."""
    r = np.linspace(start, stop, n, dtype=np.float32)
    r.flags.writeable = False
    return r


def adsr(t: np.ndarray, attack: float, decay: float, sustain: float) -> np.ndarray:
    """Attack (sine-shaped rise) then exponential decay towards ``sustain``."""
    a = max(attack, 1e-3)
    rise = np.sin(np.float32(np.pi / 2) * np.minimum(t / np.float32(a), 1.0))
    fall = sustain + (1 - sustain) * np.exp(-np.maximum(t - a, 0) / np.float32(decay))
    return (rise * fall).astype(np.float32)


def biquad(kind: str, fc: float, sr: int, q: float = 0.707) -> tuple[np.ndarray, np.ndarray]:
    """RBJ-cookbook biquad coefficients (``lowpass``, ``highpass`` or ``bandpass``)."""
    w = 2 * np.pi * min(fc, 0.45 * sr) / sr
    cw, alpha = np.cos(w), np.sin(w) / (2 * q)
    if kind == "lowpass":
        b = [(1 - cw) / 2, 1 - cw, (1 - cw) / 2]
    elif kind == "highpass":
        b = [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2]
    else:  # constant 0 dB peak gain bandpass
        b = [alpha, 0.0, -alpha]
    a = [1 + alpha, -2 * cw, 1 - alpha]
    return np.array(b) / a[0], np.array(a) / a[0]


def filt(x: np.ndarray, kind: str, fc: float, sr: int, q: float = 0.707) -> np.ndarray:
    """``x`` through one RBJ biquad, float32 out."""
    b, a = biquad(kind, fc, sr, q)
    return signal.lfilter(b, a, x).astype(np.float32)


def saw(phase: np.ndarray, dphase: float) -> np.ndarray:
    """Band-limited sawtooth (polyBLEP) from a phase in cycles [0, 1)."""
    y = 2 * phase - 1
    dp = np.float32(min(dphase, 0.5))
    m = phase < dp
    u = phase[m] / dp
    y[m] -= u + u - u * u - 1
    m = phase > 1 - dp
    u = (phase[m] - 1) / dp
    y[m] -= u * u + u + u + 1
    return y


def osc_phase(f0: float, t: np.ndarray, sr: int, *, start: float = 0.0,
              vib_cents: float = 0.0, vib_rate: float = 5.0,
              vib_delay: float = 0.25) -> np.ndarray:
    """Phase in cycles [0, 1) (float32) of an oscillator with delayed vibrato.

    The linear part is built per 512-sample block (block start in float64, offset in
    float32), so long notes keep exact pitch without float64 work per sample.
    """
    n, blk = t.size, 512
    base = (f0 * blk / sr * np.arange(-(-n // blk)) + start) % 1.0
    ph = (base.astype(np.float32)[:, None]
          + np.float32(f0 / sr) * np.arange(blk, dtype=np.float32)[None, :]).ravel()[:n]
    if vib_cents:
        depth = np.clip((t - np.float32(vib_delay)) / np.float32(0.4), 0, 1)
        amp = np.float32(f0 * vib_cents * np.log(2) / 1200 / (2 * np.pi * vib_rate))
        ph -= amp * depth * np.cos(TWO_PI * np.float32(vib_rate) * t)
    return ph - np.floor(ph)


def noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` samples of white Gaussian noise: a random window of a shared table."""
    table = _noise_table()
    off = int(rng.integers(table.size))
    idx = np.arange(off, off + n) % table.size if off + n > table.size else None
    return table[idx] if idx is not None else table[off:off + n].copy()


@lru_cache(maxsize=1)
def _noise_table() -> np.ndarray:
    # Generating Gaussian noise costs ~20 ns/sample; one shared table makes it free.
    return np.random.default_rng(0x5EED).standard_normal(1 << 20).astype(np.float32)


def sine(f: float, n: int, sr: int, phase: float = 0.0) -> np.ndarray:
    """``sin(2 pi f t + phase)`` exact for long notes at float32 cost.

    Splits time into 512-sample blocks: sin(a + b) = sin a cos b + cos a sin b with a
    per block (float64, few values) and b per offset, so no large float32 arguments.
    """
    blk = 512
    w = 2 * np.pi * f / sr
    a = w * blk * np.arange(-(-n // blk)) + phase
    b = w * np.arange(blk)
    sa, ca = np.sin(a).astype(np.float32), np.cos(a).astype(np.float32)
    sb, cb = np.sin(b).astype(np.float32), np.cos(b).astype(np.float32)
    return (np.outer(sa, cb) + np.outer(ca, sb)).ravel()[:n]


def burst(rng: np.random.Generator, t: np.ndarray, sr: int, kind: str, fc: float,
          tau: float, q: float = 0.707) -> np.ndarray:
    """Filtered noise with an exponential decay ``tau`` (only its audible start is
    filtered, the rest stays zero)."""
    out = np.zeros_like(t)
    m = min(t.size, int(8 * tau * sr) + 1)
    out[:m] = filt(noise(rng, m), kind, fc, sr, q) * np.exp(-t[:m] / np.float32(tau))
    return out


def harmonics(phase: np.ndarray, amps: list) -> np.ndarray:
    """Sum of ``amps[k] * sin(2 pi (k+1) phase)`` by the Chebyshev recurrence (cheap)."""
    x = TWO_PI * phase
    s_prev, s_k = np.zeros_like(x), np.sin(x)
    c2 = 2 * np.cos(x)
    out = amps[0] * s_k
    for a in amps[1:]:
        s_prev, s_k = s_k, c2 * s_k - s_prev
        if np.any(a):
            out += a * s_k
    return out


def ensemble(f0: float, t: np.ndarray, sr: int, rng: np.random.Generator,
             cents: tuple[float, ...], vib: float = 0.0, rate: float = 5.0) -> np.ndarray:
    """Detuned polyBLEP saws with random phases and slightly different vibrato rates."""
    out = np.zeros_like(t)
    for c in cents:
        f = f0 * 2 ** (c / 1200)
        ph = osc_phase(f, t, sr, start=rng.random(), vib_cents=vib,
                       vib_rate=rate * (1 + 0.08 * rng.standard_normal()))
        out += saw(ph, f / sr)
    return out / np.float32(np.sqrt(len(cents)))


def karplus(f0: float, n: int, sr: int, rng: np.random.Generator, *, t60: float,
            bright: float, pick: float, exc_lp: float) -> np.ndarray:
    """Karplus-Strong string, vectorised one period at a time.

    Every sample of a period depends only on the previous period, so the loop runs
    over periods (a few hundred numpy ops) instead of samples.  The integer loop
    delay is tuned exactly by resampling the result by the small residual ratio.
    """
    s = 0.5 * (1 - bright) + 0.05   # loop filter tap: 0.5 = darkest
    d = max(int(sr / f0 - s), 2)
    g = 10 ** (-3 / (t60 * f0))     # per-period loss for the fundamental's T60
    exc = noise(rng, d)
    exc = filt(exc, "lowpass", exc_lp, sr)
    k = max(int(pick * d), 1)
    exc[k:] -= exc[:-k].copy()      # pluck position comb
    exc -= exc.mean()
    m = int(n * f0 * (d + s) / sr) + 2 * d
    y = np.zeros(m + 1, dtype=np.float32)   # y[0] is the sample "before time 0"
    y[1:d + 1] = exc
    a0, a1 = np.float32(g * (1 - s)), np.float32(g * s)
    tmp = np.empty(d, dtype=np.float32)
    for i in range(d + 1, m + 1, d):   # y[i:j] is still zero: write a0*y' + a1*y'' into it
        j = min(i + d, m + 1)
        t, out = tmp[:j - i], y[i:j]
        np.multiply(y[i - d - 1:j - d - 1], a1, out=t)
        np.multiply(y[i - d:j - d], a0, out=out)
        out += t
    ratio = (d + s) * f0 / sr        # resample rendered pitch to the exact pitch
    pos = np.arange(n, dtype=np.float64) * ratio
    return np.interp(pos, np.arange(m), y[1:]).astype(np.float32)


def equal_power_crossfade(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` samples of ``a`` fading out while those of ``b`` fade in.

    Sine/cosine (equal-power) curves, normalised by the measured correlation of the
    two overlaps so that loudness stays constant for unrelated material (plain equal
    power) and for identical material (the curves then sum to 1) alike.

    Parameters
    ----------
    a, b : numpy.ndarray
        Shape ``(>= n,)`` or ``(>= n, channels)``.
    n : int
        Overlap in samples.

    Returns
    -------
    numpy.ndarray
        ``n`` samples, the dtype and channel layout of ``a``.
    """
    a, b = np.asarray(a)[:n], np.asarray(b)[:n]
    if n <= 0:
        return a.copy()
    ea, eb = float(np.sum(a.astype(np.float64) ** 2)), float(np.sum(b.astype(np.float64) ** 2))
    rho = float(np.sum(a.astype(np.float64) * b)) / np.sqrt(ea * eb) if ea > 0 and eb > 0 else 0.0
    rho = min(max(rho, -0.5), 1.0)
    theta = (np.arange(n) + 0.5) / n * (np.pi / 2)
    fo, fi = np.cos(theta), np.sin(theta)
    norm = 1 / np.sqrt(1 + 2 * rho * fo * fi)
    shape = (n,) + (1,) * (a.ndim - 1)
    out = a * (fo * norm).reshape(shape) + b * (fi * norm).reshape(shape)
    return out.astype(a.dtype)
