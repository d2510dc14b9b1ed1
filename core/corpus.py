"""The labelled training corpus: window features of renders, or of a user's own audio.

Three sources, one table (a row per analysis window, columns :data:`COLUMNS`):

* :func:`generate_corpus` renders ``per_descriptor`` examples of every active
  descriptor (durations cycled, tempo drawn in the descriptor's range, tonic uniform,
  major/minor by the descriptor's mode family, instrumentation drawn per render);
* :func:`corpus_from_folder`: one sub-folder per label (GTZAN style,
  ``genres/blues/*.wav``); **the sub-folder name is the value of** ``target``
  (default ``genre``), the other targets stay empty;
* :func:`corpus_from_csv`: a CSV with a ``path`` column (relative to the CSV's folder,
  or absolute) and any of the target columns.

Features come from :func:`core.analysis.pipeline.window_feature_table`, the analysis's own code
path.  ``out_dir`` holds ``corpus.json`` (what was asked, versions, counts, errors, build
time), ``shards/<id>.parquet`` (one source's rows, written atomically once done) and,
at the end, ``features.parquet`` (all shards in plan order).  A build that stopped
(cancelled, killed) resumes when run again with the same arguments, skipping finished
shards; other arguments are refused.  Sources run in forked processes with one BLAS
thread each; a bad audio file becomes a message in the manifest, never a stopped build.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import math
import multiprocessing as mp
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from core.descriptors import Descriptor, Dictionary, load_dictionary
from core.errors import Cancelled, FormatError, TwintrackError
from core.analysis.featureset import FEATURE_NAMES, FEATURE_SETS, PCA_VERSION, WIDEST_SET
from core.io.atomic import atomic_path, atomic_write_text
from core.record import TARGETS, Settings
from core.progress import CancelledFn, ProgressFn, Reporter
from core.render.theory import NOTE_NAMES, family

__all__ = ["CorpusInfo", "CorpusJob", "CorpusMismatchError", "generate_corpus", "plan_renders",
           "corpus_from_folder", "corpus_from_csv", "load_corpus", "summary", "COLUMNS",
           "META_COLUMNS", "AUDIO_EXTENSIONS", "MANIFEST", "TABLE"]

logger = logging.getLogger(__name__)

CORPUS_FORMAT = "twintrack-corpus-2"
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
_STRINGS = ("source", "descriptor", *TARGETS, "tonic", "mode")
AUDIO_EXTENSIONS = frozenset({".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff",
                              ".aifc", ".au", ".m4a", ".wma"})
_TIME = "%Y-%m-%dT%H:%M:%S%z"
_Entry = tuple[str, Path, dict[str, str]]  # source, file, labels


class CorpusMismatchError(TwintrackError):
    """``out_dir`` holds a corpus built with other arguments, or something else entirely."""


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


@dataclass(frozen=True)
class _Outcome:
    index: int
    windows: int = 0
    error: str | None = None
    cancelled: bool = False


# ----------------------------------------------------------------------------- planning
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
    a render stays the same when other descriptors are added or left out.
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
            i = len(jobs)
            jobs.append(CorpusJob(i, f"r{i:06d}", tuple(d.labels().items()), d.name, tempo,
                                  tonic, mode, float(durations[k % len(durations)]), s,
                                  instrumentation(d, seed=s)))
    return jobs


# ----------------------------------------------------------------------------- one source
def _audio(job: CorpusJob, settings: Settings, cancelled: CancelledFn | None):
    from core.analysis.audio import audio_from_array, load_for_analysis
    from core.render.engine import render_timeline
    from core.render.timeline import Region, Span, Timeline

    if job.path is not None:
        return load_for_analysis(job.path, sr=settings.sr, reporter=Reporter(None, cancelled))
    spans = (Span(0.0, "metered", 0, job.tempo, job.groups,
                  (Region(0, job.descriptor, job.tonic, job.mode, 0.0),)),
             Span(job.duration, "unmetered", 1))
    render = render_timeline(Timeline(spans, {"title": job.source, "seed": job.seed}),
                             seed=job.seed, cancelled=cancelled)
    return audio_from_array(render.audio, render.sr, name=job.source, target_sr=settings.sr)


def _rows(job: CorpusJob, settings: Settings, cancelled: CancelledFn | None) -> pd.DataFrame:
    """The source's windows as table rows (the very features the analysis computes)."""
    from core.analysis.pipeline import window_feature_table

    audio = _audio(job, settings, cancelled)
    grid, feats = window_feature_table(audio, settings=settings, feature_set=WIDEST_SET,
                                       reporter=Reporter(None, cancelled))
    n, labels = len(feats), dict(job.labels)
    cols: dict[str, Any] = {"source": [job.source] * n, "descriptor": [job.descriptor] * n}
    cols.update({t: [labels.get(t, "")] * n for t in TARGETS})
    cols.update(tempo_asked=np.full(n, job.tempo), tonic=[job.tonic] * n, mode=[job.mode] * n,
                duration=np.full(n, job.duration if job.path is None else audio.duration),
                seed=pd.array([job.seed] * n, dtype="Int64"),
                window_start=np.asarray(grid.starts, np.float64),
                window_end=np.asarray(grid.ends, np.float64))
    cols.update({f: np.asarray(feats[:, i], np.float64) for i, f in enumerate(ALL_FEATURES)})
    return pd.DataFrame(cols).astype({c: "str" for c in _STRINGS})  # one schema everywhere


def _run_job(job: CorpusJob, out: Path, settings: Settings,
             cancelled: CancelledFn | None) -> _Outcome:
    """Make one source's shard; a problem becomes a message and the build goes on."""
    try:
        rows = _rows(job, settings, cancelled)
    except Cancelled:
        return _Outcome(job.index, cancelled=True)
    except TwintrackError as exc:  # audio errors start with the file name: say it once
        text = str(exc).removeprefix(Path(job.source).name + ": ")
        return _Outcome(job.index, error=f"{job.source}: {text}")
    except Exception as exc:  # a bug in one render must not end a many-hour build
        logger.exception("%s failed", job.source)
        return _Outcome(job.index, error=f"{job.source}: {type(exc).__name__}: {exc}")
    with atomic_path(_shard_path(out, job)) as tmp:
        rows.to_parquet(tmp, index=False)
    return _Outcome(job.index, windows=len(rows))


def _shard_path(out: Path, job: CorpusJob) -> Path:
    return out / "shards" / f"{job.shard}.parquet"


# ----------------------------------------------------------------------------- running
_stop: Any = None  # the workers' cancel flag (an mp.Event set by the parent)
_Done = Callable[[_Outcome], None]


def _init_worker(stop: Any) -> None:
    from threadpoolctl import threadpool_limits

    global _stop
    _stop = stop
    threadpool_limits(1)  # one process per core: more BLAS threads only contend


def _worker(job: CorpusJob, out: Path, settings: Settings) -> _Outcome:
    return _run_job(job, out, settings, _stop.is_set)


def _serial(todo: list[CorpusJob], out: Path, settings: Settings, rep: Reporter,
            finished: _Done) -> None:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # the workers' arithmetic, so serial == parallel exactly
        for job in todo:
            rep.check()
            outcome = _run_job(job, out, settings, rep.cancelled)
            if outcome.cancelled:
                raise Cancelled("cancelled")
            finished(outcome)


def _parallel(todo: list[CorpusJob], out: Path, settings: Settings, n_jobs: int,
              rep: Reporter, finished: _Done) -> None:
    import core.analysis.pipeline  # noqa: F401  imported once here, inherited by the forked workers
    import core.render.engine  # noqa: F401

    ctx = mp.get_context("fork")
    stop = ctx.Event()
    pool = ProcessPoolExecutor(n_jobs, mp_context=ctx, initializer=_init_worker,
                               initargs=(stop,))
    waiting, pending = iter(todo), set()
    try:
        while True:  # a short queue, not thousands of futures: cancelling stays quick
            while len(pending) < 2 * n_jobs and (job := next(waiting, None)) is not None:
                pending.add(pool.submit(_worker, job, out, settings))
            if not pending:
                return
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for outcome in (f.result() for f in done):
                if outcome.cancelled:
                    raise Cancelled("cancelled")
                finished(outcome)
            rep.check()
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)


def _build(kind: str, jobs: list[CorpusJob], identity: dict[str, Any], out_dir: Any, *,
           settings: Settings, n_jobs: int, progress: ProgressFn | None,
           cancelled: CancelledFn | None) -> CorpusInfo:
    """Make the missing shards, then combine them and complete the manifest."""
    t0, out = time.perf_counter(), Path(out_dir)
    manifest = _begin(out, identity)
    rep, rep_end = Reporter(progress, cancelled).split([0.97, 0.03])
    todo = [j for j in jobs if not _shard_path(out, j).exists()]
    count = {"done": len(jobs) - len(todo), "windows": 0}
    errors: list[tuple[int, str]] = []
    rep(count["done"] / max(len(jobs), 1), f"{count['done']} of {len(jobs)} already done")

    def finished(o: _Outcome) -> None:
        count["done"] += 1
        count["windows"] += o.windows
        if o.error:
            errors.append((o.index, o.error))
            logger.info("skipped %s", o.error)  # the summary and the manifest list it too
        rep(count["done"] / len(jobs), f"{jobs[o.index].source} ({count['done']}/{len(jobs)})")

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n = max(1, min(n_jobs or cores or 1, len(todo)))
    if n == 1:
        _serial(todo, out, settings, rep, finished)
    else:
        _parallel(todo, out, settings, n, rep, finished)
    rep_end(0.0, "combining shards")
    n_windows = _combine(out, jobs, manifest)
    info = CorpusInfo(out, kind, len(jobs), len(jobs) - len(todo), len(errors), n_windows,
                      len(todo), count["windows"], tuple(e for _, e in sorted(errors)),
                      time.perf_counter() - t0)
    _finish(out, manifest, info)
    rep_end(1.0, "done")
    return info


# ----------------------------------------------------------------------------- manifest
def _common(settings: Settings) -> dict[str, Any]:
    return {"format": CORPUS_FORMAT, "feature_names": list(ALL_FEATURES),
            "pca_version": PCA_VERSION, "settings": asdict(settings)}


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{path}: not a readable corpus manifest ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("identity"), dict):
        raise FormatError(f"{path}: $.identity: missing; not a corpus manifest")
    return doc


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    atomic_write_text(out / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def _begin(out: Path, identity: dict[str, Any]) -> dict[str, Any]:
    """The manifest to continue: the old one if it asked for the same, else a new one."""
    identity = json.loads(json.dumps(identity))  # tuples -> lists, as they read back
    if (out / MANIFEST).exists():
        old = _read_manifest(out / MANIFEST)
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
    _write_manifest(out, manifest)
    return manifest


def _combine(out: Path, jobs: list[CorpusJob], manifest: dict[str, Any]) -> int:
    parts = [pd.read_parquet(p) for p in (_shard_path(out, j) for j in jobs) if p.exists()]
    table = (pd.concat(parts, ignore_index=True) if parts
             else pd.DataFrame({c: pd.Series(dtype="float64") for c in COLUMNS}))
    with atomic_path(out / TABLE) as tmp:
        table.to_parquet(tmp, index=False)
    manifest["label_counts"] = {t: {str(k): int(v) for k, v in table[t].value_counts()
                                    .sort_index().items() if k != ""} for t in TARGETS}
    return len(table)


def _finish(out: Path, manifest: dict[str, Any], info: CorpusInfo) -> None:
    from core.analysis.pipeline import versions

    manifest.update(
        status="complete with errors" if info.errors else "complete",
        finished=time.strftime(_TIME), last_run_seconds=round(info.seconds, 3),
        build_seconds=round(float(manifest.get("build_seconds", 0.0)) + info.seconds, 3),
        dictionary_version=load_dictionary().version, versions=asdict(versions()),
        errors=list(info.errors),
        counts={"sources": info.n_sources, "with_rows": info.n_sources - info.n_failed,
                "failed": info.n_failed, "windows": info.n_windows})
    _write_manifest(out, manifest)


# ----------------------------------------------------------------------------- public API
def generate_corpus(out_dir: str | os.PathLike, *, per_descriptor: int = 20,
                    durations: Sequence[float] = (10, 30, 60), seed: int = 0, jobs: int = 0,
                    descriptors: Sequence[str] | None = None, settings: Settings = Settings(),
                    progress: ProgressFn | None = None,
                    cancelled: CancelledFn | None = None) -> CorpusInfo:
    """Render and featurise ``per_descriptor`` examples of every active descriptor.

    Parameters
    ----------
    out_dir : path
        A new or empty folder, or an unfinished build of the same arguments (resumed).
    per_descriptor, durations, seed, descriptors
        See :func:`plan_renders`; ``descriptors`` None means every active one.
    jobs : int
        Processes; 0 means one per available core.  The table does not depend on it.
    settings : Settings
        Analysis settings of the window features (sample rate, window grid).
    progress, cancelled : callable, optional
        See :mod:`core.progress`; progress comes per finished render.

    Raises
    ------
    CorpusMismatchError
        ``out_dir`` holds a corpus of other arguments, or unrelated files.
    core.descriptors.UnknownDescriptorError, core.errors.Cancelled
    """
    dictionary = load_dictionary()
    plan = plan_renders(per_descriptor=per_descriptor, durations=durations, seed=seed,
                        descriptors=descriptors, dictionary=dictionary)
    identity = {"kind": "renders", "per_descriptor": per_descriptor, "seed": seed,
                "durations": [float(d) for d in durations],
                "descriptors": sorted({j.descriptor for j in plan}),
                "dictionary_version": dictionary.version, **_common(settings)}
    return _build("renders", plan, identity, out_dir, settings=settings, n_jobs=jobs,
                  progress=progress, cancelled=cancelled)


def _from_files(kind: str, where: Path, entries: list[_Entry], out_dir: Any,
                extra: dict[str, Any], **kw: Any) -> CorpusInfo:
    jobs = [CorpusJob(i, src, tuple((t, lab[t]) for t in TARGETS if t in lab), path=str(f))
            for i, (src, f, lab) in enumerate(entries)]
    listing = json.dumps([(j.source, j.labels) for j in jobs]).encode("utf-8")
    identity = {"kind": kind, kind: str(where.resolve()), **extra, "sources": len(jobs),
                "sources_sha256": hashlib.sha256(listing).hexdigest(),
                **_common(kw["settings"])}
    return _build(kind, jobs, identity, out_dir, **kw)


def corpus_from_folder(folder: str | os.PathLike, out_dir: str | os.PathLike, *,
                       target: str = "genre", jobs: int = 0, settings: Settings = Settings(),
                       progress: ProgressFn | None = None,
                       cancelled: CancelledFn | None = None) -> CorpusInfo:
    """A corpus of the audio in ``folder``'s label sub-folders.

    Each sub-folder of ``folder`` is a label: its name is the value of ``target``
    (``genre`` unless said otherwise) for every audio file in it, at any depth
    (``genres/blues/blues.00000.wav`` has genre ``blues``).  Files directly in ``folder``
    have no label and are left out; the other targets stay empty.  ``source`` is the
    path relative to ``folder``.  Unreadable files are skipped, each with a message in
    ``errors`` and the manifest.  Other parameters as :func:`generate_corpus`.
    """
    root = Path(folder)
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
    return _from_files("folder", root, entries, out_dir, {"target": target}, settings=settings,
                       n_jobs=jobs, progress=progress, cancelled=cancelled)


def _read_csv(path: Path) -> list[_Entry]:
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
    entries: list[_Entry] = []
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
    return entries


def corpus_from_csv(csv_file: str | os.PathLike, out_dir: str | os.PathLike, *, jobs: int = 0,
                    settings: Settings = Settings(), progress: ProgressFn | None = None,
                    cancelled: CancelledFn | None = None) -> CorpusInfo:
    """A corpus of the files a CSV lists, with their labels.

    The CSV has a ``path`` column (relative to the CSV's folder, or absolute) and any of
    genre, subgenre, mood, sentiment, valence, momentum (absent ones stay empty).
    ``source`` is the path as written.  Missing or unreadable files are skipped with a
    message.  Other parameters as :func:`generate_corpus`.

    Raises
    ------
    FormatError
        No ``path`` or label column, no rows, an empty or repeated path.
    """
    path = Path(csv_file)
    entries = _read_csv(path)
    if not entries:
        raise FormatError(f"{path.name}: no rows")
    return _from_files("csv", path, entries, out_dir, {}, settings=settings, n_jobs=jobs,
                       progress=progress, cancelled=cancelled)


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
        pca = _read_manifest(table.parent / MANIFEST)["identity"].get("pca_version")
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


def summary(info: CorpusInfo) -> str:
    """A few lines for the CLI: counts, speed, the table, what was skipped."""
    unit = "renders" if info.kind == "renders" else "files"
    rate = info.new_windows / info.seconds if info.seconds > 0 else 0.0
    lines = [f"corpus: {info.n_sources} {unit} ({info.n_resumed} already done, "
             f"{info.n_failed} skipped), {info.n_windows} windows -> {info.table}",
             f"this run: {info.new_sources} {unit}, {info.new_windows} windows in "
             f"{info.seconds:.1f} s ({rate:.1f} windows/s)"]
    return "\n".join(lines + [f"skipped {e}" for e in info.errors])
