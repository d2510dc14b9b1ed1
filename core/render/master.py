"""The master bus: what runs on the summed mix of all parts.

The reverb return (a synthetic stereo hall fed by the parts' mono send, convolved by
batched FFT at a quarter of the sample rate), the optional resonant filter sweep, and
the master chain proper (:func:`master_chain`): tanh saturation, a block-rate glue
compressor, loudness normalisation to the dynamics' target and a lookahead limiter
whose gain provably keeps every sample under :data:`CEILING`.  The parts are placed
and summed by :mod:`core.render.mixer`.
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft
import soxr
from scipy import ndimage, signal

from core.render.dsp import biquad, filt
from core.render.events import MixSpec

__all__ = ["CEILING", "TARGET_LUFS", "add_reverb", "sweep", "master_chain"]

CEILING = 10 ** (-1.0 / 20)        # -1 dBFS sample peak: leaves room for inter-sample peaks
TARGET_LUFS = {"soft": -19.0, "medium": -14.5, "loud": -11.0}
BLK = 256           # samples per block of the loudness meter and compressor
REVERB_DECIMATION = 4
COMP_RATIO = {"soft": 1.5, "medium": 2.0, "loud": 3.0}


# -- reverb ------------------------------------------------------------------------------

def _impulse_response(amount: float, sr: int, seed: int) -> np.ndarray:
    """Stereo synthetic hall (2, m), unit energy per channel: sparse early reflections
    and a decorrelated noise tail whose highs die faster than its lows."""
    rng = np.random.default_rng([seed % 2**32, 7])
    rt60 = 0.7 + 2.6 * amount
    pre, m = int((0.008 + 0.022 * amount) * sr), int(min(rt60, 3.5) * sr)
    t = np.arange(m, dtype=np.float32) / np.float32(sr)
    ir = np.zeros((2, pre + m), dtype=np.float32)
    for ch in range(2):
        noise = rng.standard_normal(m).astype(np.float32)
        tail = np.zeros(m, dtype=np.float32)
        for kind, fc, rt in (("lowpass", 600, 1.1), ("bandpass", 1800, 0.85),
                             ("highpass", 3500, 0.45)):
            tail += filt(noise, kind, fc, sr, 0.6) * np.exp(-6.9 * t / np.float32(rt60 * rt))
        tail *= np.minimum(t / np.float32(0.03), 1)            # echo density builds up
        taps = (rng.uniform(0.004, 0.07, 10) * sr).astype(int)
        tail[taps] += rng.uniform(-1, 1, 10).astype(np.float32) * 3 * np.abs(tail).max()
        ir[ch, pre:] = filt(tail, "highpass", 180, sr)        # keep the low end dry
    return ir / np.sqrt((ir.astype(np.float64) ** 2).sum(axis=1, keepdims=True) + 1e-12)


def add_reverb(dry: np.ndarray, send: np.ndarray, amount: float, sr: int, seed: int) -> None:
    """Add the stereo reverb of the mono ``send`` to ``dry`` (2, n).

    Runs at a quarter of the sample rate (the tail carries little above 5 kHz) as a
    batched overlap-add FFT convolution, resampled back with soxr.
    """
    if amount <= 0 or not np.any(send):
        return
    rsr = sr // REVERB_DECIMATION
    x = soxr.resample(send, sr, rsr, quality="MQ")
    ir = _impulse_response(amount, rsr, seed)
    blk, m = 1 << 16, ir.shape[1]
    size = sfft.next_fast_len(blk + m - 1, real=True)
    nb = -(-x.size // blk)
    xb = np.zeros((nb, blk), dtype=np.float32)
    xb.ravel()[:x.size] = x
    spec = sfft.rfft(xb, size, axis=1, workers=2)[None] * sfft.rfft(ir, size, axis=1)[:, None]
    yb = sfft.irfft(spec, size, axis=2, workers=2)            # (2, nb, size)
    wet = np.zeros((2, nb * blk + size), dtype=np.float32)
    for i in range(nb):                                      # overlap-add the blocks
        wet[:, i * blk:i * blk + size] += yb[:, i]
    level = np.float32(0.5 + 0.9 * amount)
    for ch in range(2):
        up = soxr.resample(wet[ch, :x.size], rsr, sr, quality="MQ")
        k = min(send.size, up.size)
        dry[ch, :k] += up[:k] * level


# -- master chain ------------------------------------------------------------------------

def master_chain(x: np.ndarray, mix: MixSpec, sr: int) -> np.ndarray:
    """Saturate, compress, normalise loudness and limit ``x`` (2, n) in place."""
    p = _block_power(x, BLK)
    level = _loudness(p, BLK, sr)
    if level <= -69.0:
        x[:] = 0
        return x
    pre = 10 ** ((-18.0 - level) / 20)             # a known level for the drive stages
    if mix.saturation > 0:
        drive = np.float32(2 * pre * (1 + 5 * mix.saturation ** 1.5))
        x = np.tanh(x * drive) * np.float32(2 / drive * pre)
        p, pre = _block_power(x, BLK), 1.0
    p = p * pre ** 2
    comp = _compressor_gain(p, COMP_RATIO[mix.dynamics], -15.0, sr)
    after = _loudness(p * comp ** 2, BLK, sr)
    makeup = 10 ** (min(TARGET_LUFS[mix.dynamics] - after, 24.0) / 20)
    g = comp * (pre * makeup)
    edges = np.r_[g[0], (g[:-1] + g[1:]) / 2, g[-1], g[-1]]   # block-centred ramp
    x *= _ramp(edges, BLK, x.shape[1])
    np.nan_to_num(x, copy=False)
    _limit(x, sr)
    return x


def sweep(x: np.ndarray, brightness: float, sr: int) -> np.ndarray:
    """Resonant lowpass (Q 1.6) opening exponentially from 250 Hz to a brightness-set top
    over the render (coefficients step every 1024 samples; state carries over)."""
    top, blk, zi = 2000 * 2 ** (brightness * 3), 1024, np.zeros((2, 2))
    starts = range(0, x.shape[1], blk)
    cut = 250 * (top / 250) ** (np.arange(len(starts)) / max(len(starts) - 1, 1))
    out = np.empty_like(x)
    for i, fc in zip(starts, cut):
        b, a = biquad("lowpass", fc, sr, 1.6)
        out[:, i:i + blk], zi = signal.lfilter(b, a, x[:, i:i + blk], axis=1, zi=zi)
    return out


def _block_power(x: np.ndarray, blk: int) -> np.ndarray:
    """Per-block power (channels summed) of ``x`` (2, n) with a first-order treble
    emphasis standing in for BS.1770 K-weighting (within about 1 dB on music)."""
    nb = max(x.shape[1] // blk, 1)
    k = np.multiply(x[:, :nb * blk], np.float32(1.8))
    k[:, 1:] -= np.float32(0.8) * x[:, :nb * blk - 1]
    k = k.reshape(2, nb, -1)
    return np.einsum("cbk,cbk->b", k, k).astype(np.float64) / k.shape[2]


def _loudness(p: np.ndarray, blk: int, sr: int) -> float:
    """Gated integrated loudness (approximately LUFS) from 256-sample block powers."""
    win = max(int(0.4 * sr / blk), 1)
    c = np.concatenate([[0.0], np.cumsum(p)])
    w = (c[win:] - c[:-win])[::max(win // 4, 1)] / win if p.size >= win else p[None].mean(1)
    w = w[w > 10 ** ((-70 + 0.691) / 10)]
    if w.size == 0:
        return -70.0
    w = w[w > w.mean() * 0.1]                              # relative gate: -10 LU
    return float(-0.691 + 10 * np.log10(w.mean()))


def _ramp(edges: np.ndarray, blk: int, n: int) -> np.ndarray:
    """Per-sample gain interpolated linearly between per-block edge gains."""
    e = edges.astype(np.float32)
    r = np.arange(blk, dtype=np.float32) / np.float32(blk)
    return (e[:-1, None] + (e[1:] - e[:-1])[:, None] * r[None, :]).ravel()[:n]


def _compressor_gain(p: np.ndarray, ratio: float, threshold_db: float, sr: int) -> np.ndarray:
    """Glue-compressor gain per block: soft knee, 10 ms attack, 180 ms release."""
    over = 10 * np.log10(p + 1e-12) - threshold_db
    knee = 6.0
    gr = np.where(over > knee / 2, over,
                  np.where(over > -knee / 2, (over + knee / 2) ** 2 / (2 * knee), 0.0))
    gr *= 1 - 1 / ratio
    att, rel = np.exp(-BLK / (0.010 * sr)), np.exp(-BLK / (0.18 * sr))
    out, g = np.empty(gr.size), 0.0
    for i, v in enumerate(gr.tolist()):          # block rate: ~170 steps per second
        g = v + (g - v) * (att if v > g else rel)
        out[i] = g
    return 10 ** (-out / 20)


def _limit(x: np.ndarray, sr: int, ceiling: float = CEILING) -> None:
    """Lookahead brickwall limiter, in place on ``x`` (2, n).

    On 64-sample blocks the needed gain reduction is held with a linear release
    (12 dB / 60 ms), spread ~3 ms ahead and box-smoothed; sample gains interpolate
    between block edges each set to the smaller neighbour, so every sample's gain is
    at most what its block needs: the output never exceeds the ceiling.  The final
    clip only guards against float rounding.
    """
    blk, look = 64, 3
    nb = -(-x.shape[1] // blk)
    full = x.shape[1] // blk
    peak = _block_peaks(x[:, :full * blk], blk)
    if full < nb:
        peak = np.r_[peak, np.abs(x[:, full * blk:]).max()]
    need = np.maximum(20 * np.log10(np.maximum(peak, 1e-9) / ceiling), 0)
    if need.any():
        rel = 2 * max(int(0.03 * sr / blk), 1)              # even: causal origin below
        held = ndimage.grey_dilation(need, structure=-np.arange(rel) * (12.0 / rel),
                                     origin=-(rel // 2))
        ahead = ndimage.maximum_filter1d(np.maximum(held, need), look, origin=-(look // 2))
        smooth = np.convolve(np.pad(ahead, (look - 1, 0), mode="edge"), np.ones(look) / look,
                             "valid")
        gain = 10 ** (-np.maximum(smooth, need) / 20)
        edges = np.minimum(np.r_[gain[0], gain], np.r_[gain, gain[-1]])
        x *= _ramp(edges, blk, x.shape[1])
    np.clip(x, -ceiling, ceiling, out=x)


def _block_peaks(x: np.ndarray, blk: int) -> np.ndarray:
    """Peak magnitude over both channels of each ``blk``-sample block of ``x`` (2, n),
    ``n`` a multiple of ``blk`` (a power of two).  A halving tree of elementwise maxima:
    numpy's reductions along a short last axis cost ten times more."""
    a = np.abs(x)
    m = np.maximum(a[0], a[1], out=a[0]).reshape(-1, blk)
    while m.shape[1] > 1:
        h = m.shape[1] // 2
        m = np.maximum(m[:, :h], m[:, h:])
    return m[:, 0]
