"""The documented table from real-music tags to descriptor genres (issue 13).

Owns the reading of ``resources/tags/descriptor-tags.json`` (:class:`TagTable`) and the
genre evidence it gives from a track's tagger outputs: per window, a score per descriptor
genre that is the weighted sum of the tag probabilities the table names under it
(:meth:`TagTable.scores`), normalised to a distribution (:meth:`TagTable.distribution`),
and the genre heard over a span (:meth:`TagTable.heard`).

The table is judgement written down once from what the tags mean, not fitted: the same
table judges renders in ``bench/realism.py`` and feeds the combination of the
render-trained hierarchy with what a real-music model hears.  Tags a table names but a
tagger lacks are ignored (a dropped-in tagger with other tags still works, with less
evidence); taggers are matched by key (``"msd"``, ``"mtt"``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Protocol, Sequence

import numpy as np

from core.errors import FormatError
from core.resources import resource_path

__all__ = ["TagTable", "TaggedWindows", "tag_table"]


class TaggedWindows(Protocol):
    """One tagger's output per window: what the record and the tagger both provide."""

    names: Sequence[str]
    probabilities: Sequence[Sequence[float]] | np.ndarray


@dataclass(frozen=True)
class TagTable:
    """Genre evidence weights per tagger: ``weights[key][genre][tag] = w``."""

    genres: tuple[str, ...]
    weights: Mapping[str, Mapping[str, Mapping[str, float]]]
    notes: Mapping[str, str]

    @classmethod
    def from_dict(cls, doc: dict) -> "TagTable":
        """The table in a ``descriptor-tags.json`` document."""
        try:
            genres = doc["genres"]
            weights: dict[str, dict[str, dict[str, float]]] = {}
            for genre, per_tagger in genres.items():
                for key, tags in per_tagger.items():
                    weights.setdefault(key, {})[genre] = {str(t): float(w)
                                                          for t, w in tags.items()}
            return cls(tuple(genres), weights, dict(doc.get("notes", {})))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise FormatError(f"the genre-to-tag table is malformed ({exc})") from None

    def matrix(self, key: str, names: Sequence[str]) -> np.ndarray:
        """(n_tags, n_genres) weights of tagger ``key`` whose tags are ``names``."""
        index = {n: i for i, n in enumerate(names)}
        m = np.zeros((len(names), len(self.genres)))
        for j, genre in enumerate(self.genres):
            for tag, w in self.weights.get(key, {}).get(genre, {}).items():
                if tag in index:
                    m[index[tag], j] = w
        return m

    def scores(self, tags: Mapping[str, TaggedWindows]) -> np.ndarray:
        """(n_windows, n_genres) evidence of each genre per window."""
        total = None
        for key, t in tags.items():
            p = np.asarray(t.probabilities, dtype=float)
            if p.ndim != 2 or key not in self.weights:
                continue
            part = p @ self.matrix(key, t.names)
            total = part if total is None else total + part
        if total is None:
            raise ValueError("no tagger output the table knows (keys: "
                             f"{sorted(tags)}; table: {sorted(self.weights)})")
        return total

    def distribution(self, tags: Mapping[str, TaggedWindows]) -> np.ndarray:
        """:meth:`scores` normalised per window to sum to 1 (uniform where all are 0)."""
        s = self.scores(tags)
        total = s.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, s / np.where(total > 0, total, 1.0),
                            1.0 / len(self.genres))

    def heard(self, tags: Mapping[str, TaggedWindows], idx=None) -> str:
        """The genre with the most evidence over windows ``idx`` (default: all)."""
        d = self.distribution(tags)
        d = d if idx is None else d[np.asarray(idx)]
        return self.genres[int(np.argmax(d.mean(axis=0)))]


@lru_cache(maxsize=None)
def tag_table() -> TagTable:
    """The shipped table (``resources/tags/descriptor-tags.json``), read once."""
    path = resource_path("tags", "descriptor-tags.json")
    return TagTable.from_dict(json.loads(path.read_text("utf-8")))
