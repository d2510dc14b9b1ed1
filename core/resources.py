"""Locating the files shipped in ``resources/`` (schemas, PCA basis, demo track, models).

The folder sits beside ``core/`` in a checkout or an editable install, inside the
bundle of a PyInstaller build (``sys._MEIPASS``), or wherever ``TWINTRACK_RESOURCES``
points.
"""

from __future__ import annotations

import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["resource_dir", "resource_path", "schema"]


def resource_dir() -> Path:
    """The resources folder."""
    env = os.environ.get("TWINTRACK_RESOURCES")
    if env:
        return Path(env)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a file inside the resources folder."""
    return resource_dir().joinpath(*parts)


@lru_cache(maxsize=None)
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema from ``resources/schemas`` (parsed once per process)."""
    return json.loads(resource_path("schemas", name).read_text(encoding="utf-8"))
