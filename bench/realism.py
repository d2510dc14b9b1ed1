"""Realism of renders: how often the real-music tagger hears a render as its genre.

Renders every descriptor genre (the gallery's example plus ``--per-genre`` random
descriptors, ``--seconds`` each), lets the shipped MSD/MTT taggers listen, and reads the
genre they hear through the documented table (:mod:`core.evaluation.realism`).  Prints
each render's genre heard and top MSD tags, then per genre the share heard right beside
the goal (0.8 for rock, pop, electronica, hip_hop and folk; issue 13).

Usage: ``python -m bench.realism [--per-genre N] [--seconds S] [--seed S]
[--instruments synth|soundfont|auto] [--genres G ...] [--tiny]`` (``--tiny``: one short
render, as the test suite runs it).
"""

from __future__ import annotations

import argparse
import sys
import time

GOAL = 0.8
GOAL_GENRES = ("rock", "pop", "electronica", "hip_hop", "folk")


def main(argv: list[str] | None = None) -> int:
    from core.evaluation.realism import run_realism

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-genre", type=int, default=4, help="random descriptors per genre")
    ap.add_argument("--seconds", type=float, default=30.0, help="length of each render")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--instruments", choices=("synth", "soundfont", "auto"), default="synth",
                    help="what plays the notes (default: synth, today's engine)")
    ap.add_argument("--genres", nargs="*", help="only these genres")
    ap.add_argument("--no-gallery", action="store_true",
                    help="leave out the gallery's example of each genre")
    ap.add_argument("--tiny", action="store_true",
                    help="one 6 s render of one genre (a smoke run for the test suite)")
    args = ap.parse_args(argv)
    if args.tiny:
        args.per_genre, args.seconds, args.genres, args.no_gallery = 1, 6.0, ["rock"], True

    def show(it) -> None:
        mark = "ok " if it.right else "-- "
        print(f"{mark}{it.descriptor:<40} heard {it.heard:<12} {', '.join(it.top_tags)}",
              flush=True)

    t0 = time.perf_counter()
    report = run_realism(per_genre=args.per_genre, seconds=args.seconds, seed=args.seed,
                         instruments=args.instruments,
                         genres=tuple(args.genres) if args.genres else None,
                         gallery=not args.no_gallery, on_item=show)
    print(f"\ninstruments {report.instruments}, {len(report.items)} renders of "
          f"{report.seconds:g} s, {time.perf_counter() - t0:.0f} s")
    print(f"{'genre':<14}{'heard right':>12}{'realism':>9}{'goal':>6}")
    right_total = 0
    for genre, (right, total) in report.per_genre().items():
        goal = f"{GOAL:.1f}" if genre in GOAL_GENRES else ""
        print(f"{genre:<14}{f'{right}/{total}':>12}{right / total:>9.2f}{goal:>6}")
        right_total += right
    print(f"{'all':<14}{f'{right_total}/{len(report.items)}':>12}"
          f"{right_total / max(len(report.items), 1):>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
