"""Planning a corpus: the sources whose analysis windows become its rows.

A source is a :class:`CorpusJob`: a render to make (:func:`plan_renders`, examples of
every chosen descriptor) or an audio file of the user's to read, listed by
:func:`folder_entries` (one sub-folder per label) or :func:`csv_entries` (a CSV of
paths and labels) and numbered by :func:`file_jobs`.  Planning renders and reads no
audio; the same arguments always give the same plan.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from core.descriptors import Descriptor, Dictionary, load_dictionary
from core.errors import FormatError, TwintrackError
from core.record import TARGETS
from core.render.theory import NOTE_NAMES, family

__all__ = ["CorpusJob", "Entry", "AUDIO_EXTENSIONS", "plan_renders", "render_id",
           "folder_entries", "csv_entries", "file_jobs"]

AUDIO_EXTENSIONS = frozenset({".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff",
                              ".aifc", ".au", ".m4a", ".wma"})
Entry = tuple[str, Path, dict[str, str]]  # source, file, labels


@dataclass(frozen=True)
class CorpusJob:
    """One source of rows: a render to make (``path`` is None) or an audio file to read."""

    index: int
    source: str
    labels: tuple[tuple[str, str], ...]
    descriptor: str = ""
    tempo: float = math.nan
    tonic: str = ""
    mode: str = ""
    duration: float = math.nan
    seed: int | None = None
    groups: tuple[str, ...] = ()
    path: str | None = None

    @property
    def shard(self) -> str:
        """File stem of this source's shard (a render's is its source id)."""
        return self.source if self.path is None else f"f{self.index:06d}"


# ----------------------------------------------------------------------------- renders
def _chosen(dictionary: Dictionary, names: Sequence[str] | None) -> tuple[Descriptor, ...]:
    if names is None:
        return dictionary.active()
    wanted = {dictionary.by_name(n).name for n in names}  # unknown names raise here
    retired = sorted(n for n in wanted if not dictionary.by_name(n).active)
    if retired:
        raise TwintrackError(f"retired descriptor(s) cannot be rendered: {', '.join(retired)}")
    return tuple(d for d in dictionary.active() if d.name in wanted)


def plan_renders(*, per_descriptor: int, durations: Sequence[float], seed: int,
                 descriptors: Sequence[str] | None = None,
                 dictionary: Dictionary | None = None) -> list[CorpusJob]:
    """The renders of a corpus, in dictionary order, ``per_descriptor`` per descriptor.

    Render ``k`` of a descriptor lasts ``durations[k % len(durations)]`` seconds; its
    tempo, tonic and seed come from an rng seeded with ``(seed, descriptor id, k)``, so
    a render stays the same when other descriptors are added or left out, and so does
    its source id (:func:`render_id`): corpora of other descriptor subsets merge.
    """
    from core.render.planning import instrumentation

    if per_descriptor < 1 or not durations or min(durations) < 1.0 or seed < 0:
        raise TwintrackError("a corpus needs per_descriptor >= 1, durations of at least 1 s "
                             "and a seed >= 0")
    jobs: list[CorpusJob] = []
    for d in _chosen(dictionary or load_dictionary(), descriptors):
        mode = family(d.tags.mode)  # the key asked: the family of the style's mode
        for k in range(per_descriptor):
            rng = np.random.default_rng([seed, d.id, k])
            tempo = round(float(rng.uniform(d.tags.tempo_min, d.tags.tempo_max)), 1)
            tonic = NOTE_NAMES[int(rng.integers(12))]
            s = int(rng.integers(2 ** 31 - 1))
            jobs.append(CorpusJob(len(jobs), render_id(d.name, seed, k),
                                  tuple(d.labels().items()), d.name, tempo, tonic, mode,
                                  float(durations[k % len(durations)]), s,
                                  instrumentation(d, seed=s)))
    return jobs


def render_id(descriptor: str, seed: int, k: int) -> str:
    """The source id of render ``k`` of ``descriptor`` in a corpus of ``seed``: the same
    in every corpus that plans it, whichever other descriptors it holds."""
    return f"{descriptor}-s{seed}-{k:03d}"


# ----------------------------------------------------------------------------- user audio
def folder_entries(root: Path, *, target: str) -> list[Entry]:
    """The audio files in ``root``'s label sub-folders, labelled ``{target: folder name}``.

    Files at any depth under a sub-folder take its name; files directly in ``root``
    and hidden files or folders are left out.  ``source`` is the path relative to
    ``root``.

    Raises
    ------
    TwintrackError
        An unknown target, no such folder, or no audio file in a label sub-folder.
    """
    if target not in TARGETS:
        raise TwintrackError(f"unknown target {target!r}; choose from {', '.join(TARGETS)}")
    if not root.is_dir():
        raise TwintrackError(f"{root}: no such folder")
    labels = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    entries = [(f.relative_to(root).as_posix(), f, {target: label.name}) for label in labels
               for f in sorted(label.rglob("*")) if f.is_file() and not f.name.startswith(".")
               and f.suffix.lower() in AUDIO_EXTENSIONS]
    if not entries:
        raise TwintrackError(f"{root}: no audio files in label sub-folders (expected e.g. "
                             f"{root / 'blues' / 'track.wav'})")
    return entries


def csv_entries(path: Path) -> list[Entry]:
    """The files a CSV lists (``path`` column, relative to the CSV's folder or absolute)
    with the labels of its target columns; ``source`` is the path as written.

    Raises
    ------
    FormatError
        An unreadable file, no ``path`` or label column, no rows, an empty or repeated path.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            fields = [f.strip().lower() for f in next(reader, [])]
            rows = [[v.strip() for v in r] for r in reader if any(v.strip() for v in r)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise FormatError(f"{path.name}: not a readable CSV file ({exc})") from None
    targets = [t for t in TARGETS if t in fields]
    if "path" not in fields or not targets:
        raise FormatError(f"{path.name}: needs a 'path' column and any of {', '.join(TARGETS)} "
                          f"(found: {', '.join(fields) or 'nothing'})")
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for line, values in enumerate(rows, start=2):
        row = dict(zip(fields, values))
        src = Path(row.get("path", "")).as_posix()
        if src == ".":
            raise FormatError(f"{path.name} line {line}: empty path")
        if src in seen:
            raise FormatError(f"{path.name} line {line}: {src} is listed twice (also line "
                              f"{seen[src]})")
        seen[src] = line
        file = Path(src) if Path(src).is_absolute() else path.parent / src
        entries.append((src, file, {t: row.get(t, "") for t in targets}))
    if not entries:
        raise FormatError(f"{path.name}: no rows")
    return entries


def file_jobs(entries: Sequence[Entry]) -> list[CorpusJob]:
    """One job per listed file, in listing order, its labels in
    :data:`core.record.TARGETS` order."""
    return [CorpusJob(i, src, tuple((t, lab[t]) for t in TARGETS if t in lab), path=str(f))
            for i, (src, f, lab) in enumerate(entries)]
