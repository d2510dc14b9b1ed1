"""Loudness of the render against the original, per section, before and after matching.

For every audio file (default: the shared real recordings, ``/work/shared/data/audio``)
the original is analysed with the default descriptor model, one render is planned and
rendered as the Render button makes it (seed 0), and :func:`core.app.levels.match_levels`
gives B's gain per section.  Printed per section: the original's integrated loudness
(BS.1770, LUFS), the render's minus the original's before matching and after it (LU;
``-`` where a section cannot be measured), the gain and which rule set it; then per file
the largest difference before and after, and B's peak after matching (above 0 dBFS the
output stage would clip).

Usage: ``python -m bench.levels [FILE ...]``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

AUDIO = Path("/work/shared/data/audio")


def measure(path: Path):
    """``(match, after, peak, seconds)`` for one file's render at seed 0."""
    from core.analysis.audio import load_original
    from core.analysis.pipeline import analyze
    from core.app.analyze import analysis_options
    from core.app.levels import match_levels, section_loudness
    from core.render.engine import render_timeline
    from core.render.planning import plan_multi

    model, settings = analysis_options("default", False)
    original = analyze(path, settings=settings, model=model)
    timeline = plan_multi(original, variants=1, seed=0)[0]
    render = render_timeline(timeline, seed=int(timeline.meta.get("seed", 0)))
    audio, sr = load_original(path)
    spans = [(v.start, v.end) for v in timeline.regions()]
    t0 = time.perf_counter()
    match = match_levels(audio, sr, render.audio, render.sr, spans)
    matched = match.apply(render.audio, render.sr)
    seconds = time.perf_counter() - t0
    after = section_loudness(matched, render.sr, spans)
    return match, after, float(np.max(np.abs(matched))), seconds


def _lu(value: float | None) -> str:
    return f"{value:+8.1f}" if value is not None else f"{'-':>8}"


def report(path: Path) -> None:
    match, after, peak, seconds = measure(path)
    print(f"\n{path.stem}  (matching took {seconds:.2f} s, B peak after {peak:.2f})")
    print(f"{'section':>17}{'orig LUFS':>10}{'before':>8}{'after':>8}{'gain dB':>9}  rule")
    worst_before = worst_after = 0.0
    for s, lr in zip(match.sections, after):
        post = lr - s.original_lufs if lr is not None and s.original_lufs is not None else None
        if s.how == "section":
            worst_before = max(worst_before, abs(s.difference))
            worst_after = max(worst_after, abs(post))
        span = f"{s.start:7.1f}-{s.end:7.1f}s"
        orig = f"{s.original_lufs:10.1f}" if s.original_lufs is not None else f"{'-':>10}"
        print(f"{span:>17}{orig}{_lu(s.difference)}{_lu(post)}{s.gain_db:+9.1f}  {s.how}")
    print(f"{'largest |difference| of measured sections':<45} before {worst_before:5.1f} LU"
          f"  after {worst_after:5.2f} LU")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args(argv)
    for path in args.files or sorted(AUDIO.glob("*.ogg")):
        report(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
