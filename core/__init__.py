"""Twintrack core: the headless analysis, planning and render engine (never imports Qt)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__version__ = "0.1.0"


def cache_dir() -> Path:
    """Twintrack's persistent, writable cache folder (numba's compiled functions live here).

    ``$TWINTRACK_CACHE``, else ``$XDG_CACHE_HOME/twintrack``, else ``~/.cache/twintrack``;
    a temporary folder only if none of those can be created.
    """
    env = os.environ.get("TWINTRACK_CACHE")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME") or
                                      Path.home() / ".cache") / "twintrack"
    try:
        base.mkdir(parents=True, exist_ok=True)
        probe = base / ".writable"
        probe.touch()
        return base
    except OSError:
        fallback = Path(tempfile.gettempdir()) / "twintrack-cache"
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback


# numba reads NUMBA_CACHE_DIR when it is first imported (by librosa), so set it before
# any core module imports librosa.  Keeping compiled code in one persistent place
# turns a 15-35 s first call into ~2 s in every later process.
os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir() / "numba"))
