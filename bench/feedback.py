"""The feedback loop on real recordings: multi-region consistency per target, per title.

For every audio file (default: the shared real recordings, ``/work/shared/data/audio``):
analyse it with the model, plan ``--variants`` multi-region timelines (one region per
form segment, its majority descriptor, tempo and key), render them, analyse the renders
with the same model and compare each region with the original's segment
(:func:`core.evaluation.feedback.compare_multi`).  Printed per title and as the mean over titles,
beside the goal (0.90 per target) and the original study's figures:

* consistency of the model's most probable labels (the loop's score), and
* the strict score, where a ``UNK`` window (far from the training renders) counts as a
  disagreement, with the share of the original's windows that are ``UNK``.

``--vocal-suppression`` runs everything again with the classification features taken
from the REPET-SIM background (:mod:`core.analysis.vocals`) and prints both, with the analysis
time of each (the baseline is the plain analysis of the same files, same run).

Usage: ``python -m bench.feedback [FILES...] [--variants N] [--seed S] [--model PATH]
[--instruments synth|soundfont|auto] [--vocal-suppression]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

AUDIO = Path("/work/shared/data/audio")
GOAL = 0.90
#: Multi-region consistency of the original study (Table: per target, over titles).
STUDY = {"genre": 0.90, "subgenre": 0.855, "mood": 0.755, "sentiment": 0.635,
         "valence": 0.686, "momentum": 0.413}


def run(paths: list[Path], *, model, variants: int, suppress: bool, seed: int = 0,
        instruments: str | None = None):
    from core.analysis.pipeline import analyze
    from core.app.renders import render_and_reanalyse
    from core.evaluation.feedback import compare_multi, summarise
    from core.record import Settings

    settings = Settings(vocal_suppression=suppress)
    titles, seconds = [], 0.0
    for path in paths:
        t0 = time.perf_counter()
        original = analyze(path, settings=settings, model=model)
        seconds += time.perf_counter() - t0
        renders = render_and_reanalyse(original, variants=variants, seed=seed, model=model,
                                       settings=settings, name="render",
                                       instruments=instruments)
        results = [compare_multi(str(v.render.timeline.meta["title"]), v.render.timeline,
                                 v.analysis, original) for v in renders]
        titles.append((path.stem, len(original.segments), summarise(path.stem, results)))
    return titles, seconds


def table(titles, targets) -> None:
    print(f"{'title':<34}{'segs':>5}{'UNK':>6}" + "".join(f"{t:>10}" for t in targets))
    for name, n_seg, c in titles:
        unk = np.mean([r.unk.get("original", 0.0) for r in c.renders])
        print(f"{name[:33]:<34}{n_seg:>5}{unk:>6.2f}" + "".join(
            f"{c.targets.get(t, float('nan')):>10.3f}" for t in targets))
    mean = {t: np.mean([c.targets[t] for _, _, c in titles if t in c.targets]) for t in targets}
    strict = {t: np.mean([c.strict[t] for _, _, c in titles if t in c.strict]) for t in targets}
    unk = np.mean([np.mean([r.unk.get("original", 0.0) for r in c.renders])
                   for _, _, c in titles])
    print(f"{'mean (most probable labels)':<39}{unk:>6.2f}"
          + "".join(f"{mean[t]:>10.3f}" for t in targets))
    print(f"{'mean, UNK counted as wrong':<45}" + "".join(f"{strict[t]:>10.3f}" for t in targets))
    print(f"{'goal':<45}" + "".join(f"{GOAL:>10.2f}" for t in targets))
    print(f"{'original study':<45}" + "".join(f"{STUDY[t]:>10.3f}" for t in targets))


def main(argv: list[str] | None = None) -> int:
    from core.classify import resolve_model
    from core.record import TARGETS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--variants", type=int, default=8,
                    help="multi-region renders per recording (3 moves the means by up to 0.1)")
    ap.add_argument("--model", default="default")
    ap.add_argument("--seed", type=int, default=0,
                    help="first render seed (another seed: other instrumentations and notes)")
    ap.add_argument("--instruments", choices=("synth", "soundfont", "auto"), default=None,
                    help="what plays the renders' notes (default: the engine's default)")
    ap.add_argument("--vocal-suppression", action="store_true",
                    help="also run with vocal suppression and compare")
    args = ap.parse_args(argv)
    paths = args.files or sorted(AUDIO.glob("*.ogg"))
    if not paths:
        print(f"skipped: no recordings at {AUDIO} (pass files)")
        return 0
    model = resolve_model(args.model)
    if model is None:
        print("skipped: no model")
        return 0
    print(f"model {model.version} ({model.feature_set}), {len(paths)} titles, "
          f"{args.variants} multi-region renders each, instruments "
          f"{args.instruments or 'default'}")
    titles, plain_s = run(paths, model=model, variants=args.variants, suppress=False,
                          seed=args.seed, instruments=args.instruments)
    table(titles, TARGETS)
    if args.vocal_suppression:
        print("\nwith vocal suppression (REPET-SIM background for the classification features)")
        sup, sup_s = run(paths, model=model, variants=args.variants, suppress=True,
                         seed=args.seed, instruments=args.instruments)
        table(sup, TARGETS)
        print(f"\nanalysis time of the originals: plain {plain_s:.1f} s, with suppression "
              f"{sup_s:.1f} s (ratio {sup_s / max(plain_s, 1e-9):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
