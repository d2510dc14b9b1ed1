"""Reading label files from other tools, to show beside an analysis (issue 14).

Owns :func:`read_labels`: an Audacity label track (``.txt``: start, end, label separated
by tabs; a point label has start = end), a Sonic Visualiser region-layer CSV (``.csv``:
time, value, duration, label, as SV exports and ``twintrack analyze --format svcsv``
writes; also time, duration, label or time, label), or a JAMS file (``.jams``: the
first ``segment_open`` annotation, else the first annotation with string values:
chords, tags, ...).  Every file gives a :class:`LabelTrack` of spans in time order; a
file that is none of these, or whose rows do not read, is a :class:`FormatError` naming
the line, and nothing is read from it.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass
from pathlib import Path

from core.errors import FormatError

__all__ = ["LabelTrack", "read_labels", "LABEL_SUFFIXES"]

LABEL_SUFFIXES = (".txt", ".csv", ".jams")
_MAX_BYTES = 50 << 20   # a label file this large is not a label file


@dataclass(frozen=True)
class LabelTrack:
    """Labelled spans from one file: ``spans`` is ``(start, end, label)`` in seconds."""

    name: str
    spans: tuple[tuple[float, float, str], ...]
    source: str   # "audacity" | "svcsv" | "jams:<namespace>"


def _number(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FormatError(f"{where}: {text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise FormatError(f"{where}: {text!r} is not a time (finite, not negative)")
    return value


def _audacity(lines: list[str], name: str) -> list[tuple[float, float, str]]:
    spans = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("\\"):   # "\" lines: spectral selections
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 2:
            raise FormatError(f"{name}, line {n}: expected start<TAB>end<TAB>label")
        start, end = (_number(p, f"{name}, line {n}") for p in parts[:2])
        if end < start:
            raise FormatError(f"{name}, line {n}: ends ({end}) before it starts ({start})")
        spans.append((start, end, parts[2] if len(parts) > 2 else ""))
    return spans


def _svcsv(text: str, name: str) -> list[tuple[float, float, str]]:
    spans = []
    for n, row in enumerate(csv.reader(text.splitlines()), 1):
        if not row or not "".join(row).strip():
            continue
        where = f"{name}, line {n}"
        if n == 1 and not _is_number(row[0]):
            continue   # a header line
        start = _number(row[0], where)
        if len(row) >= 4:            # time, value, duration, label
            end, label = start + _number(row[2], where), row[3]
        elif len(row) == 3:          # time, duration, label
            end, label = start + _number(row[1], where), row[2]
        else:                        # time[, label]: an instant
            end, label = start, row[1] if len(row) > 1 else ""
        spans.append((start, end, label))
    return spans


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _jams(path: Path, name: str) -> tuple[list[tuple[float, float, str]], str]:
    import jams

    try:
        jam = jams.load(str(path), validate=False)
    except Exception as exc:   # jams raises several types for a damaged file
        raise FormatError(f"{name}: not a readable JAMS file ({exc})") from None
    chosen = next((a for a in jam.annotations if a.namespace == "segment_open"), None)
    if chosen is None:
        chosen = next((a for a in jam.annotations
                       if any(isinstance(o.value, str) for o in a.data)), None)
    if chosen is None:
        raise FormatError(f"{name}: no annotation with labels (segment_open, chord, tags...)")
    spans = [(float(o.time), float(o.time + o.duration), str(o.value)) for o in chosen.data]
    return spans, f"jams:{chosen.namespace}"


def read_labels(path: str | os.PathLike) -> LabelTrack:
    """The labels in ``path`` (see the module docstring for the formats).

    Raises
    ------
    FormatError
        Unreadable, too large, of an unknown kind, or a row that does not read.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in LABEL_SUFFIXES:
        raise FormatError(f"{p.name}: not a label file (expected one of "
                          f"{', '.join(LABEL_SUFFIXES)})")
    try:
        if p.stat().st_size > _MAX_BYTES:
            raise FormatError(f"{p.name}: {p.stat().st_size >> 20} MB is too large for labels")
        if suffix == ".jams":
            spans, source = _jams(p, p.name)
        else:
            text = p.read_text(encoding="utf-8-sig")
            spans = (_audacity(text.splitlines(), p.name) if suffix == ".txt"
                     else _svcsv(text, p.name))
            source = "audacity" if suffix == ".txt" else "svcsv"
    except OSError as exc:
        raise FormatError(f"{p.name}: cannot read the file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise FormatError(f"{p.name}: not a text file (not UTF-8)") from None
    if not spans:
        raise FormatError(f"{p.name}: holds no labels")
    return LabelTrack(p.name, tuple(sorted(spans)), source)
