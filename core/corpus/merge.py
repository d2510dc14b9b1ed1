"""Merging corpora: shards of one large build made apart, or corpora of other sources.

:func:`merged_table` reads several finished corpora and gives one table, each source's
rows once, in the order given (what ``twintrack train A B`` trains on);
:func:`merge_corpora` writes it as a corpus folder (``twintrack corpus-merge A B -o
C``): ``features.parquet`` and a ``corpus.json`` whose identity lists the parts'.  A
merged corpus has no shards (it is never resumed) and merges again like any other.

Both refuse corpora whose features were made differently (corpus format, feature
names, PCA basis, analysis settings, descriptor dictionary, library versions) and a
source id that two corpora hold with different rows; the same source with the same
rows (renders two subset corpora share) is kept once.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from core.corpus.store import (MANIFEST, TABLE, CorpusInfo, CorpusMismatchError, label_counts,
                               load_corpus, read_manifest, write_manifest)
from core.io.atomic import atomic_path

__all__ = ["CorpusMergeError", "merged_table", "merge_corpora"]

#: What must be equal for features to be comparable: (what, where in the manifest).
_ALIKE = (("corpus format", ("identity", "format")),
          ("feature set", ("identity", "feature_names")),
          ("PCA basis", ("identity", "pca_version")),
          ("analysis settings", ("identity", "settings")),
          ("descriptor dictionary", ("dictionary_version",)),
          ("versions", ("versions",)))
_TIME = "%Y-%m-%dT%H:%M:%S%z"


class CorpusMergeError(CorpusMismatchError):
    """Corpora that cannot be merged (the message says which and why)."""


def _manifest(path: Path) -> dict[str, Any]:
    folder = path if path.is_dir() else path.parent
    if not (folder / MANIFEST).is_file():
        raise CorpusMergeError(f"{path}: no {MANIFEST} beside the table, so its versions "
                               "cannot be checked; give corpus folders to merge")
    doc = read_manifest(folder / MANIFEST)
    if not str(doc.get("status", "")).startswith("complete"):
        raise CorpusMergeError(f"{path}: unfinished build (run it again to resume it, "
                               "then merge)")
    return doc


def _get(doc: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def _difference(a: Any, b: Any) -> str:
    """The part of two differing values worth a message."""
    if isinstance(a, list) and isinstance(b, list):
        only_a, only_b = [x for x in a if x not in b], [x for x in b if x not in a]
        if only_a or only_b:
            return (f"only in the first: {', '.join(map(str, only_a[:5])) or 'none'}; "
                    f"only in the second: {', '.join(map(str, only_b[:5])) or 'none'}")
        return "the same names in another order"
    if isinstance(a, dict) and isinstance(b, dict):
        keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        return "; ".join(f"{k}: {json.dumps(a.get(k))} vs {json.dumps(b.get(k))}"
                         for k in keys[:5])
    return f"{json.dumps(a)[:60]} vs {json.dumps(b)[:60]}"


def _check_alike(parts: list[tuple[Path, dict[str, Any]]]) -> None:
    first, doc0 = parts[0]
    for path, doc in parts[1:]:
        for what, keys in _ALIKE:
            a, b = _get(doc0, keys), _get(doc, keys)
            if a != b:
                raise CorpusMergeError(
                    f"{first} and {path} have different {what} ({_difference(a, b)}); "
                    "their features do not compare: rebuild one with the other's")


def _new_rows(table: pd.DataFrame, kept: dict[str, tuple[Path, pd.DataFrame]],
              path: Path) -> pd.DataFrame:
    """``table``'s rows of sources not in ``kept`` (now added to it); a source already
    there must have the very same rows."""
    fresh = []
    for source, rows in table.groupby("source", sort=False):
        rows = rows.reset_index(drop=True)
        if source in kept:
            where, had = kept[source]
            if not rows.equals(had):
                raise CorpusMergeError(
                    f"source {source!r} is in {where} and in {path} with different rows "
                    "(another render, file or analysis under one id); merge corpora of "
                    "distinct sources, or shards of one build")
            continue
        kept[source] = (path, rows)
        fresh.append(source)
    return table[table["source"].isin(set(fresh))]


def merged_table(paths: Sequence[str | os.PathLike]) -> tuple[pd.DataFrame, list[dict]]:
    """The rows of every corpus in ``paths`` (folders, or their ``features.parquet``),
    each source once, in the order given; and their manifests.

    Raises
    ------
    CorpusMergeError
        An unfinished corpus, one without a manifest, corpora whose features were made
        differently, or one source id with different rows.
    core.errors.FormatError
        A table that is not a valid corpus table.
    """
    parts = [(Path(p), _manifest(Path(p))) for p in paths]
    _check_alike(parts)
    kept: dict[str, tuple[Path, pd.DataFrame]] = {}
    tables = [_new_rows(load_corpus(path), kept, path) for path, _ in parts]
    table = pd.concat(tables, ignore_index=True)
    return table, [doc for _, doc in parts]


def merge_corpora(paths: Sequence[str | os.PathLike],
                  out_dir: str | os.PathLike) -> CorpusInfo:
    """Write the corpus of :func:`merged_table` to ``out_dir`` (new or empty).

    Raises
    ------
    CorpusMergeError
        Fewer than two corpora, an ``out_dir`` that holds something, or what
        :func:`merged_table` refuses.
    """
    t0, out = time.perf_counter(), Path(out_dir)
    if len(paths) < 2:
        raise CorpusMergeError("corpus-merge needs two corpora or more")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise CorpusMergeError(f"{out} is not empty; merge into a new or empty folder")
    table, docs = merged_table(paths)
    first = docs[0]["identity"]
    identity = {"kind": "merged", **{k: first[k] for k in ("format", "feature_names",
                                                             "pca_version", "settings")},
                "parts": [d["identity"] for d in docs]}
    errors = [e for d in docs for e in d.get("errors", [])]
    out.mkdir(parents=True, exist_ok=True)
    with atomic_path(out / TABLE) as tmp:
        table.to_parquet(tmp, index=False)
    seconds = time.perf_counter() - t0
    write_manifest(out, {
        "identity": identity, "status": "complete with errors" if errors else "complete",
        "created": time.strftime(_TIME), "finished": time.strftime(_TIME),
        "merged_from": [os.fspath(p) for p in paths], "build_seconds": round(seconds, 3),
        "dictionary_version": docs[0].get("dictionary_version"),
        "versions": docs[0].get("versions"), "errors": errors,
        "label_counts": label_counts(table),
        "counts": {"sources": int(table["source"].nunique()), "windows": len(table)}})
    n = int(table["source"].nunique())
    return CorpusInfo(out, "merged", n, 0, 0, len(table), n, len(table), tuple(errors),
                      seconds)
