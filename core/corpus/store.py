"""A corpus on disk: the table's columns, the shards, ``features.parquet`` and ``corpus.json``.

``out_dir`` holds ``corpus.json`` (what was asked, versions, counts, errors, build
time), ``shards/<id>.parquet`` (one source's rows, written atomically once done) and,
at the end, ``features.parquet`` (all shards in plan order).  A build continues the
manifest of an earlier build only when it asked for the same (:func:`begin_build`);
:func:`load_corpus` reads the table back and validates it.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from core.analysis.featureset import (FEATURE_NAMES, FEATURE_SETS, PCA_VERSION, TRAIN_SET,
                                      USER_SET, WIDEST_SET)
from core.corpus.plan import CorpusJob
from core.descriptors import load_dictionary
from core.errors import FormatError, TwintrackError
from core.io.atomic import atomic_path, atomic_write_text
from core.record import TARGETS, Settings, settings_to_dict

__all__ = ["CorpusInfo", "CorpusMismatchError", "load_corpus", "summary", "shard_path",
           "common_identity", "begin_build", "combine_shards", "finish_build", "CORPUS_FORMAT",
           "label_counts", "read_manifest", "write_manifest",
           "MANIFEST", "TABLE", "META_COLUMNS", "ALL_FEATURES", "COLUMNS", "REQUIRED",
           "default_feature_set",
           "STRING_COLUMNS"]

#: 3: render sources are named by descriptor, seed and number (2: by plan position).
CORPUS_FORMAT = "twintrack-corpus-3"
MANIFEST = "corpus.json"
TABLE = "features.parquet"
META_COLUMNS = ("source", "descriptor", *TARGETS, "tempo_asked", "tonic", "mode", "duration",
                "seed", "window_start", "window_end")
#: Every window feature the corpus stores: the widest named set (which starts with
#: ``default21``), so a model of any set trains on the same table.
ALL_FEATURES = FEATURE_SETS[WIDEST_SET]
COLUMNS = META_COLUMNS + ALL_FEATURES
#: Columns a table must have (format 1 tables hold only the ``default21`` features).
REQUIRED = META_COLUMNS + FEATURE_NAMES
#: Columns stored as strings, in every shard alike.
STRING_COLUMNS = ("source", "descriptor", *TARGETS, "tonic", "mode")
_TIME = "%Y-%m-%dT%H:%M:%S%z"


class CorpusMismatchError(TwintrackError):
    """``out_dir`` holds a corpus built with other arguments, or something else entirely."""


@dataclass(frozen=True)
class CorpusInfo:
    """What a build produced; ``new_*`` count the sources processed in this run only."""

    out_dir: Path
    kind: str
    n_sources: int
    n_resumed: int
    n_failed: int
    n_windows: int
    new_sources: int
    new_windows: int
    errors: tuple[str, ...]
    seconds: float

    @property
    def table(self) -> Path:
        return self.out_dir / TABLE


def shard_path(out: Path, job: CorpusJob) -> Path:
    """Where ``job``'s rows are stored once made."""
    return out / "shards" / f"{job.shard}.parquet"


# ----------------------------------------------------------------------------- manifest
def common_identity(settings: Settings) -> dict[str, Any]:
    """The part of every build's identity that says how its features were made."""
    return {"format": CORPUS_FORMAT, "feature_names": list(ALL_FEATURES),
            "pca_version": PCA_VERSION, "settings": settings_to_dict(settings)}


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{path}: not a readable corpus manifest ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("identity"), dict):
        raise FormatError(f"{path}: $.identity: missing; not a corpus manifest")
    return doc


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    atomic_write_text(out / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def begin_build(out: Path, identity: dict[str, Any]) -> dict[str, Any]:
    """The manifest to continue: the old one if it asked for the same, else a new one.

    Raises
    ------
    CorpusMismatchError
        ``out`` holds a corpus of another identity, or files that are no corpus.
    """
    identity = json.loads(json.dumps(identity))  # tuples -> lists, as they read back
    if (out / MANIFEST).exists():
        old = read_manifest(out / MANIFEST)
        was = old["identity"]
        diff = [k for k in sorted(set(identity) | set(was)) if identity.get(k) != was.get(k)]
        if diff:
            said = "; ".join(f"{k}: was {json.dumps(was.get(k))[:60]}, now "
                             f"{json.dumps(identity.get(k))[:60]}" for k in diff)
            raise CorpusMismatchError(
                f"{out} holds a corpus built with other arguments ({said}); resume with the "
                "same arguments or choose another output folder")
        return old
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise CorpusMismatchError(f"{out} is not empty and holds no {MANIFEST}; choose an "
                                  "empty or new output folder")
    manifest = {"identity": identity, "status": "building", "created": time.strftime(_TIME),
                "build_seconds": 0.0}
    write_manifest(out, manifest)
    return manifest


def combine_shards(out: Path, jobs: Sequence[CorpusJob], manifest: dict[str, Any]) -> int:
    """Write the table of every made shard in plan order; count its labels into
    ``manifest``.  Returns the number of rows."""
    parts = [pd.read_parquet(p) for p in (shard_path(out, j) for j in jobs) if p.exists()]
    table = (pd.concat(parts, ignore_index=True) if parts
             else pd.DataFrame({c: pd.Series(dtype="float64") for c in COLUMNS}))
    with atomic_path(out / TABLE) as tmp:
        table.to_parquet(tmp, index=False)
    manifest["label_counts"] = label_counts(table)
    return len(table)


def label_counts(table: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Windows per label of every target (empty labels left out), as the manifest keeps."""
    return {t: {str(k): int(v) for k, v in table[t].value_counts().sort_index().items()
                if k != ""} for t in TARGETS}


def finish_build(out: Path, manifest: dict[str, Any], info: CorpusInfo) -> None:
    """Complete the manifest with the build's status, counts, errors and versions."""
    from core.analysis.pipeline import versions

    manifest.update(
        status="complete with errors" if info.errors else "complete",
        finished=time.strftime(_TIME), last_run_seconds=round(info.seconds, 3),
        build_seconds=round(float(manifest.get("build_seconds", 0.0)) + info.seconds, 3),
        dictionary_version=load_dictionary().version, versions=asdict(versions()),
        errors=list(info.errors),
        counts={"sources": info.n_sources, "with_rows": info.n_sources - info.n_failed,
                "failed": info.n_failed, "windows": info.n_windows})
    write_manifest(out, manifest)


# ----------------------------------------------------------------------------- reading
def load_corpus(path_or_dir: str | os.PathLike) -> pd.DataFrame:
    """The corpus table (a corpus folder's ``features.parquet``, or the file), validated.

    Raises
    ------
    FormatError
        No table, missing or unexpected columns (the features must be
        :data:`FEATURE_NAMES`), another PCA basis, or non-finite feature values.
    """
    p = Path(path_or_dir)
    table = p / TABLE if p.is_dir() else p
    if not table.is_file():
        hint = " (unfinished build: run it again to resume)" * (table.parent / MANIFEST).exists()
        raise FormatError(f"{table}: no corpus table{hint}")
    try:
        df = pd.read_parquet(table)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise FormatError(f"{table.name}: not a readable Parquet table ({exc})") from None
    missing = [c for c in REQUIRED if c not in df.columns]
    extra = [str(c) for c in df.columns if c not in COLUMNS]
    if missing or extra:
        raise FormatError(f"{table.name}: missing column(s): {', '.join(missing) or 'none'}; "
                          f"unexpected: {', '.join(extra) or 'none'} (the features must be "
                          f"{', '.join(FEATURE_NAMES)})")
    if (table.parent / MANIFEST).exists():
        pca = read_manifest(table.parent / MANIFEST)["identity"].get("pca_version")
        if pca != PCA_VERSION:
            raise FormatError(f"{table.name}: features made with PCA basis {pca}, but the "
                              f"analysis now uses {PCA_VERSION}; rebuild the corpus")
    present = [c for c in COLUMNS if c in df.columns]
    for name in (c for c in present if c not in META_COLUMNS):
        bad = ~np.isfinite(pd.to_numeric(df[name], errors="coerce").to_numpy(np.float64))
        if bad.any():
            raise FormatError(f"{table.name}: column {name}: {int(bad.sum())} missing or "
                              "non-finite value(s)")
    return df[present]


def default_feature_set(table: pd.DataFrame) -> str:
    """The feature set ``train`` reads from ``table`` unless told: for renders the
    shipped model's (:data:`TRAIN_SET`); for the user's own recordings (no descriptor
    column filled) :data:`USER_SET`, with the real-music tagger's embeddings, where the
    table has them (corpora built before they existed fall back to :data:`TRAIN_SET`)."""
    renders = table["descriptor"].astype(str).str.len().gt(0).any()
    if not renders and all(c in table.columns for c in FEATURE_SETS[USER_SET]):
        return USER_SET
    return TRAIN_SET


def summary(info: CorpusInfo) -> str:
    """A few lines for the CLI: counts, speed, the table, what was skipped."""
    unit = "renders" if info.kind == "renders" else "files"
    rate = info.new_windows / info.seconds if info.seconds > 0 else 0.0
    lines = [f"corpus: {info.n_sources} {unit} ({info.n_resumed} already done, "
             f"{info.n_failed} skipped), {info.n_windows} windows -> {info.table}",
             f"this run: {info.new_sources} {unit}, {info.new_windows} windows in "
             f"{info.seconds:.1f} s ({rate:.1f} windows/s)"]
    return "\n".join(lines + [f"skipped {e}" for e in info.errors])
