"""Accuracy of the whole pipeline on the development recordings (``../shared/data/dev``).

Runs ``core.analysis.pipeline.analyze`` on every item of ``index.json`` and scores it with
``core.evaluation.reference`` (the same code as ``twintrack score``): boundary F at 0.5 s and 3 s
(trimmed), tempo ACC1/ACC2, and, for the openly licensed recordings whose key is
known from their titles, the MIREX weighted key score.  The dev set is small: these
numbers are a sanity check, not a target to tune to.

Usage: ``python -m bench.dev_accuracy``
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"

#: Keys stated by the recordings' titles or sources.  The Musopen Brahms is titled
#: F# minor (the piano original's key) but is the orchestral G minor version: its
#: chroma matches the Ormandy recording (G minor) at r = 0.94 with no transposition.
KNOWN_KEYS = {
    "brahms-hungarian_dance_5.ogg": "G:minor",
    "sorohan-solo_trumpet_06.ogg": "F:major",
    "kevin_macleod-sugar_plum_fairy.ogg": "E:minor",
}


def main() -> int:
    from core.analysis.pipeline import analyze
    from core.evaluation.reference import Annotations, score

    index = DATA / "dev" / "index.json"
    if not index.exists():
        print(f"skipped: {index} not present")
        return 0
    items = json.loads(index.read_text())["items"]
    rows: list[tuple[str, dict[str, float], float]] = []
    for item in items:
        path = DATA / "dev" / item["audio"]
        t0 = time.perf_counter()
        a = analyze(path)
        secs = time.perf_counter() - t0
        est = Annotations(path.stem, tuple([s.start for s in a.segments] + [a.duration]),
                          a.globals.tempo, a.globals.key)
        bounds = item.get("boundaries")
        ref = Annotations(path.stem, tuple(bounds) if bounds else None, item.get("tempo"))
        m = score(est, ref)
        m["segments est/ref"] = len(a.segments) / max(len(bounds or [0, 0]) - 1, 1)
        rows.append((path.name, m, a.duration / secs))
        extra = f" tempo {a.globals.tempo:.1f} (ref {item['tempo']})" if item.get("tempo") else ""
        print(f"{path.name[:48]:<48} {len(a.segments):3d} segs, "
              + "  ".join(f"{k} {v:.2f}" for k, v in m.items() if k.startswith("F@") and
                          "untrimmed" not in k) + extra + f"  [{a.duration / secs:.0f}x]")
    for name, key in KNOWN_KEYS.items():
        path = DATA / "audio" / name
        if path.exists():
            a = analyze(path)
            m = score(Annotations(name, key=a.globals.key), Annotations(name, key=key))
            rows.append((name, m, 0.0))
            print(f"{name:<48} key {a.globals.key} (ref {key}) score {m['key weighted']:.2f}")
    print("\nmeans:")
    for metric in ("F@0.5", "F@3", "tempo ACC1", "tempo ACC2", "key weighted"):
        vals = [m[metric] for _, m, _ in rows if metric in m]
        if vals:
            print(f"  {metric:<14} {np.mean(vals):.3f}  (n={len(vals)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
