"""Descriptor classifiers on a render corpus: KNN vs MLP, honest vs leaky split.

For each model kind, fits on one side of a split and scores the other with
``core.classify.evaluate`` (``UNK`` counts as wrong): the *grouped* split holds out
whole renders and is the number that matters; the *window* split shares renders
between train and test through the 80 % window overlap and shows how much a random
split inflates accuracy.  The baseline is the majority class of the grouped training
side; the ratio printed is grouped accuracy over that baseline.  Confusion matrices
and classification reports are written as CSV and text to ``--out``.

Usage: ``python -m bench.classify [--corpus PATH] [--out DIR] [--kinds knn,mlp]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_CORPUS = Path("/work/corpus20v5/features.parquet")
#: Grouped-split accuracy each target should reach.
GOALS = {"genre": 0.97, "subgenre": 0.90, "mood": 0.90, "sentiment": 0.90,
         "valence": 0.90, "momentum": 0.90}


def _majority(table, target: str, seed: int, test_size: float) -> float:
    from core.classify import split_indices

    tr, te = split_indices(table, split="grouped", test_size=test_size, seed=seed)
    top = table[target].iloc[tr].astype(str).value_counts().index[0]
    return float(np.mean(table[target].iloc[te].astype(str) == top))


def _describe(table) -> str:
    per = table.groupby("descriptor")["source"].nunique()
    return (f"corpus: {len(table)} windows, {table['source'].nunique()} sources, "
            f"{len(per)} descriptors ({per.min()}-{per.max()} sources each, "
            f"median {per.median():.0f})")


def _row(name: str, cells: list[str], goal: str, base: str) -> str:
    return f"{name:<11}{goal:>6}" + "".join(f"{c:>13}" for c in cells) + f"{base:>10}"


def _report(table, runs, kinds, args) -> None:
    heads = [f"{k} {s}" for k in kinds for s in ("grouped", "window")]
    print(_row("target", heads, "goal", "majority"))
    for t in [*GOALS, "descriptor"]:
        if t not in runs[kinds[0], "grouped"].accuracy:
            continue
        cells = [f"{runs[k, s].accuracy[t]:.3f}" + ("" if s == "window" or t not in GOALS
                                                    or runs[k, s].accuracy[t] >= GOALS[t]
                                                    else " !")
                 for k in kinds for s in ("grouped", "window")]
        base = f"{_majority(table, t, args.seed, args.test_size):.3f}" if t in GOALS else ""
        print(_row(t, cells, f"{GOALS.get(t, 0):.2f}" if t in GOALS else "", base))
    print(_row("per source", [f"{runs[k, s].source_accuracy['genre']:.3f}" for k in kinds
                              for s in ("grouped", "window")], "", ""))
    print(_row("  (mood)", [f"{runs[k, s].source_accuracy['mood']:.3f}" for k in kinds
                            for s in ("grouped", "window")], "", ""))
    print(_row("UNK rate", [f"{runs[k, s].unk_rate:.3f}" for k in kinds
                            for s in ("grouped", "window")], "", ""))
    print("(! below goal; UNK counts as wrong; per source: genre/mood of each test source's "
          "majority, as a segment's majority rules)")
    for (k, s), ev in runs.items():
        print(f"{k:>4} {s:<8} fit {ev.fit_seconds:7.2f} s on {ev.n_train} windows, predict "
              f"{ev.predict_seconds:6.2f} s for {ev.n_test} "
              f"({1e3 * ev.predict_seconds / max(ev.n_test, 1):.2f} ms/window)")
    for k in kinds:
        g, w = runs[k, "grouped"].accuracy, runs[k, "window"].accuracy
        base = _majority(table, "genre", args.seed, args.test_size)
        print(f"{k}: genre grouped/majority ratio {g['genre'] / max(base, 1e-9):.2f}; "
              f"leak (window - grouped) mood {w['mood'] - g['mood']:+.3f}, "
              f"descriptor {w['descriptor'] - g['descriptor']:+.3f}")


def main(argv: list[str] | None = None) -> int:
    from core.classify import evaluate
    from core.corpus import load_corpus

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "classify")
    ap.add_argument("--kinds", default="knn,mlp")
    ap.add_argument("--features", default="extended-v4,extended-v3",
                    help="named feature sets to compare (comma-separated)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--test-size", type=float, default=0.25)
    args = ap.parse_args(argv)
    if not args.corpus.exists():
        print(f"skipped: no corpus at {args.corpus} (build one, or pass --corpus)")
        return 0
    table = load_corpus(args.corpus)
    print(_describe(table))
    kinds = args.kinds.split(",")
    runs_all = {}
    for fs in args.features.split(","):
        print(f"\nfeature set {fs}")
        runs = {(k, s): evaluate(table, kind=k, split=s, test_size=args.test_size,
                                 seed=args.seed, feature_set=fs)
                for k in kinds for s in ("grouped", "window")}
        runs_all.update({(fs, k, s): ev for (k, s), ev in runs.items()})
        _report(table, runs, kinds, args)
    for fs in args.features.split(","):
        (args.out / fs).mkdir(parents=True, exist_ok=True)
    files = [f for (fs, _, _), ev in runs_all.items()
             for f in ev.write(args.out / fs)]
    print(f"wrote {len(files)} confusion/report files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
