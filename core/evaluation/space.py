"""The descriptor space in 2-D: where a track's windows sit among the dictionary's.

Owns reading the shipped projection (``resources/space/space-v1.json``, made once by
``python -m tools.make_space`` from a corpus of renders: standardisation and the first
two principal components of the window features, each descriptor's centroid, a sample
of corpus windows, provenance) and projecting analysis windows with it.  The projection
is a fixed linear map, so a track and its renders land on the same map as the corpus
and the picture does not move from one track to the next.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.errors import FormatError
from core.record import Analysis
from core.resources import resource_path

__all__ = ["DescriptorSpace", "TrackPath", "load_space", "SPACE_VERSION"]

SPACE_VERSION = "space-v1"
_KEYS = ("version", "feature_names", "mean", "scale", "components", "descriptors", "windows",
         "provenance")


@dataclass(frozen=True)
class TrackPath:
    """An analysis' windows on the map, in time order: ``xy`` is ``(n, 2)``, ``times``
    the windows' centres in seconds."""

    name: str
    xy: np.ndarray
    times: np.ndarray


@dataclass(frozen=True)
class DescriptorSpace:
    """The fitted 2-D projection and what the map draws behind a track."""

    version: str
    feature_names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    components: np.ndarray  # (2, n_features)
    descriptors: tuple[dict, ...]  # name, genre, x, y
    windows: dict  # x, y, genre, descriptor: a sample of the corpus' windows
    provenance: dict
    explained: tuple[float, ...] = ()

    def genres(self) -> tuple[str, ...]:
        """The genres on the map, sorted (the legend's order)."""
        return tuple(sorted({d["genre"] for d in self.descriptors}))

    def project(self, features: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        """``(n, 2)`` map coordinates of ``features`` (columns named ``names``).

        Raises
        ------
        FormatError
            A feature the projection needs is missing.
        """
        missing = [n for n in self.feature_names if n not in names]
        if missing:
            raise FormatError(f"the descriptor map needs window features {', '.join(missing)}"
                              " that this analysis lacks; analyse the track again")
        cols = [list(names).index(n) for n in self.feature_names]
        x = np.asarray(features, dtype=np.float64).reshape(-1, len(names))[:, cols]
        return ((x - self.mean) / self.scale) @ self.components.T

    def track_path(self, analysis: Analysis, *, name: str | None = None) -> TrackPath:
        """``analysis``' windows on the map, ordered by time."""
        w = analysis.windows
        times = (np.asarray(w.start, dtype=np.float64) + np.asarray(w.end, dtype=np.float64)) / 2
        order = np.argsort(times, kind="stable")
        xy = self.project(np.asarray(w.features, dtype=np.float64), tuple(w.feature_names))
        return TrackPath(name or os.path.basename(str(analysis.track.path)), xy[order],
                         times[order])


def _from_dict(d: dict, where: str) -> DescriptorSpace:
    missing = [k for k in _KEYS if k not in d]
    if missing:
        raise FormatError(f"{where}: missing {', '.join(missing)}")
    names = tuple(d["feature_names"])
    comp = np.asarray(d["components"], dtype=np.float64)
    mean, scale = np.asarray(d["mean"], float), np.asarray(d["scale"], float)
    if comp.shape != (2, len(names)) or {mean.shape, scale.shape} != {(len(names),)}:
        raise FormatError(f"{where}: $.components must be 2 x {len(names)}, $.mean and "
                          f"$.scale {len(names)} long")
    return DescriptorSpace(str(d["version"]), names, mean, scale, comp,
                           tuple(d["descriptors"]), dict(d["windows"]), dict(d["provenance"]),
                           tuple(d.get("explained_variance_ratio", ())))


@lru_cache(maxsize=4)
def load_space(path: str | None = None) -> DescriptorSpace:
    """The shipped projection (or the one at ``path``), read once per process.

    Raises
    ------
    FormatError
        The file is missing, not JSON, or lacks a part of the projection.
    """
    p = path or str(resource_path("space", f"{SPACE_VERSION}.json"))
    try:
        with open(p, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError) as exc:
        raise FormatError(f"{p}: cannot read the descriptor map ({exc})") from None
    if not isinstance(doc, dict):
        raise FormatError(f"{p}: the descriptor map must be a JSON object")
    return _from_dict(doc, p)
