"""Twintrack core: the headless analysis, planning and render engine (never imports Qt)."""

from __future__ import annotations

from pathlib import Path

from core import jitcache

__version__ = "0.2.0"


def cache_dir() -> Path:
    """Twintrack's persistent, writable cache folder (see :func:`core.jitcache.cache_root`)."""
    return jitcache.cache_root()


# numba reads NUMBA_CACHE_DIR when it is first imported (by librosa), so decide before
# any core module imports librosa: the shared compiled kernels if they are complete,
# else a private folder (two processes compiling into one folder corrupt it).
jitcache.configure()
