"""Whether a batch file's outputs are already up to date: the batch's content-addressed cache.

Owns the batch's records.  A file's *key* is the SHA-256 of its bytes, the analysis
settings, the versions of Twintrack, its libraries, the PCA basis and the model, and
the formats asked for (:func:`cache_key`).  After a file's outputs are written, a
small record (the key and the outputs' names) is written atomically under
``<twintrack cache>/batch/``, one per output place (the resolved ``OUT/<rel>``), so
the output folder holds only the outputs.  A later run skips the file when the record
has the same key and every output is still there (:func:`up_to_date`); a changed file,
setting, version or format, or a deleted output, redoes it.  A batch stopped between
writing the outputs and the record redoes the file next time: never a false skip.
Records whose outputs are gone can never skip a file again; :func:`prune` (run after a
batch, at most once a day) deletes them, so the folder does not grow without end.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from core.analysis.audio import file_sha256
from core.io.atomic import atomic_write_text
from core.jitcache import cache_root
from core.record import Settings

__all__ = ["cache_key", "up_to_date", "remember", "prune", "default_cache_dir"]

#: :func:`prune` looks through the records at most this often (seconds).
PRUNE_EVERY = 24 * 3600.0


def default_cache_dir() -> Path:
    """Where ``twintrack analyze`` keeps its records (``<twintrack cache>/batch``)."""
    return cache_root() / "batch"


def cache_key(path: str | os.PathLike, *, settings: Settings, formats: Sequence[str],
              model_version: str | None) -> str:
    """Hex SHA-256 of everything that decides a file's outputs (see the module docstring).

    Raises ``OSError`` when the file cannot be read.
    """
    from core.analysis.pipeline import versions

    ident = {"sha256": file_sha256(path), "settings": asdict(settings),
             "versions": asdict(versions(model_version)), "formats": list(formats)}
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()


def _record_path(cache_dir: Path, place: Path) -> Path:
    name = hashlib.sha256(os.fsencode(place.resolve())).hexdigest()
    return cache_dir / name[:2] / f"{name}.json"


def up_to_date(cache_dir: Path, place: Path, key: str) -> tuple[Path, ...] | None:
    """The outputs at ``place`` (``OUT/<rel>``) if they were made with ``key`` and all
    still exist, else None."""
    try:
        record = json.loads(_record_path(cache_dir, place).read_text(encoding="utf-8"))
        outputs = tuple(place.parent / name for name in record["outputs"])
        current = record["key"] == key
    except (OSError, ValueError, KeyError, TypeError):  # none yet, or not ours: redo
        return None
    return outputs if current and all(p.is_file() for p in outputs) else None


def remember(cache_dir: Path, place: Path, key: str, outputs: Sequence[Path]) -> None:
    """Record that ``outputs`` at ``place`` were made with ``key`` (after writing them)."""
    record = {"key": key, "place": os.fspath(place.resolve()),
              "outputs": [p.name for p in outputs]}
    atomic_write_text(_record_path(cache_dir, place), json.dumps(record, indent=1) + "\n")


def prune(cache_dir: Path, *, every: float = PRUNE_EVERY) -> int:
    """Delete the records whose outputs are no longer all there (or that are not
    readable records), unless the folder was pruned less than ``every`` seconds ago;
    returns how many went.  Housekeeping: a file system error leaves a record in place
    and never fails the batch."""
    stamp = cache_dir / ".pruned"
    try:
        if time.time() - stamp.stat().st_mtime < every:
            return 0
    except OSError:  # never pruned (or no cache yet)
        pass
    gone = 0
    for record_path in cache_dir.glob("??/*.json"):
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            place = Path(record["place"])
            alive = all((place.parent / name).is_file() for name in record["outputs"])
        except (OSError, ValueError, KeyError, TypeError):
            alive = False
        if not alive:
            try:
                record_path.unlink()
                gone += 1
            except OSError:
                pass
    try:
        stamp.touch()
    except OSError:
        pass
    return gone
