"""Locating the files shipped in ``resources/`` (schemas, PCA basis, demo track, models).

In a checkout (an editable install, or a tree put on ``sys.path``) the folder sits
beside ``core/``.  A wheel ships it as the package data of ``core._resources``
(``pyproject.toml`` maps the folder there) and it is read with
:mod:`importlib.resources`; a PyInstaller build has it in its bundle
(``sys._MEIPASS``); ``TWINTRACK_RESOURCES`` overrides all of these.
"""

from __future__ import annotations

import json
import os
import sys
from functools import lru_cache
from importlib.resources import files
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
    beside = Path(__file__).resolve().parent.parent / "resources"
    if (beside / "__init__.py").is_file() and (beside / "descriptors.json").is_file():
        return beside  # a checkout (editable install, or just on sys.path)
    # An installed wheel: unpacked on disk, so the traversable is a real folder.
    return Path(str(files("core._resources")))


def resource_path(*parts: str) -> Path:
    """Path of a file inside the resources folder."""
    return resource_dir().joinpath(*parts)


@lru_cache(maxsize=None)
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema from ``resources/schemas`` (parsed once per process)."""
    return json.loads(resource_path("schemas", name).read_text(encoding="utf-8"))
