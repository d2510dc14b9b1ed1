"""The ``twintrack`` subcommands that run many jobs: ``analyze`` (files, folders, lists)
and ``corpus`` (a training corpus), with a progress bar and a clean Ctrl-C, on local
processes or a Dask cluster (``--cluster``); and ``corpus-merge``, which joins corpora.

Like :mod:`core.cli.commands`, it prints: results to stdout, problems and progress to
stderr.  The work itself is :mod:`core.app.batch` and :mod:`core.corpus`.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import time
from pathlib import Path

from core.record import Settings

__all__ = ["cmd_analyze", "cmd_corpus", "cmd_corpus_merge"]


def _progress_bar(n_files: int, *, quiet: bool):
    """A tqdm bar over ``n_files`` files fed with per-file fractions."""
    from tqdm import tqdm

    bar = tqdm(total=n_files, unit="file", file=sys.stderr, disable=quiet or None,
               bar_format="{l_bar}{bar}| {n:.1f}/{total} files [{elapsed}<{remaining}]")
    fractions = [0.0] * n_files

    def update(index: int, fraction: float, stage: str) -> None:
        fractions[index] = fraction
        bar.n = sum(fractions)
        bar.set_postfix_str(stage, refresh=False)
        bar.refresh()

    return bar, update


def cmd_analyze(args: argparse.Namespace) -> int:
    """Analyse every input (files, folders, globs, @lists), write the chosen formats
    mirroring the inputs' tree, skip files already done; 0 if all succeeded, 1 if any
    failed or named nothing, 130 if stopped with Ctrl-C (a second Ctrl-C stops at once)."""
    from core.app.batch import FileResult, analyze_files, summary_table, write_report
    from core.app.batch_cache import default_cache_dir, prune
    from core.app.batch_inputs import collect_inputs
    from core.classify import resolve_model

    t0 = time.perf_counter()
    inputs, problems = collect_inputs(args.audio)
    for label, reason in problems:
        print(f"twintrack: {label}: {reason}", file=sys.stderr)
    bar, update = _progress_bar(len(inputs), quiet=args.quiet)
    settings = Settings(k=args.k, vocal_suppression=args.vocal_suppression == "on",
                        vocals_auto=args.vocal_suppression == "auto", tags=args.tags,
                        tag_stride=args.tag_stride)
    model = resolve_model(args.model)
    results: list[FileResult] = []
    with bar, _stop_on_interrupt(bar) as stop:
        for res in analyze_files(inputs, args.out_dir, args.format, settings=settings,
                                 jobs=args.jobs, model=model, progress=update,
                                 cancelled=stop.is_set, cache_dir=default_cache_dir(),
                                 force=args.force, cluster=args.cluster):
            update(res.index, 1.0, "done")
            results.append(res)
            _say_result(bar, res)
    prune(default_cache_dir())
    counts = {s: sum(r.status == s for r in results) for s in ("analysed", "failed")}
    results.sort(key=lambda r: r.index)
    results += [FileResult(-1, Path(label), error=reason) for label, reason in problems]
    if args.report is not None:
        write_report(args.report, results)
    print(summary_table(results, time.perf_counter() - t0), file=sys.stderr)
    if stop.is_set():
        print(f"twintrack: interrupted: {counts['analysed']} of {len(inputs)} files analysed "
              f"and written, {counts['failed']} failed, the others stopped, skipped or not "
              "started (nothing half-written)", file=sys.stderr)
        return 130
    return 1 if counts["failed"] or problems else 0


def _say_result(bar, res) -> None:
    """One line per file as it is done (flushed, also into a pipe)."""
    outputs = ", ".join(str(w) for w in res.written)
    if res.status == "failed":
        bar.write(f"twintrack: {res.error}", file=sys.stderr)
    elif res.status == "analysed":
        bar.write(f"{res.path}: {res.duration:.1f} s analysed in {res.seconds:.2f} s "
                  f"-> {outputs}", file=sys.stdout)
    elif res.status == "skipped":
        bar.write(f"{res.path}: up to date, skipped -> {outputs}", file=sys.stdout)
    sys.stdout.flush()


@contextlib.contextmanager
def _stop_on_interrupt(bar):
    """The first Ctrl-C sets the event the batch polls (it then stops cleanly); a
    second one interrupts at once."""
    stop = threading.Event()

    def first(signum, frame):
        stop.set()
        bar.write("twintrack: stopping (Ctrl-C again to quit at once)", file=sys.stderr)
        signal.signal(signal.SIGINT, signal.default_int_handler)

    try:
        previous = signal.signal(signal.SIGINT, first)
    except ValueError:  # not the main thread: Ctrl-C is not ours to catch
        yield stop
        return
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def cmd_corpus(args: argparse.Namespace) -> int:
    """Build (or resume) a training corpus; 0 if every source made it into the table."""
    from core.corpus import corpus_from_csv, corpus_from_folder, generate_corpus, summary

    bar, update = _progress_bar(1, quiet=args.quiet)
    common = dict(jobs=args.jobs, cluster=args.cluster, progress=lambda f, s: update(0, f, s))
    with bar:
        if args.from_folder:
            info = corpus_from_folder(args.from_folder, args.out_dir, target=args.target,
                                      **common)
        elif args.from_csv:
            info = corpus_from_csv(args.from_csv, args.out_dir, **common)
        else:
            info = generate_corpus(args.out_dir, per_descriptor=args.per_descriptor,
                                   durations=args.durations, seed=args.seed,
                                   descriptors=args.descriptor, **common)
    print(summary(info))
    return 1 if info.n_failed else 0


def cmd_corpus_merge(args: argparse.Namespace) -> int:
    """Merge finished corpora into a new one (each source once; mismatches refused)."""
    from core.corpus import merge_corpora

    info = merge_corpora(args.corpora, args.out)
    print(f"corpus: {info.n_sources} sources, {info.n_windows} windows from "
          f"{len(args.corpora)} corpora -> {info.table}")
    return 0
