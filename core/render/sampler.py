"""The per-render note cache: a sampler built on the fly.

Every distinct (instrument, pitch, velocity bucket) is synthesised once (in a small
thread pool), long enough for the longest note that needs it, and drum hits once per
(kit, key, velocity bucket, variant).  Each is tone-shaped as it is cached: the static
part of the mix's filter and brightness is linear, so it is applied to the short
cached notes instead of the long master (:func:`tone_sos`).  Sustaining voices are
rendered for at most :data:`MAX_SUSTAIN` seconds and longer notes loop their steady
part; decaying voices are rendered until silent.  :mod:`core.render.mixer` places the
copies.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from functools import lru_cache

import numpy as np
from scipy import signal

from core.progress import Reporter
from core.render import drums
from core.render.dsp import equal_power_crossfade, linear_ramp
from core.render.events import MixSpec
from core.render.instruments import DRUM_GROUPS, VOICES, render_note

__all__ = ["NoteCache", "tone_sos", "MAX_SUSTAIN", "MAX_DECAY"]

MAX_SUSTAIN = 3.0   # seconds synthesised for held voices; longer notes loop
MAX_DECAY = 10.0    # cap for voices that die away by themselves


def tone_sos(mix: MixSpec, sr: int) -> np.ndarray | None:
    """Second-order sections for the static part of ``mix.filter``/``brightness``."""
    b = mix.brightness
    if mix.filter == "lowpass":
        return signal.butter(2, min(300 * 2 ** (b * 5.7), 0.45 * sr), "low", fs=sr, output="sos")
    if mix.filter == "highpass":
        return signal.butter(2, 80 * 2 ** ((1 - b) * 4.3), "high", fs=sr, output="sos")
    if mix.filter == "none" and abs(b - 0.5) > 1e-3:
        gain = 10 ** ((b - 0.5) * 12 / 40)          # RBJ high shelf at 2.5 kHz
        w = 2 * np.pi * 2500 / sr
        alpha = np.sin(w) / 2 * np.sqrt(2)
        c, sq = np.cos(w), 2 * np.sqrt(gain) * alpha
        bb = [gain * ((gain + 1) + (gain - 1) * c + sq), -2 * gain * ((gain - 1) + (gain + 1) * c),
              gain * ((gain + 1) + (gain - 1) * c - sq)]
        aa = [(gain + 1) - (gain - 1) * c + sq, 2 * ((gain - 1) - (gain + 1) * c),
              (gain + 1) - (gain - 1) * c - sq]
        return signal.tf2sos(bb, aa)
    return None


class NoteCache:
    """Each distinct note rendered once (in a small thread pool), tone-shaped, stored.

    Sustaining voices are rendered for at most ``MAX_SUSTAIN`` seconds and longer
    notes loop the steady part with correlation-aware crossfades; decaying voices
    are rendered until silent (at most ``MAX_DECAY``).
    """

    def __init__(self, sr: int, seed: int, tone: np.ndarray | None, workers: int = 2):
        self.sr, self.seed, self.tone, self.workers = sr, seed, tone, workers
        self.notes: dict[tuple, np.ndarray] = {}

    def fill(self, wanted: dict[tuple, int], rep: Reporter) -> None:
        """Render every key of ``wanted`` (key -> samples needed)."""
        todo = sorted(k for k in wanted if k not in self.notes)
        if self.workers <= 1:
            for i, k in enumerate(todo):
                self.notes[k] = self._render(k, wanted[k])
                rep((i + 1) / len(todo), "synthesising notes")
            return
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            futures = {pool.submit(self._render, k, wanted[k]): k for k in todo}
            for i, fut in enumerate(as_completed(futures)):
                self.notes[futures[fut]] = fut.result()
                rep((i + 1) / len(todo), "synthesising notes")

    def _render(self, key: tuple, n: int) -> np.ndarray:
        sr = self.sr
        if key[0] in DRUM_GROUPS:
            kit, pitch, vb, variant = key
            return self._shape(drums.render_hit(kit, pitch, vb, sr=sr, variant=variant,
                                                seed=self.seed), 20.0)
        instrument, pitch, vb = key
        voice = VOICES[instrument]
        m = min(n, int((MAX_DECAY if voice.decays else MAX_SUSTAIN) * sr))
        x = self._shape(render_note(instrument, pitch, vb, m / sr, sr=sr, seed=self.seed),
                        voice.highpass)
        if voice.decays:   # drop the silent end of a note that has died away
            loud = np.flatnonzero(np.abs(x) > 3e-4 * np.abs(x).max())
            x = x[:min(int(loud[-1]) + 1 if loud.size else 1, x.size)]
            fade = min(int(0.02 * sr), x.size)
            x[-fade:] *= linear_ramp(1, 0, fade)
        elif n > x.size:
            x = _loop_extend(x, n, sr)
        return x

    def _shape(self, x: np.ndarray, highpass: float) -> np.ndarray:
        sos = _highpass_sos(highpass, self.sr)
        if self.tone is not None:
            sos = np.vstack([sos, self.tone])
        return signal.sosfilt(sos, x).astype(np.float32)


@lru_cache(maxsize=64)
def _highpass_sos(fc: float, sr: int) -> np.ndarray:
    """The voices' clean-up highpass (designed once per cutoff, not once per note)."""
    return signal.butter(2, fc, "high", fs=sr, output="sos")


def _loop_extend(x: np.ndarray, n: int, sr: int) -> np.ndarray:
    """Lengthen a sustained note by looping its steady second half (sampler-style)."""
    loop = x[x.size * 2 // 5:]
    fade = min(int(0.25 * sr), loop.size // 3)
    pieces, total, tail = [x[:-fade]], x.size - fade, x[-fade:]
    while total < n:
        pieces.append(equal_power_crossfade(tail, loop[:fade], fade))
        pieces.append(loop[fade:-fade])
        total += loop.size - fade
        tail = loop[-fade:]
    pieces.append(tail)
    return np.concatenate(pieces)[:n]
