"""The ``twintrack`` command's arguments: one sub-parser per subcommand.

Owns the grammar of the command line (:func:`build_parser`) and the checks of
argument values (export formats, corpus durations); :mod:`core.cli` parses with it
and :mod:`core.cli.commands` acts on the result.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core import __version__
from core.analysis.featureset import FEATURE_SETS, TRAIN_SET, USER_SET

__all__ = ["build_parser", "FORMATS"]

#: The analysis export formats ``twintrack analyze --format`` chooses from.
FORMATS = ("json", "jams", "csv", "audacity", "svcsv", "chords")
_DESCRIPTION = "The ``twintrack`` command line."  # --help's headline, as core.cli's docstring


def _formats(text: str) -> list[str]:
    names = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [n for n in names if n not in FORMATS]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(bad) or '(none)'}; choose from {', '.join(FORMATS)}")
    return names


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number from 1 to 1000")
    return value


def _durations(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(d) for d in text.split(",") if d.strip())
    except ValueError:
        values = ()
    if not values or min(values) < 1.0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected seconds like 10,30,60 (each >= 1)")
    return values


def _cluster(text: str) -> str:
    from core.parallel import ClusterError, cluster_workers

    try:
        cluster_workers(text)
    except ClusterError as exc:
        raise argparse.ArgumentTypeError(
            str(exc).removeprefix(f"--cluster {text!r}: ")) from None
    return text


_CLUSTER_HELP = ("run on Dask instead of local processes: local[:N] (a LocalCluster of N "
                 "one-thread workers) or tcp://HOST:PORT (a running 'dask scheduler')")


def _instrument_options(p: argparse.ArgumentParser) -> None:
    """What plays a render's notes (``core.render.engine.render_timeline``)."""
    p.add_argument("--instruments", choices=("synth", "soundfont", "auto"), default=None,
                   help="synth: hand-built synthesis; soundfont: a General MIDI SoundFont "
                        "(an error if none is found); auto: the SoundFont when found, else "
                        "synthesis (default: synth)")
    p.add_argument("--soundfont", type=Path, default=None,
                   help="the .sf2 file (default: $TWINTRACK_SOUNDFONT, then "
                        "/usr/share/sounds/sf2/FluidR3_GM.sf2 and other usual places)")


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command, every subcommand's options included."""
    p = argparse.ArgumentParser(prog="twintrack", description=_DESCRIPTION)
    p.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    p.add_argument("--version", action="version", version=f"twintrack {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyze", help="analyse audio files and write the results")
    a.add_argument("audio", nargs="+", metavar="INPUT",
                   help="audio files, folders (their audio files, recursive), quoted glob "
                        "patterns ('music/**/*.flac') or @list.txt (one path a line)")
    a.add_argument("--out-dir", type=Path, default=Path("."),
                   help="outputs mirror the inputs' folders under it")
    a.add_argument("--force", action="store_true",
                   help="analyse again files whose outputs are up to date")
    a.add_argument("--report", type=Path, default=None, metavar="JSONL",
                   help="write one JSON line per file: path, status, error, seconds, outputs")
    a.add_argument("--format", type=_formats, default=list(FORMATS),
                   help=f"comma-separated, from {','.join(FORMATS)} (default: all)")
    a.add_argument("--jobs", type=int, default=0, help="parallel processes (0: one per core)")
    a.add_argument("--cluster", type=_cluster, default=None, metavar="SPEC", help=_CLUSTER_HELP)
    a.add_argument("--k", type=int, default=None, help="force the number of form clusters")
    a.add_argument("--vocal-suppression", nargs="?", choices=("auto", "on", "off"),
                   const="on", default="off",
                   help="classify the repeating background (REPET-SIM), not the full mix: "
                        "'auto' where the voice tags hear a singer (on a song about 4x the "
                        "analysis time), 'on' (the bare flag) always, 'off' (default) never")
    a.add_argument("--model", default="default",
                   help="descriptor model file, 'default' (the shipped one) or 'none'")
    a.add_argument("--tags", action=argparse.BooleanOptionalAction, default=True,
                   help="tag every window with the real-music taggers (musicnn: genres and "
                        "moods, instruments and voice; they also inform the descriptor "
                        "genre); --no-tags skips them (faster)")
    a.add_argument("--tag-stride", type=_positive_int, default=2, metavar="N",
                   help="tag every N-th 3 s patch (default 2: a patch every 6 s, about half "
                        "the cost of 1, which tags the whole track)")
    a.add_argument("--quiet", action="store_true", help="no progress bar")

    s = sub.add_parser("score", help="score an analysis or JAMS against a reference")
    s.add_argument("estimate", type=Path)
    s.add_argument("reference", type=Path)

    pl = sub.add_parser("plan", help="plan render timelines from an analysis")
    pl.add_argument("analysis", type=Path)
    pl.add_argument("--mode", choices=("single", "multi"), default="multi")
    pl.add_argument("--variants", type=int, default=10)
    pl.add_argument("--descriptor", action="append", default=None,
                    help="descriptor name (repeat: one per segment for multi, ranked for single)")
    pl.add_argument("--seed", type=int, default=0)
    pl.add_argument("--out-dir", type=Path, default=Path("."))

    r = sub.add_parser("render", help="render a timeline to audio (and MIDI)")
    r.add_argument("timeline", type=Path)
    r.add_argument("--out", type=Path, required=True, help=".wav or .flac")
    r.add_argument("--midi", type=Path, default=None)
    r.add_argument("--seed", type=int, default=None, help="default: the timeline's own seed")
    _instrument_options(r)

    g = sub.add_parser("gallery", help="render one example per genre plus momentum and "
                                      "valence sweeps, with spectrograms")
    g.add_argument("--out-dir", type=Path, default=Path("gallery"))
    g.add_argument("--seconds", type=float, default=20.0)
    _instrument_options(g)

    c = sub.add_parser("corpus", help="build a labelled training corpus (renders, a folder "
                                      "or a CSV)")
    c.add_argument("out_dir", type=Path, help="new or empty folder, or an unfinished build")
    src = c.add_mutually_exclusive_group()
    src.add_argument("--from-folder", type=Path, metavar="DIR",
                     help="your audio, one sub-folder per label (e.g. genres/blues/*.wav)")
    src.add_argument("--from-csv", type=Path, metavar="CSV",
                     help="a CSV with a path column and label columns")
    c.add_argument("--target", choices=("genre", "subgenre", "mood", "sentiment", "valence",
                                        "momentum"), default="genre",
                   help="which target the sub-folder names are (with --from-folder)")
    c.add_argument("--per-descriptor", type=int, default=20)
    c.add_argument("--durations", type=_durations, default=(10.0, 30.0, 60.0))
    c.add_argument("--descriptor", action="append", default=None,
                   help="only this descriptor (repeatable)")
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--jobs", type=int, default=0, help="parallel processes (0: one per core)")
    c.add_argument("--cluster", type=_cluster, default=None, metavar="SPEC", help=_CLUSTER_HELP)
    c.add_argument("--quiet", action="store_true")

    m = sub.add_parser("corpus-merge", help="merge finished corpora (shards built apart, "
                                            "or corpora of other sources) into one")
    m.add_argument("corpora", nargs="+", type=Path, metavar="CORPUS", help="corpus folders")
    m.add_argument("-o", "--out", type=Path, required=True, help="new or empty folder")

    t = sub.add_parser("train", help="train a descriptor model on corpora (or cross-validate)")
    t.add_argument("corpus", type=Path, nargs="+",
                   help="corpus folder or features.parquet; several are merged first")
    t.add_argument("--out", type=Path, default=None, help="model file to write (.skops)")
    t.add_argument("--kind", choices=("knn", "mlp"), default="mlp")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--target", default=None, help="with --cv: the target to cross-validate")
    t.add_argument("--cv", type=int, default=0, help="k-fold cross-validation grouped by source")
    t.add_argument("--features", default=None, choices=tuple(FEATURE_SETS),
                   help=f"named window feature set the model reads (default: {TRAIN_SET} "
                        f"for renders, {USER_SET} with the real-music tagger's embeddings "
                        "for a corpus of your own recordings)")

    co = sub.add_parser("compare", help="score renders against their original (feedback loop)")
    co.add_argument("original", type=Path, help="the original track (audio)")
    co.add_argument("--renders", type=Path, required=True,
                    help="folder of render WAV/FLAC files, each with <stem>.timeline.json")
    co.add_argument("--model", type=Path, default=None, help="default: the shipped model")
    co.add_argument("--out-dir", type=Path, default=None, help="default: the renders folder")
    co.add_argument("--json", type=Path, default=None)

    gu = sub.add_parser("gui", help="open the desktop workstation")
    gu.add_argument("files", nargs="*", type=Path)
    gu.add_argument("--render", type=Path, default=None,
                    help="a render of the first file (WAV/FLAC with its <stem>.timeline.json "
                         "beside it, as 'twintrack demo' writes), shown as its B lane")

    d = sub.add_parser("demo", help="run the main job on the bundled demo track")
    d.add_argument("--out-dir", type=Path, default=Path("demo-output"))

    w = sub.add_parser("warmup", help="compile and cache the numerical kernels")
    w.add_argument("--quiet", action="store_true")

    f = sub.add_parser("fit-pca", help="(maintainers) fit the shipped PCA basis")
    f.add_argument("audio", nargs="+", type=Path)
    f.add_argument("--version", required=True)
    return p
