"""Render timelines: the Amper-shaped JSON document that tells the renderer what to play.

::

    {"timeline": {"spans": [
        {"time": 0.0, "type": "metered", "id": 0, "tempo": 118.0,
         "instrument_groups": ["electric_piano", "bass", "drum_kit"],
         "actions": [{"type": "add_region", "id": 0, "descriptor": "pop_indie_hopeful",
                      "key": {"tonic": "D", "mode": "major"}, "cut_at": 0}]},
        ...
        {"time": 181.4, "type": "unmetered", "id": 7, "actions": []}]},
     "meta": {...}}

Spans sit at absolute times in seconds; a metered span plays at its tempo until the
next span; inside a span a region starts ``cut_at`` beats after the span's start (0
for a region that fills its span); the last span is ``unmetered`` and marks the end.
Planned and generated renders give every region a span of its own
(:meth:`Timeline.from_regions`).  Every document read is validated against
``resources/schemas/timeline.schema.json`` and then against the rules a schema cannot
say (times increasing, the end last, a region starting inside its span), each error
naming the JSON path it is about.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from core.errors import FormatError
from core.io.atomic import atomic_write_text, read_json
from core.io.schemas import validate_document

__all__ = ["Region", "Span", "Timeline", "timeline_to_dict", "timeline_from_dict",
           "load_timeline", "save_timeline", "RegionView"]


@dataclass(frozen=True)
class Region:
    """A region: a descriptor in a key, starting ``cut_at`` beats into its span."""

    id: int
    descriptor: str
    tonic: str
    mode: str
    cut_at: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.tonic}:{self.mode}"


@dataclass(frozen=True)
class Span:
    """A stretch of the timeline from ``time`` to the next span's time."""

    time: float
    type: str  # "metered" | "unmetered"
    id: int
    tempo: float | None = None
    instrument_groups: tuple[str, ...] = ()
    regions: tuple[Region, ...] = ()


@dataclass(frozen=True)
class RegionView:
    """A region resolved to absolute times (what the renderer and views need)."""

    region: Region
    span: Span
    start: float
    end: float
    tempo: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Timeline:
    """An immutable render timeline; ``meta`` carries provenance (source, seed, mode)."""

    spans: tuple[Span, ...]
    meta: dict[str, Any] = field(default_factory=dict, compare=True)

    @classmethod
    def from_regions(cls, boundaries: Sequence[float], *, descriptors: Sequence[str],
                     keys: Sequence[tuple[str, str]], tempi: Sequence[float],
                     instrument_groups: Sequence[Sequence[str]],
                     meta: Mapping[str, Any] | None = None) -> Timeline:
        """A timeline of one metered span per region, then the unmetered span of the end.

        The shape of every planned or generated render: each region fills its own span
        (``cut_at`` 0), so each can have its own tempo and instruments.

        Parameters
        ----------
        boundaries : sequence of float
            The regions' start times in seconds, then the end: one more than there are
            regions (what :meth:`boundaries` gives back).
        descriptors, keys, tempi, instrument_groups : sequence
            Per region: the descriptor's name, its ``(tonic, mode)``, the span's tempo
            in BPM and the span's instrument groups.
        meta : mapping, optional
            Provenance (title, seed, source...).

        Returns
        -------
        Timeline
            Span and region ``i`` have id ``i``, the end span ``len(descriptors)``; times
            and tempi are kept exactly as given.

        Raises
        ------
        ValueError
            No region, or per-region sequences of other lengths than the regions'.
        """
        n = len(descriptors)
        if n == 0 or len(boundaries) != n + 1 or not (len(keys) == len(tempi)
                                                      == len(instrument_groups) == n):
            raise ValueError(f"{len(boundaries)} boundaries, {n} descriptors, {len(keys)} "
                             f"keys, {len(tempi)} tempi and {len(instrument_groups)} "
                             "instrument groups: a timeline needs n >= 1 of each per region "
                             "and n + 1 boundaries")
        spans = [Span(start, "metered", i, bpm, tuple(groups), (Region(i, name, tonic, mode),))
                 for i, (start, name, (tonic, mode), bpm, groups)
                 in enumerate(zip(boundaries, descriptors, keys, tempi, instrument_groups))]
        spans.append(Span(boundaries[n], "unmetered", n))
        return cls(tuple(spans), dict(meta or {}))

    @property
    def duration(self) -> float:
        """End time in seconds (the unmetered last span)."""
        return self.spans[-1].time

    def regions(self) -> list[RegionView]:
        """Every region with its absolute start and end, in time order."""
        views = []
        for span, nxt in zip(self.spans[:-1], self.spans[1:]):
            if span.type != "metered":
                continue
            beat = 60.0 / span.tempo
            starts = [span.time + r.cut_at * beat for r in span.regions]
            ends = starts[1:] + [nxt.time]
            views += [RegionView(r, span, s, e, span.tempo)
                      for r, s, e in zip(span.regions, starts, ends)]
        return views

    def boundaries(self) -> list[float]:
        """Region change times including 0 and the end."""
        return [v.start for v in self.regions()] + [self.duration]


# ----------------------------------------------------------------------------- JSON
def timeline_to_dict(timeline: Timeline) -> dict[str, Any]:
    """The JSON-ready document."""
    spans = []
    for s in timeline.spans:
        d: dict[str, Any] = {"time": s.time, "type": s.type, "id": s.id}
        if s.type == "metered":
            d["tempo"] = s.tempo
            d["instrument_groups"] = list(s.instrument_groups)
        d["actions"] = [{"type": "add_region", "id": r.id, "descriptor": r.descriptor,
                         "key": {"tonic": r.tonic, "mode": r.mode}, "cut_at": r.cut_at}
                        for r in s.regions]
        spans.append(d)
    return {"timeline": {"spans": spans}, "meta": dict(timeline.meta)}


def _check_rules(spans: list[Span]) -> None:
    """The rules the schema cannot express; errors name the JSON path."""
    where = "$.timeline.spans"
    if spans[0].time != 0:
        raise FormatError(f"{where}[0].time: the first span must start at 0, not {spans[0].time}")
    if spans[-1].type != "unmetered":
        raise FormatError(f"{where}[{len(spans) - 1}].type: the last span must be "
                          "'unmetered' (it marks the end)")
    ids = set()
    for i, (a, b) in enumerate(zip(spans[:-1], spans[1:])):
        if b.time <= a.time:
            raise FormatError(f"{where}[{i + 1}].time: {b.time} is not after the previous "
                              f"span's time {a.time}")
        if a.type == "unmetered":
            raise FormatError(f"{where}[{i}].type: only the last span may be 'unmetered'")
        length_beats = (b.time - a.time) * a.tempo / 60.0
        cuts = [r.cut_at for r in a.regions]
        for j, r in enumerate(a.regions):
            if r.cut_at >= length_beats or (j and r.cut_at <= cuts[j - 1]):
                raise FormatError(f"{where}[{i}].actions[{j}].cut_at: {r.cut_at} beats is not "
                                  f"inside the span ({length_beats:.2f} beats) after the "
                                  "previous region")
        if cuts and cuts[0] != 0:
            raise FormatError(f"{where}[{i}].actions[0].cut_at: the first region of a span "
                              "must start with it (cut_at 0)")
    for i, s in enumerate(spans):
        if s.id in ids:
            raise FormatError(f"{where}[{i}].id: span id {s.id} is used twice")
        ids.add(s.id)


def timeline_from_dict(doc: Any) -> Timeline:
    """Validate and build a :class:`Timeline` (raises :class:`FormatError` with a path)."""
    validate_document(doc, "timeline.schema.json")
    spans = []
    for s in doc["timeline"]["spans"]:
        regions = tuple(Region(a["id"], a["descriptor"], a["key"]["tonic"], a["key"]["mode"],
                               float(a["cut_at"])) for a in s.get("actions", []))
        metered = s["type"] == "metered"
        spans.append(Span(float(s["time"]), s["type"], int(s["id"]),
                          float(s["tempo"]) if metered else None,
                          tuple(s.get("instrument_groups", ())) if metered else (), regions))
    _check_rules(spans)
    return Timeline(tuple(spans), dict(doc.get("meta", {})))


def load_timeline(path: str | os.PathLike) -> Timeline:
    """Read a timeline JSON file."""
    path = Path(path)
    doc = read_json(path)
    return timeline_from_dict(doc)


def save_timeline(timeline: Timeline, path: str | os.PathLike) -> None:
    """Write a timeline JSON file atomically."""
    text = json.dumps(timeline_to_dict(timeline), indent=1, allow_nan=False, ensure_ascii=False)
    atomic_write_text(path, text + "\n")
