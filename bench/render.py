"""Render speed: a 3-minute multi-region timeline, beside the analysis of the same render.

Prints the composer+synth+mix time and real-time factor (target >= 100x on 2 cores; best
and median of ``--runs`` renders) of today's synthesis engine and, side by side in the same
run, of the SoundFont engine (sampled instruments and production, when a SoundFont is
found), then the analysis time of the rendered audio, so the two halves of the loop can be
compared on one machine state.  The load
average is printed too: other work on the cores makes both numbers meaningless.

Usage: ``python -m bench.render [--runs N]``
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time

from core.descriptors import load_dictionary
from core.render.timeline import Timeline

REGIONS = [  # (descriptor, bpm, tonic, mode, seconds): 3 minutes, six regions
    ("pop_indie_hopeful", 112.0, "D", "major", 32.0),
    ("rock_indie_driving", 128.0, "A", "minor", 28.0),
    ("electronica_house_euphoric", 126.0, "F", "major", 30.0),
    ("cinematic_orchestral_tense", 90.0, "C#", "minor", 30.0),
    ("hip_hop_lofi_laid_back", 80.0, "G", "major", 30.0),
    ("folk_acoustic_heartfelt", 96.0, "E", "major", 30.0),
]


def timeline() -> Timeline:
    d = load_dictionary()
    names, tempi, tonics, modes, seconds = zip(*REGIONS)
    names = [name if name in d else next(iter(d.active())).name for name in names]
    return Timeline.from_regions(
        list(itertools.accumulate(seconds, initial=0.0)), descriptors=names,
        keys=list(zip(tonics, modes)), tempi=tempi,
        instrument_groups=[d.by_name(n).tags.instrument_groups for n in names],
        meta={"title": "bench"})


def _load() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def _time(tl, runs: int, instruments: str):
    """Best and median seconds of ``runs`` renders (seeds 0..runs-1) after a first call
    (FFT plans, caches, the SoundFont's samples), and the last render."""
    from core.render.engine import render_timeline

    render_timeline(tl, seed=0, instruments=instruments)
    times = []
    for seed in range(max(runs, 1)):
        t0 = time.perf_counter()
        render = render_timeline(tl, seed=seed, instruments=instruments)
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times), len(times), render


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="timed renders (seeds 0..N-1)")
    args = ap.parse_args()

    from core.analysis.pipeline import analyze_audio
    from core.analysis.audio import audio_from_array
    from core.app.warmup import warm_up
    from core.render.soundfont import find_soundfont

    warm_up()
    tl = timeline()
    load_before = _load()
    engines = ["synth"] + (["soundfont"] if find_soundfont() else [])
    results = {name: _time(tl, args.runs, name) for name in engines}
    render = results["synth"][3]
    audio = audio_from_array(render.audio, render.sr, name="render")
    t0 = time.perf_counter()
    analyze_audio(audio)
    analysis = time.perf_counter() - t0
    dur = render.duration
    print(f"timeline: {len(tl.regions())} regions, {dur:.0f} s, {len(render.events)} notes; "
          f"{os.cpu_count()} cores, load average {load_before} (before) / {_load()} (after)")
    for name, (best, median, n, _) in results.items():
        print(f"render {name:<10}{best:6.3f} s  {dur / best:6.0f}x real time (best of {n}; "
              f"median {median:.3f} s = {dur / median:.0f}x)")
    if len(engines) == 1:
        print("render soundfont: skipped (no SoundFont found)")
    print(f"analysis {analysis:6.3f} s  {dur / analysis:6.0f}x real time (of the synth "
          "render, decoded audio in memory)")
    print(f"render / analysis time ratio (synth): {results['synth'][0] / analysis:.2f}")


if __name__ == "__main__":
    main()
