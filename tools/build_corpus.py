"""Build the rendered training corpus and print how fast it went.

Renders ``--per-descriptor`` examples of every active descriptor (durations cycled
from ``--durations``), extracts their window features, and writes the corpus to
``--out`` (``features.parquet`` + ``corpus.json`` + ``shards/``).  Prints the build
time, renders, windows, size on disk, renders/s and windows/s, and the ratio of audio
seconds produced to wall seconds (x real time).

Made for a long unattended run: progress goes to stderr every ``--every`` seconds with
an ETA; a stopped or crashed build resumes where it was when started again with the
same arguments; a worker crash (e.g. killed for memory) is retried ``--retries`` times
before giving up.  Exit status 0 if every render made it into the table, else 1.

Usage::

    python -m tools.build_corpus --per-descriptor 20 --out /work/corpus20
    python -m tools.build_corpus --per-descriptor 1 --out /tmp/c1 --durations 10,30,60
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from core.corpus import generate_corpus, plan_renders, summary
from core.errors import TwintrackError

log = logging.getLogger("build_corpus")


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--per-descriptor", type=int, default=20)
    p.add_argument("--durations", default="10,30,60",
                   help="comma-separated seconds, cycled over each descriptor's renders")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=0, help="processes (0: one per core)")
    p.add_argument("--descriptor", action="append", default=None,
                   help="only this descriptor (repeatable; default: every active one)")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--retries", type=int, default=3, help="restarts after a crashed worker")
    p.add_argument("--every", type=float, default=30.0, help="seconds between progress lines")
    args = p.parse_args(argv)
    args.durations = tuple(float(d) for d in args.durations.split(",") if d.strip())
    return args


class _Progress:
    """Throttled progress lines with an ETA measured over this run only."""

    def __init__(self, every: float) -> None:
        self.every, self.t0, self.f0, self.last = every, time.time(), None, 0.0

    def __call__(self, fraction: float, stage: str) -> None:
        now = time.time()
        if self.f0 is None:
            self.f0 = fraction
        if now - self.last < self.every and fraction < 1.0:
            return
        self.last = now
        done = fraction - self.f0
        eta = (now - self.t0) * (1.0 - fraction) / done if done > 0 else float("nan")
        log.info("%5.1f%%  %s  elapsed %s  ETA %s", 100 * fraction, stage,
                 _hms(now - self.t0), _hms(eta))


def _hms(seconds: float) -> str:
    if seconds != seconds:  # NaN: no estimate yet
        return "?"
    s = int(seconds)
    return f"{s // 3600:d}:{s // 60 % 60:02d}:{s % 60:02d}"


def _disk_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _build(args: argparse.Namespace):
    """generate_corpus, restarted (it resumes) after a crash that is not a user error."""
    for attempt in range(args.retries + 1):
        try:
            return generate_corpus(args.out, per_descriptor=args.per_descriptor,
                                   durations=args.durations, seed=args.seed, jobs=args.jobs,
                                   descriptors=args.descriptor, progress=_Progress(args.every))
        except (TwintrackError, KeyboardInterrupt):
            raise
        except Exception:  # BrokenProcessPool, MemoryError, disk hiccups: resume
            log.exception("build crashed (attempt %d of %d)", attempt + 1, args.retries + 1)
            if attempt == args.retries:
                raise
            time.sleep(5.0)
    raise AssertionError("unreachable")


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    plan = plan_renders(per_descriptor=args.per_descriptor, durations=args.durations,
                        seed=args.seed, descriptors=args.descriptor)
    audio = sum(j.duration for j in plan)
    log.info("%d renders (%d descriptors x %d), %.1f h of audio -> %s", len(plan),
             len({j.descriptor for j in plan}), args.per_descriptor, audio / 3600, args.out)
    try:
        info = _build(args)
    except TwintrackError as exc:
        print(f"build_corpus: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("build_corpus: interrupted; run the same command again to resume",
              file=sys.stderr)
        return 130
    secs = max(info.seconds, 1e-9)
    new_audio = audio * info.new_sources / max(info.n_sources, 1)  # durations cycle evenly
    print(summary(info))
    print(f"build time      {secs:9.1f} s   (this run; {info.n_resumed} renders were resumed)")
    print(f"renders         {info.n_sources:9d}   ({info.new_sources} this run, "
          f"{info.n_failed} failed)")
    print(f"windows         {info.n_windows:9d}   ({info.new_windows} this run)")
    print(f"size on disk    {_disk_bytes(info.out_dir) / 1e6:9.1f} MB  "
          f"(features.parquet {info.table.stat().st_size / 1e6:.1f} MB)")
    print(f"renders/s       {info.new_sources / secs:9.3f}")
    print(f"windows/s       {info.new_windows / secs:9.2f}")
    print(f"x real time     {new_audio / secs:9.1f}   (audio seconds rendered+featurised "
          f"per wall second)")
    return 0 if info.n_failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
