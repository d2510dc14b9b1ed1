"""Playback under load: A+B on a PulseAudio null sink while analyses run alongside.

Plays the demo track (A) and a shifted copy of it (B) in mode "AB", switching mode
every 2 seconds (so crossfades are exercised), through :class:`core.playback.Player`
on a private PulseAudio server with a null sink (see ``tests/fixtures/pulse.py``), while a
worker thread in the same process runs ``core.analysis.pipeline.analyze`` on the demo track
in a loop and the main thread polls ``position()`` every 30 ms as the GUI does.

Prints, for an idle baseline (10 s, same process, no analysis) and for the loaded run:
underruns, callbacks, the longest and mean callback against the block period, the
least audio still queued when a callback ran (headroom), and whether position()
ever went backwards.  Target: 0 underruns under load.

Usage: ``python -m bench.playback [--seconds 60] [--latency 0.1|low|high] [--blocksize 512]``
(``--seconds 600`` for the 10-minute figure).  Needs pulseaudio, pactl and parec.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

import numpy as np

from core.resources import resource_path

DEMO = resource_path("demo", "karissa_hobbs-lets_go_fishin.ogg")


def sources(seconds: float) -> tuple[np.ndarray, np.ndarray, int]:
    """A: the demo looped to ``seconds``; B: A one second later and quieter."""
    from core.analysis.audio import load_original

    y, sr = load_original(DEMO)
    a = np.tile(y, (int(np.ceil(seconds * sr / len(y))), 1))[: int(seconds * sr)]
    return a, (np.roll(a, sr, axis=0) * 0.7).astype(np.float32), sr


def analyses(stop: threading.Event, done: list[float]) -> None:
    """Analyse the demo track again and again until ``stop`` is set."""
    from core.analysis.pipeline import analyze

    while not stop.is_set():
        t0 = time.perf_counter()
        analyze(DEMO)
        done.append(time.perf_counter() - t0)


def play(seconds: float, args, *, load: bool) -> dict:
    from core.playback import Player

    a, b, sr = sources(seconds)
    stop, done = threading.Event(), []
    worker = threading.Thread(target=analyses, args=(stop, done), daemon=True)
    backwards, modes = 0, ("AB", "A", "B")
    options = {} if args.latency is None else {"latency": args.latency}
    with Player(device="pulse", blocksize=args.blocksize, **options) as player:
        player.set_sources(a, sr, b, sr)
        player.set_mode("AB")
        if load:
            worker.start()
        player.play()
        t0 = last = time.monotonic()
        previous = 0.0
        while player.state == "playing":
            time.sleep(0.03)
            pos = player.position()
            if player.state != "playing":  # the end: the position returns to 0
                break
            backwards += pos < previous
            previous = pos
            if time.monotonic() - last >= 2.0:
                last = time.monotonic()
                player.set_mode(modes[int((last - t0) // 2) % 3])
        wall = time.monotonic() - t0
        stats = player.stats()
    stop.set()
    if load:
        worker.join()
    return {"stats": stats, "wall": wall, "backwards": backwards, "analyses": done}


def report(name: str, seconds: float, r: dict) -> None:
    s = r["stats"]
    ms = 1000.0
    print(f"{name}: {seconds:.0f} s of audio in {r['wall']:.1f} s wall, "
          f"{len(r['analyses'])} analyses alongside"
          + (f" ({np.mean(r['analyses']):.1f} s each)" if r["analyses"] else ""))
    print(f"  underruns {s.underruns} in {s.callbacks} callbacks; position() went backwards "
          f"{r['backwards']} times")
    print(f"  callback max {s.max_callback * ms:.2f} ms, mean {s.mean_callback * ms:.3f} ms, "
          f"block period {s.block_period * ms:.1f} ms -> max uses "
          f"{s.max_callback / s.block_period:.1%} of the period")
    print(f"  output latency {s.latency * ms:.1f} ms, least queued at a callback "
          f"{s.min_latency * ms:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--latency", default=None,
                    help='"low", "high" or seconds (default: the Player\'s, 0.1 s)')
    ap.add_argument("--blocksize", type=int, default=512)
    args = ap.parse_args()
    try:
        args.latency = float(args.latency)
    except (TypeError, ValueError):
        pass
    from tests.fixtures.pulse import missing, pulse_server

    if missing():
        sys.exit(f"bench.playback needs PulseAudio: {missing()}")
    from core.analysis.pipeline import analyze

    analyze(DEMO)  # warm numba's cache outside the measurement
    with pulse_server():
        base = play(10.0, args, load=False)
        loaded = play(args.seconds, args, load=True)
    report("idle baseline", 10.0, base)
    report("with analysis", args.seconds, loaded)
    b, s = base["stats"], loaded["stats"]
    print(f"\nunder load / idle: max callback {s.max_callback / b.max_callback:.1f}x, "
          f"least queued {s.min_latency / b.min_latency:.2f}x; "
          f"underruns {s.underruns} (target 0)")


if __name__ == "__main__":
    main()
