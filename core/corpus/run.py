"""Building a corpus: every planned source's rows, made once, serially or in a process pool.

Features come from :func:`core.analysis.pipeline.window_feature_table`, the analysis's
own code path.  Each source's rows go to its shard as soon as they are made, so a build
that stopped (cancelled, killed) resumes when run again with the same arguments,
skipping finished shards; other arguments are refused.  Sources run in forked
processes (or on a Dask cluster's workers: :mod:`core.parallel`) with one BLAS thread
each (serial runs use one thread too, so all give the same table); a bad audio file
becomes a message in the manifest, never a stopped build.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from core.analysis.featureset import WIDEST_SET
from core.corpus.plan import (CorpusJob, Entry, csv_entries, file_jobs, folder_entries,
                              plan_renders)
from core.corpus.store import (ALL_FEATURES, STRING_COLUMNS, CorpusInfo, begin_build,
                               combine_shards, common_identity, finish_build, shard_path)
from core.descriptors import load_dictionary
from core.errors import Cancelled, TwintrackError
from core.io.atomic import atomic_path
from core.parallel import default_jobs, open_executor, run_bounded, stop_requested
from core.progress import CancelledFn, ProgressFn, Reporter
from core.record import TARGETS, Settings

__all__ = ["generate_corpus", "corpus_from_folder", "corpus_from_csv"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Outcome:
    index: int
    windows: int = 0
    error: str | None = None
    cancelled: bool = False


# ----------------------------------------------------------------------------- one source
def _audio(job: CorpusJob, settings: Settings, cancelled: CancelledFn | None):
    from core.analysis.audio import audio_from_array, load_for_analysis
    from core.render.engine import render_timeline
    from core.render.timeline import Timeline

    if job.path is not None:
        return load_for_analysis(job.path, sr=settings.sr, reporter=Reporter(None, cancelled))
    timeline = Timeline.from_regions((0.0, job.duration), descriptors=[job.descriptor],
                                     keys=[(job.tonic, job.mode)], tempi=[job.tempo],
                                     instrument_groups=[job.groups],
                                     meta={"title": job.source, "seed": job.seed})
    render = render_timeline(timeline, seed=job.seed, cancelled=cancelled)
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
    return pd.DataFrame(cols).astype({c: "str" for c in STRING_COLUMNS})  # one schema everywhere


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
    with atomic_path(shard_path(out, job)) as tmp:
        rows.to_parquet(tmp, index=False)
    return _Outcome(job.index, windows=len(rows))


# ----------------------------------------------------------------------------- running
_Done = Callable[[_Outcome], None]


def _init_worker() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # one process per core: more BLAS threads only contend


def _warm() -> None:
    """A fresh (cluster) worker loads the analysis and render code once, up front."""
    from core import jitcache

    jitcache.prepare()  # before librosa loads: the shared kernels, built once
    import core.analysis.pipeline  # noqa: F401
    import core.render.engine  # noqa: F401


def _worker(job: CorpusJob, out: Path, settings: Settings) -> _Outcome:
    return _run_job(job, out, settings, stop_requested)


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
              cluster: str | None, rep: Reporter, finished: _Done) -> None:
    """Local forked processes (or a Dask cluster's workers), two sources a worker queued."""
    if cluster is None:
        import core.analysis.pipeline  # noqa: F401  loaded once, inherited by the forks
        import core.render.engine  # noqa: F401
    calls = ((job.index, _worker, (job, out, settings)) for job in todo)
    with open_executor(jobs=n_jobs, cluster=cluster, init=_init_worker, warm=_warm) as ex:
        for _, outcome in run_bounded(ex, calls, cancelled=rep.cancelled):
            if outcome.cancelled:
                raise Cancelled("cancelled")
            finished(outcome)
            rep.check()


def _build(kind: str, jobs: list[CorpusJob], identity: dict[str, Any], out_dir: Any, *,
           settings: Settings, n_jobs: int, cluster: str | None, progress: ProgressFn | None,
           cancelled: CancelledFn | None) -> CorpusInfo:
    """Make the missing shards, then combine them and complete the manifest."""
    t0, out = time.perf_counter(), Path(out_dir)
    manifest = begin_build(out, identity)
    rep, rep_end = Reporter(progress, cancelled).split([0.97, 0.03])
    todo = [j for j in jobs if not shard_path(out, j).exists()]
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

    n = default_jobs(n_jobs, len(todo))
    if n == 1 and cluster is None or not todo:
        _serial(todo, out, settings, rep, finished)
    else:
        _parallel(todo, out, settings, n, cluster, rep, finished)
    rep_end(0.0, "combining shards")
    n_windows = combine_shards(out, jobs, manifest)
    info = CorpusInfo(out, kind, len(jobs), len(jobs) - len(todo), len(errors), n_windows,
                      len(todo), count["windows"], tuple(e for _, e in sorted(errors)),
                      time.perf_counter() - t0)
    finish_build(out, manifest, info)
    rep_end(1.0, "done")
    return info


# ----------------------------------------------------------------------------- public API
def generate_corpus(out_dir: str | os.PathLike, *, per_descriptor: int = 20,
                    durations: Sequence[float] = (10, 30, 60), seed: int = 0, jobs: int = 0,
                    descriptors: Sequence[str] | None = None, settings: Settings = Settings(),
                    cluster: str | None = None, progress: ProgressFn | None = None,
                    cancelled: CancelledFn | None = None) -> CorpusInfo:
    """Render and featurise ``per_descriptor`` examples of every active descriptor.

    Parameters
    ----------
    out_dir : path
        A new or empty folder, or an unfinished build of the same arguments (resumed).
    per_descriptor, durations, seed, descriptors
        See :func:`~core.corpus.plan.plan_renders`; ``descriptors`` None means every
        active one.
    jobs : int
        Processes; 0 means one per available core.  The table does not depend on it.
    cluster : str, optional
        Make the sources on Dask instead (``local[:N]`` or ``tcp://HOST:PORT``, see
        :func:`core.parallel.open_executor`); the table is the same.
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
                "dictionary_version": dictionary.version, **common_identity(settings)}
    return _build("renders", plan, identity, out_dir, settings=settings, n_jobs=jobs,
                  cluster=cluster, progress=progress, cancelled=cancelled)


def _from_files(kind: str, where: Path, entries: list[Entry], out_dir: Any,
                extra: dict[str, Any], **kw: Any) -> CorpusInfo:
    jobs = file_jobs(entries)
    listing = json.dumps([(j.source, j.labels) for j in jobs]).encode("utf-8")
    identity = {"kind": kind, kind: str(where.resolve()), **extra, "sources": len(jobs),
                "sources_sha256": hashlib.sha256(listing).hexdigest(),
                **common_identity(kw["settings"])}
    return _build(kind, jobs, identity, out_dir, **kw)


def corpus_from_folder(folder: str | os.PathLike, out_dir: str | os.PathLike, *,
                       target: str = "genre", jobs: int = 0, settings: Settings = Settings(),
                       cluster: str | None = None, progress: ProgressFn | None = None,
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
    entries = folder_entries(root, target=target)
    return _from_files("folder", root, entries, out_dir, {"target": target}, settings=settings,
                       n_jobs=jobs, cluster=cluster, progress=progress, cancelled=cancelled)


def corpus_from_csv(csv_file: str | os.PathLike, out_dir: str | os.PathLike, *, jobs: int = 0,
                    settings: Settings = Settings(), cluster: str | None = None,
                    progress: ProgressFn | None = None,
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
    return _from_files("csv", path, csv_entries(path), out_dir, {}, settings=settings,
                       n_jobs=jobs, cluster=cluster, progress=progress, cancelled=cancelled)
