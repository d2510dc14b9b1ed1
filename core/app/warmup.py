"""Warming the numba cache: run the whole analysis once on a synthetic signal.

librosa compiles its numba kernels on first use (15-35 s in a fresh environment).
With a persistent ``NUMBA_CACHE_DIR`` (set in :mod:`core`), running every kernel once
at install time means later processes only load compiled code (~2 s).
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["warm_up", "synthetic_track"]


def synthetic_track(*, sr: int = 22050, seconds: float = 24.0, bpm: float = 120.0,
                    seed: int = 0) -> np.ndarray:
    """Clicks on the beat over two alternating chords: exercises every stage."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    half = len(t) // 2
    y = np.zeros_like(t)
    for chord, part in (((261.63, 329.63, 392.0), slice(0, half)),
                        ((220.0, 261.63, 329.63), slice(half, None))):
        for f in chord:
            y[part] += 0.1 * np.sin(2 * np.pi * f * t[part])
    beat = int(sr * 60.0 / bpm)
    click = rng.standard_normal(256) * np.hanning(256)
    for start in range(0, len(y) - 256, beat):
        y[start:start + 256] += 0.5 * click
    return y.astype(np.float32)


def warm_up() -> float:
    """Byte-compile Twintrack and analyse a synthetic track once; returns the seconds."""
    import compileall
    from pathlib import Path

    from core.analysis.pipeline import analyze_audio
    from core.analysis.audio import audio_from_array

    t0 = time.perf_counter()
    root = Path(__file__).resolve().parent.parent
    for package in ("core", "gui"):  # .pyc even where PYTHONDONTWRITEBYTECODE is set
        if (root / package).is_dir():
            compileall.compile_dir(root / package, quiet=2)
    analyze_audio(audio_from_array(synthetic_track(), 22050, name="warmup"))
    return time.perf_counter() - t0
