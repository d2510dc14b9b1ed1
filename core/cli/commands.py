"""Implementations of the ``twintrack`` subcommands (see :mod:`core.cli`).

This package is the only place in ``core`` that prints: results to stdout, problems
and progress to stderr.  The batch subcommands (``analyze``, ``corpus``) are in
:mod:`core.cli.batch`; they are re-exported here, where :func:`core.cli.main` looks.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from core.cli.batch import cmd_analyze, cmd_corpus, cmd_corpus_merge
from core.errors import TwintrackError
from core.record import NO_KEY, Analysis

__all__ = ["cmd_analyze", "cmd_score", "cmd_plan", "cmd_render", "cmd_demo", "cmd_gallery",
           "cmd_corpus", "cmd_corpus_merge", "cmd_train", "cmd_compare", "cmd_gui", "cmd_warmup",
           "cmd_fit_pca", "format_summary"]


def cmd_score(args: argparse.Namespace) -> int:
    """Print mir_eval metrics of an estimate against a reference."""
    from core.evaluation.reference import read_annotations, score

    est = read_annotations(args.estimate)
    ref = read_annotations(args.reference, match=est.name)
    metrics = score(est, ref)
    if not metrics:
        raise TwintrackError(f"{args.estimate.name} and {args.reference.name} have nothing "
                             "in common to score (boundaries, tempo or key)")
    width = max(len(k) for k in metrics)
    for name, value in metrics.items():
        print(f"{name:<{width}}  {value:.3f}")
    return 0


def format_summary(analysis: Analysis) -> str:
    """A one-screen text summary: globals, then the segment table."""
    from core.analysis.reduce import segment_table

    g = analysis.globals
    lines = [f"{Path(analysis.track.path).name}  ({analysis.duration:.1f} s, "
             f"{analysis.track.sample_rate} Hz, {analysis.track.channels} ch)",
             (f"tempo  {g.tempo:.1f} BPM   (confidence {g.tempo_confidence:.2f})"
              if g.tempo > 0 else "tempo  none (no pulse)"),
             (f"key    {g.tonic} {g.mode}   (confidence {g.key_confidence:.2f})"
              if g.key != NO_KEY else "key    none (not pitched)"),
             f"form   {' '.join(s.label for s in analysis.segments)}"
             f"   ({len(analysis.segments)} segments, "
             f"{len({s.label for s in analysis.segments})} clusters)", ""]
    lines.append(f"{'seg':>3}  {'start':>7}  {'end':>7}  {'dur':>6}  {'tempo':>6}  key")
    for i, row in enumerate(segment_table(analysis), 1):
        lines.append(f"{row.label:>3}  {_mmss(row.start):>7}  {_mmss(row.end):>7}  "
                     f"{row.duration:6.1f}  "
                     + (f"{row.tempo:6.1f}  " if row.tempo > 0 else "    --  ")
                     + ("no key" if row.key == NO_KEY else row.key.replace(':', ' '))
                     + (f"  {row.descriptor}" if row.descriptor else ""))
    if analysis.track.notes:
        lines.append("notes: " + "; ".join(analysis.track.notes))
    return "\n".join(lines)


def _mmss(t: float) -> str:
    return f"{int(t // 60)}:{t % 60:04.1f}"


def cmd_plan(args: argparse.Namespace) -> int:
    """Write ``variants`` timelines planned from an analysis."""
    from core.record import load_analysis
    from core.render.planning import plan_multi, plan_single
    from core.render.timeline import save_timeline

    analysis = load_analysis(args.analysis)
    planner = plan_multi if args.mode == "multi" else plan_single
    try:
        timelines = planner(analysis, descriptors=args.descriptor, variants=args.variants,
                            seed=args.seed)
    except ValueError as exc:
        raise TwintrackError(str(exc)) from None
    stem = Path(analysis.track.path).stem
    for i, tl in enumerate(timelines):
        path = args.out_dir / f"{stem}.{args.mode}.{i + 1:02d}.timeline.json"
        save_timeline(tl, path)
        regions = tl.regions()
        print(f"{path}: {len(regions)} region(s), "
              + ", ".join(sorted({r.region.descriptor for r in regions})))
    return 0


def _render_to(timeline, out: Path, midi: Path | None, seed: int, *,
               instruments: str | None = None, soundfont: Path | None = None):
    from core.render.engine import render_timeline, write_audio

    t0 = time.perf_counter()
    render = render_timeline(timeline, seed=seed, instruments=instruments,
                             soundfont=soundfont)
    seconds = time.perf_counter() - t0
    write_audio(render, out)
    if midi:
        render.write_midi(midi)
    return render, seconds


def cmd_render(args: argparse.Namespace) -> int:
    """Render a timeline file to WAV/FLAC (and MIDI)."""
    from core.render.timeline import load_timeline

    if args.out.suffix.lower() not in (".wav", ".flac"):
        raise TwintrackError(f"{args.out.name}: the render is written as .wav or .flac")
    timeline = load_timeline(args.timeline)
    seed = args.seed if args.seed is not None else int(timeline.meta.get("seed", 0))
    render, seconds = _render_to(timeline, args.out, args.midi, seed,
                                 instruments=args.instruments, soundfont=args.soundfont)
    print(f"{args.out}: {render.duration:.1f} s rendered in {seconds:.2f} s "
          f"({render.duration / seconds:.0f}x real time), {len(render.events)} notes, "
          f"{render.instruments} instruments"
          + "".join(f"; {note}" for note in render.notes)
          + (f"; MIDI {args.midi}" if args.midi else ""))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """The main job on the demo track: analyse (with the shipped descriptor model), plan a
    multi-region timeline, render it, analyse the render, compare, write everything."""
    from core.app.demo import analyse_demo, render_demo

    out = args.out_dir
    demo = analyse_demo(out)
    analysis, seconds = demo.analysis, demo.seconds
    print(format_summary(analysis))
    print(f"\nanalysed {analysis.duration:.1f} s in {seconds:.2f} s "
          f"({analysis.duration / seconds:.0f}x real time)"
          + ("" if demo.model else "; no descriptor model shipped, so no descriptor labels"))
    made = render_demo(demo, out)
    render, again, r_seconds = made.variant.render, made.variant.analysis, made.variant.seconds
    print(f"rendered a {len(render.timeline.regions())}-region timeline in {r_seconds:.2f} s "
          f"({render.duration / r_seconds:.0f}x real time); the render analyses as "
          f"{again.globals.tempo:.1f} BPM, {again.globals.tonic} {again.globals.mode}, "
          f"form {' '.join(s.label for s in again.segments)}")
    if made.comparison is not None:
        print("render vs original, per target: " + ", ".join(
            f"{t} {v:.2f}" for t, v in made.comparison.targets.items()))
    print("wrote " + ", ".join(str(p) for p in demo.written) + f" and the render "
          f"({demo.stem}.render.wav/.mid/.timeline.json/.json/.jams) in {out}")
    return 0


def cmd_gallery(args: argparse.Namespace) -> int:
    """Render the gallery (WAV + spectrogram PNG per example, index.md)."""
    from core.render.gallery import build_gallery

    t0 = time.perf_counter()
    written = build_gallery(args.out_dir, seconds=args.seconds, instruments=args.instruments,
                            soundfont=args.soundfont)
    print(f"gallery: {len(written) // 2} renders in {time.perf_counter() - t0:.1f} s -> "
          f"{args.out_dir / 'index.md'}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Train and save a model, or cross-validate one target (grouped by source), on one
    corpus or on several merged (:func:`core.corpus.merged_table`)."""
    from core.classify import cross_validate_target, format_accuracy, train_and_save
    from core.corpus import default_feature_set, load_corpus, merged_table

    if len(args.corpus) == 1:
        table = load_corpus(args.corpus[0])
    else:
        table, _ = merged_table(args.corpus)
    args.features = args.features or default_feature_set(table)
    print(f"features: {args.features}")
    if args.cv:
        targets = [args.target] if args.target else ["genre"]
        for target in targets:
            acc = cross_validate_target(table, target=target, cv=args.cv, kind=args.kind,
                                        seed=args.seed, feature_set=args.features)
            print(format_accuracy(target, acc))
        return 0
    if args.out is None:
        raise TwintrackError("say where to write the model (--out model.skops), or ask for "
                             "cross-validation (--target genre --cv 5)")
    t0 = time.perf_counter()
    model = train_and_save(table, args.out, kind=args.kind, seed=args.seed,
                           description=" + ".join(map(str, args.corpus)),
                           feature_set=args.features)
    print(f"{args.out}: {args.kind} model {model.version} on {len(table)} windows from "
          f"{table['source'].nunique()} sources in {time.perf_counter() - t0:.1f} s")
    return 0


def _render_pairs(folder: Path) -> list[tuple[Path, Path]]:
    """(audio, timeline) pairs: ``X.wav``/``X.flac`` beside ``X.timeline.json``."""
    pairs = []
    for audio in sorted(folder.iterdir()):
        if audio.suffix.lower() in (".wav", ".flac"):
            stem = audio.name[: -len(audio.suffix)]
            for cand in (folder / f"{stem}.timeline.json",
                         folder / f"{stem.removesuffix('.render')}.timeline.json"):
                if cand.exists():
                    pairs.append((audio, cand))
                    break
    return pairs


def cmd_compare(args: argparse.Namespace) -> int:
    """The feedback loop: analyse renders with the model and score them."""
    from core.analysis.pipeline import analyze
    from core.classify import resolve_model
    from core.evaluation.feedback import compare_multi, compare_single, summarise, write_report
    from core.render.timeline import load_timeline

    model = resolve_model(args.model or "default")
    if model is None:
        raise TwintrackError("no descriptor model: train one (twintrack train) or pass --model")
    pairs = _render_pairs(args.renders)
    if not pairs:
        raise TwintrackError(f"{args.renders}: no render (.wav/.flac) with a matching "
                             "<name>.timeline.json")
    original = analyze(args.original, model=model)
    results = []
    for audio, tl_path in pairs:
        timeline = load_timeline(tl_path)
        render = analyze(audio, model=model)
        if len(timeline.regions()) == 1 and timeline.meta.get("mode") != "multi":
            results.append(compare_single(audio.name, timeline, render))
        else:
            results.append(compare_multi(audio.name, timeline, render, original))
    comparison = summarise(Path(args.original).stem, results)
    written = write_report(comparison, args.out_dir or args.renders, json_path=args.json)
    print((Path(written[0])).read_text(encoding="utf-8"))
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    """Open the desktop workstation.

    core never imports the GUI: the GUI registers itself as the ``gui`` entry point of
    the ``twintrack.frontends`` group (``pyproject.toml``), which this looks up.
    """
    from importlib.metadata import entry_points

    render = getattr(args, "render", None)
    if render is not None and not args.files:
        raise TwintrackError("--render needs the track it was made from: "
                             "twintrack gui TRACK --render RENDER.wav")
    found = entry_points(group="twintrack.frontends", name="gui")
    if not found:
        raise TwintrackError("the desktop GUI is not installed with this copy of Twintrack")
    try:
        start = next(iter(found)).load()
    except ImportError as exc:
        raise TwintrackError(f"the desktop GUI cannot start: {exc}") from None
    return int(start([str(f) for f in args.files],
                     render=str(render) if render is not None else None) or 0)


def cmd_warmup(args: argparse.Namespace) -> int:
    """Make sure the compiled-kernel cache is complete and sound (build or rebuild it once)."""
    from core.app.warmup import warm_up

    def say(message: str) -> None:
        if not args.quiet:
            print(f"twintrack: {message}", file=sys.stderr)

    seconds = warm_up(verify=True, progress=say)
    if not args.quiet:
        print(f"warm: analysis kernels ready ({seconds:.1f} s)")
    return 0


def cmd_fit_pca(args: argparse.Namespace) -> int:
    """Fit and save the PCA basis of the window features on reference recordings."""
    import numpy as np

    from core.analysis.audio import load_for_analysis
    from core.analysis.features import compute_frame_features, window_grid
    from core.analysis.featureset import fit_pca, pca_inputs, pca_path
    from core.io.atomic import atomic_write_text

    rows, corpus = [], []
    for path in args.audio:
        audio = load_for_analysis(path)
        frames = compute_frame_features(np.asarray(audio.y))
        grid = window_grid(audio.duration, frames.n_frames, sr=frames.settings.sr,
                           hop_length=frames.settings.hop_length)
        rows.append(pca_inputs(frames, grid))
        corpus.append(f"{path.name} sha256:{audio.info.sha256}")
    basis = fit_pca(np.vstack(rows), version=args.version, corpus=tuple(corpus))
    atomic_write_text(pca_path(args.version), basis.to_json() + "\n")
    print(f"{args.version}: {sum(len(r) for r in rows)} windows from {len(rows)} files, "
          f"explained variance {', '.join(f'{v:.2f}' for v in basis.explained_variance_ratio)}")
    return 0
