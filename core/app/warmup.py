"""Warming up: the analysis's compiled kernels in the shared cache, and in this process.

librosa compiles its numba kernels on first use (15-35 s in a fresh environment).
:func:`warm_up` makes sure the shared on-disk cache is complete (built once, by one
process, see :mod:`core.jitcache`) and loads every kernel into this process (~2 s).

``python -m core.app.warmup build|check`` is the child side of :mod:`core.jitcache`:
``build`` compiles every kernel into ``NUMBA_CACHE_DIR``, ``check`` loads and runs
them from it and fails if anything had to be compiled again.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

import numpy as np

__all__ = ["warm_up", "exercise_kernels", "synthetic_track"]


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


def exercise_kernels() -> None:
    """Run every numba kernel the analysis uses, once (what the shared cache must hold)."""
    from core.analysis.audio import audio_from_array
    from core.analysis.pipeline import analyze_audio
    from core.record import Settings

    audio = audio_from_array(synthetic_track(), 22050, name="warmup")
    analyze_audio(audio)
    analyze_audio(audio, settings=Settings(vocal_suppression=True))


def warm_up(*, verify: bool = False,
            progress: Callable[[str], None] | None = None) -> float:
    """Byte-compile Twintrack, make sure the shared kernel cache is complete (building it
    under a lock if not, see :mod:`core.jitcache`), then load every kernel into this
    process; returns the seconds.

    ``verify`` also checks an existing cache and rebuilds it if it is damaged.
    """
    import compileall
    from pathlib import Path

    from core import jitcache

    t0 = time.perf_counter()
    root = Path(__file__).resolve().parents[2]
    for package in ("core", "gui"):  # .pyc even where PYTHONDONTWRITEBYTECODE is set
        if (root / package).is_dir():
            compileall.compile_dir(root / package, quiet=2)
    jitcache.prepare(verify=verify, progress=progress)
    exercise_kernels()
    return time.perf_counter() - t0


def _child(action: str) -> int:
    """The child side of :func:`core.jitcache.prepare` (see the module docstring)."""
    import os
    from pathlib import Path

    started = time.time()
    exercise_kernels()
    if action == "check":
        folder = Path(os.environ["NUMBA_CACHE_DIR"])
        newest = max((p.stat().st_mtime for p in folder.rglob("*") if p.is_file()), default=0.0)
        if newest > started:
            logging.getLogger(__name__).error(
                "kernels were compiled again instead of loaded from the cache")
            return 3
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(_child(sys.argv[1] if len(sys.argv) > 1 else "build"))
