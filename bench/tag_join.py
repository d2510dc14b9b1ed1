"""The hierarchy's genre joined with the real-music tags: renders vs real recordings.

For each weight of the hierarchy's genre opinion (``join_genre_evidence``'s exponent;
"alone" = no tags), prints the share of windows, and of items by majority, whose genre
is right on held-out renders (a seed the shipped model never saw) and accepted on real
recordings (the shared recordings and the dev items; what a listener accepts for each
is written down in :data:`ACCEPTED`).  One run; the README's table comes from it.

Usage: ``python -m bench.tag_join [--per-genre 8] [--seconds 20] [--seed 4242]``
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OPINIONS = (None, 1.0, 0.5, 0.25, 0.1, 0.0)
#: Part of a file name -> the descriptor genres a listener accepts for it (and why).
ACCEPTED = {
    "brahms": {"cinematic", "documentary"},          # orchestral dance
    "karissa": {"folk"},                              # bluegrass, banjo and fiddle, sung
    "sugar_plum": {"cinematic", "documentary"},       # orchestral (celesta) arrangement
    "vibe_ace": {"electronica"},                      # funk-electronic library cue
    "trumpet": {"cinematic", "documentary"},          # a solo trumpet phrase
    "Beethoven": {"cinematic", "documentary"},        # piano sonata
    "Brahms_Hung": {"cinematic", "documentary"},      # orchestral dance
    "Chopin": {"cinematic", "documentary"},           # piano prelude
    "ZagerEvans": {"rock", "pop", "folk"},            # 1969 folk-rock single
    "Falla": {"cinematic", "documentary", "folk"},    # Spanish art song
    "hains001": {"rock", "pop"},                      # pop-rock excerpt
    "sargon": {"rock"},                               # metal
    "simac": {"folk", "pop"},                         # Greek popular song
}


def _item(audio, model, settings):
    from core.analysis.pipeline import window_feature_table, window_tags
    from core.classify.tagmap import tag_table

    grid, x = window_feature_table(audio, settings=settings, feature_set=model.feature_set)
    with threadpool_limits(1):
        post = model._posterior(x)
    tags = window_tags(audio.y, audio.sr, grid, stride=settings.tag_stride)
    return post, tag_table().distribution(tags)


def _scores(post, q, ok, model) -> list[tuple[float, bool]]:
    from core.classify.hierarchy import join_genre_evidence
    from core.classify.tagmap import tag_table

    genres = [p[model.targets.index("genre")] for p in model.paths]
    out = []
    for a in OPINIONS:
        p = post if a is None else join_genre_evidence(post, genres, tag_table().genres, q,
                                                       opinion=a)
        g = np.asarray(genres)[p.argmax(axis=1)]
        out.append((float(np.mean([x in ok for x in g])),
                    collections.Counter(g).most_common(1)[0][0] in ok))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-genre", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=4242)
    args = ap.parse_args()
    from core.analysis.audio import load_for_analysis
    from core.app.analyze import analysis_options
    from core.corpus.plan import plan_renders
    from core.corpus.run import _audio
    from core.record import Settings

    model, settings = analysis_options()[0], Settings()
    rng = np.random.default_rng(args.seed)
    by_genre = collections.defaultdict(list)
    for job in plan_renders(per_descriptor=1, durations=[args.seconds], seed=args.seed):
        by_genre[dict(job.labels)["genre"]].append(job)
    rows: dict[str, list] = {"renders": [], "real recordings": []}
    for genre, jobs in sorted(by_genre.items()):
        for i in rng.choice(len(jobs), min(args.per_genre, len(jobs)), replace=False):
            post, q = _item(_audio(jobs[i], settings, None), model, settings)
            rows["renders"].append(_scores(post, q, {genre}, model))
    files = sorted((SHARED / "audio").glob("*.ogg")) + sorted(
        f for f in (SHARED / "dev").iterdir() if f.suffix not in (".json", ".jams"))
    for f in files:
        ok = next((v for k, v in ACCEPTED.items() if k in f.name), None)
        if ok is not None:
            post, q = _item(load_for_analysis(f), model, settings)
            rows["real recordings"].append(_scores(post, q, ok, model))
    for name, items in rows.items():
        r = np.asarray(items, dtype=float)
        print(f"{name} ({len(items)} items): windows right / majority right")
        for j, a in enumerate(OPINIONS):
            label = "hierarchy alone" if a is None else f"opinion {a}"
            print(f"  {label:<16}{r[:, j, 0].mean():7.3f}{r[:, j, 1].mean():7.3f}")


if __name__ == "__main__":
    main()
