"""The render round trip: render timelines, analyse the renders, score them.

1. Multi-region set: timelines whose regions change descriptor, tempo and key; per
   region the analysed tempo (ACC1) and key (MIREX weighted), and boundary F@1 / F@3
   of the analysed form against the region changes.
2. Sweep: one 20 s single-region render per active descriptor (random key and tempo
   in range), analysed; key and tempo agreement per descriptor family, with the misses.

Usage: ``python bench/roundtrip.py [--extra N] [--seed S] [--sweep]`` (the multi-region
set is the fixed :data:`MULTI` plus N random timelines, default 12, drawn with seed S,
default 7; another seed gives a held-out set).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.descriptors import load_dictionary  # noqa: E402
from core.render.timeline import Timeline  # noqa: E402

PITCHES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

#: (descriptor, bpm, tonic, mode, seconds) per region
MULTI = [
    [("pop_indie_hopeful", 112, "D", "major", 24), ("rock_indie_driving", 136, "A", "minor", 24),
     ("pop_indie_hopeful", 112, "D", "major", 24)],
    [("electronica_house_euphoric", 126, "F", "major", 30),
     ("hip_hop_boom_bap_gritty", 90, "C", "minor", 30),
     ("folk_acoustic_heartfelt", 100, "G", "major", 30)],
    [("electronica_synthwave_nostalgic", 104, "E", "minor", 28),
     ("pop_upbeat_playful", 120, "A#", "major", 20),
     ("electronica_synthwave_nostalgic", 104, "E", "minor", 28),
     ("rock_hard_aggressive", 150, "F#", "minor", 24)],
    [("cinematic_percussion_primal_pulsing", 108, "D", "minor", 30),
     ("documentary_corporate_uplifting", 118, "C", "major", 30)],
]


def random_sets(dictionary, n: int, seed: int = 7) -> list:
    """``n`` random multi-region timelines (2-4 regions of 16-39 s; any active descriptor,
    tempo in its range, random key), to check the round trip beyond :data:`MULTI`."""
    rng = np.random.default_rng(seed)
    names = sorted(d.name for d in dictionary.active())
    out = []
    for _ in range(n):
        parts = []
        for _ in range(int(rng.integers(2, 5))):
            d = dictionary.by_name(names[int(rng.integers(len(names)))])
            parts.append((d.name, float(rng.integers(d.tags.tempo_min, d.tags.tempo_max + 1)),
                          PITCHES[int(rng.integers(12))],
                          "minor" if rng.random() < 0.5 else "major", float(rng.integers(16, 40))))
        out.append(parts)
    return out


def make_timeline(parts, dictionary) -> Timeline:
    names, tempi, tonics, modes, seconds = zip(*parts)
    for name in names:
        if name not in dictionary:
            raise SystemExit(f"unknown descriptor {name}")
    return Timeline.from_regions(
        list(itertools.accumulate(seconds, initial=0.0)), descriptors=names,
        keys=list(zip(tonics, modes)), tempi=[float(bpm) for bpm in tempi],
        instrument_groups=[dictionary.by_name(n).tags.instrument_groups for n in names])


def round_trip(timeline: Timeline, seed: int):
    from core.analysis.pipeline import analyze_audio
    from core.analysis.audio import audio_from_array
    from core.evaluation.reference import score_render
    from core.render.engine import render_timeline

    render = render_timeline(timeline, seed=seed)
    analysis = analyze_audio(audio_from_array(render.audio, render.sr, name="render"))
    return score_render(timeline, analysis)


def multi(dictionary, extra: int = 0, seed: int = 7) -> None:
    regions, f1, f3 = [], [], []
    for i, parts in enumerate(MULTI + random_sets(dictionary, extra, seed=seed)):
        scores, overall = round_trip(make_timeline(parts, dictionary), seed=i)
        regions += scores
        f1.append(overall["F@1"])
        f3.append(overall["F@3"])
        for s in scores:
            print(f"  {s.descriptor:<40} tempo {s.tempo_asked:6.1f} -> {s.tempo_found:6.1f} "
                  f"{'ok ' if s.tempo_acc1 else 'MISS'}  key {s.key_asked:>8} -> "
                  f"{s.key_found:<8} {s.key_score:.1f}")
        print(f"  boundaries F@1 {overall['F@1']:.2f}  F@3 {overall['F@3']:.2f}\n")
    print(f"multi-region: {len(regions)} regions, tempo ACC1 "
          f"{np.mean([s.tempo_acc1 for s in regions]):.3f}, key weighted "
          f"{np.mean([s.key_score for s in regions]):.3f} (min {min(s.key_score for s in regions):.1f}), "
          f"boundary F@1 {np.mean(f1):.3f}, F@3 {np.mean(f3):.3f}")


def sweep(dictionary) -> None:
    rng = np.random.default_rng(0)
    by_mode, by_drums, misses, keys, acc = defaultdict(list), defaultdict(list), [], [], []
    for i, d in enumerate(dictionary.active()):
        tonic = PITCHES[rng.integers(12)]
        mode = "major" if d.tags.mode in ("major", "lydian", "mixolydian") else "minor"
        bpm = int(rng.integers(d.tags.tempo_min, d.tags.tempo_max + 1))
        (s,), _ = round_trip(make_timeline([(d.name, bpm, tonic, mode, 20)], dictionary), seed=i)
        keys.append(s.key_score)
        acc.append(s.tempo_acc1)
        by_mode[d.tags.mode].append(s.key_score)
        by_drums[d.tags.drum_style].append(s.tempo_acc1)
        if s.key_score < 1 or not s.tempo_acc1:
            misses.append(s)
    print(f"sweep: {len(keys)} descriptors, key weighted {np.mean(keys):.3f}, "
          f"tempo ACC1 {np.mean(acc):.3f}")
    print("  key by mode:  " + ", ".join(f"{k} {np.mean(v):.2f}" for k, v in sorted(by_mode.items())))
    print("  ACC1 by drums: " + ", ".join(f"{k} {np.mean(v):.2f}" for k, v in sorted(by_drums.items())))
    for s in misses:
        print(f"  miss {s.descriptor:<40} {s.tempo_asked:5.0f}->{s.tempo_found:5.0f} "
              f"{s.key_asked:>8}->{s.key_found}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sweep", action="store_true", help="also one render per descriptor")
    ap.add_argument("--extra", type=int, default=12,
                    help="random multi-region timelines beside the fixed set (default 12)")
    ap.add_argument("--seed", type=int, default=7, help="seed of the random timelines")
    args = ap.parse_args()
    dictionary = load_dictionary()
    multi(dictionary, args.extra, args.seed)
    if args.sweep:
        sweep(dictionary)


if __name__ == "__main__":
    main()
