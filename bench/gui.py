"""GUI benchmark: first waveform, zoom frame time, GUI-thread stalls, playback underruns.

Run with ``python -m bench.gui`` (offscreen unless QT_QPA_PLATFORM is set).  Every figure
is printed with a baseline measured in the same run:

* drop -> first waveform for a 10-minute track (the demo looped into an OGG file),
  against decoding the whole file first (what a non-progressive loader would wait for);
* frame time while zooming (set range, process events, grab the window), against
  plotting the raw 44.1 kHz samples with the same pyqtgraph downsampling;
* the longest gap of a 5 ms QTimer during the analysis, with tasks in warm worker
  processes (the app's default) and, as the baseline, on a thread of the GUI process;
  the worst gaps are listed with what the document was doing then and how much of
  the gap the GUI thread was running (its CPU time: on a loaded machine a gap is
  mostly waiting for a core), and the longest CPU time between two ticks is printed;
* the longest gap while an analysis with descriptor labels on every window arrives
  (six label lanes to draw), against the same analysis without labels;
* playback underruns while the track is analysed (if ``core.playback`` works and a
  PulseAudio server answers ``pactl info``, or a private one can be started as the
  playback tests do).

Targets: first waveform <= 1 s, stalls <= 50 ms.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]

DEMO = ROOT / "resources" / "demo" / "karissa_hobbs-lets_go_fishin.ogg"
TEN_MIN = Path(tempfile.gettempdir()) / "twintrack-bench-10min.ogg"


def make_ten_minutes(path: Path = TEN_MIN, seconds: float = 600.0) -> Path:
    """The demo track looped to ``seconds`` as OGG/Vorbis (cached between runs)."""
    import soundfile as sf

    if path.exists() and sf.info(path).duration >= seconds - 1:
        return path
    data, sr = sf.read(DEMO, dtype="float32")
    n = int(seconds * sr)
    tmp = path.with_suffix(".part.ogg")
    with sf.SoundFile(tmp, "w", sr, data.shape[1], format="OGG", subtype="VORBIS") as out:
        done = 0
        while done < n:  # small writes: one huge Vorbis write crashes libsndfile
            k = min(len(data), n - done)
            for i in range(0, k, 1 << 16):
                out.write(data[i:min(i + (1 << 16), k)])
            done += k
    tmp.replace(path)
    return path


class StallMeter:
    """A 5 ms timer on the GUI thread; the longest gap between its ticks is a stall.

    ``what()`` names what was going on; the worst gaps keep that name and how much of
    the gap the GUI thread spent running (its CPU time): a long gap with little CPU
    time is a thread waiting for a core or the GIL (other processes on a loaded
    machine), one with as much CPU time as wall time is the GUI's own work.
    ``busy`` holds the GUI thread's CPU time of every gap."""

    def __init__(self, what=lambda: ""):
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self.busy: list[float] = []
        self.worst: list[tuple[float, str, float]] = []
        self._what = what
        self._last = None
        self._last_cpu = 0.0
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def _tick(self):
        now, cpu = time.perf_counter(), time.thread_time()
        if self._last is not None:
            gap, busy = now - self._last, cpu - self._last_cpu
            self.gaps.append(gap)
            self.busy.append(busy)
            if gap > 0.025:
                self.worst.append((gap, self._what(), busy))
        self._last, self._last_cpu = now, cpu

    def start(self):
        self.gaps, self.busy, self._last = [], [], None
        self.timer.start()

    def busiest(self) -> float:
        """The most CPU time (ms) the GUI thread spent between two ticks."""
        return max(self.busy, default=0.0) * 1000

    def stop(self) -> tuple[float, float]:
        self.timer.stop()
        if not self.gaps:
            return 0.0, 0.0
        g = sorted(self.gaps)
        return g[-1] * 1000, g[int(0.99 * (len(g) - 1))] * 1000


class GCMeter:
    """Garbage-collector pauses on the GUI thread (they hold the GIL: the audio callback
    of the same process waits too)."""

    def __init__(self):
        import threading

        self._gui = threading.get_ident()
        self._t0 = 0.0
        self.pauses: list[tuple[float, int]] = []  # (seconds, generation)

    def _callback(self, phase, info):
        import threading

        if threading.get_ident() != self._gui:
            return
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.pauses.append((time.perf_counter() - self._t0, info["generation"]))

    def __enter__(self):
        import gc

        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc):
        import gc

        gc.callbacks.remove(self._callback)

    def summary(self) -> str:
        full = [p for p, g in self.pauses if g == 2]
        return (f"{len(self.pauses)} collections, longest {max(self.pauses)[0] * 1000:.1f} ms; "
                f"{len(full)} full, longest {max(full, default=0) * 1000:.1f} ms"
                if self.pauses else "no collections")


def run_until(app, predicate, timeout: float) -> bool:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    check = QTimer()
    check.setInterval(10)
    check.timeout.connect(lambda: predicate() and loop.quit())
    check.start()
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    loop.exec()
    check.stop()
    return predicate()


def pulse_running() -> bool:
    try:
        return subprocess.run(["pactl", "info"], capture_output=True, timeout=3).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def drop_and_analyse(app, window, path: Path, player=None) -> dict:
    """Open ``path`` through the session; time the waveform and the analysis."""
    session = window.session
    out: dict = {}
    meter = StallMeter(lambda: f"{out['doc'].status}: {out['doc'].stage}" if "doc" in out
                       else "opening")
    t0 = time.perf_counter()

    def on_docs():
        for doc in session.documents:
            if doc.path == str(path) and "doc" not in out:
                out["doc"] = doc
                doc.waveform_changed.connect(
                    lambda: out.setdefault("first_waveform", time.perf_counter() - t0))

    session.documents_changed.connect(on_docs)
    meter.start()
    under0 = player.underruns if player is not None else 0
    with GCMeter() as gcm:
        window.open_paths([str(path)])
        run_until(app, lambda: "doc" in out and out["doc"].loaded is not None, 120)
        out["full_waveform"] = time.perf_counter() - t0
        run_until(app, lambda: out["doc"].status in ("analysed", "failed"), 600)
    out["analysed"] = time.perf_counter() - t0
    out["gc"] = gcm.summary()
    out["stall_max"], out["stall_p99"] = meter.stop()
    out["busiest"] = meter.busiest()
    out["worst"] = sorted(meter.worst, reverse=True)[:5]
    if player is not None:
        out["underruns"] = player.underruns - under0
    session.documents_changed.disconnect(on_docs)
    return out


def labelled(analysis):
    """``analysis`` with descriptor labels on every window, changing every 1-4 windows
    (many runs: the most lane items a model's output can ask for)."""
    from core.descriptors import load_dictionary
    from core.record import TARGETS

    pool = [d for d in load_dictionary() if d.active][:12]
    n = len(analysis.windows)
    pick = [pool[(i // (1 + i % 4)) % len(pool)] for i in range(n)]
    labels = {t: tuple(str(getattr(d, t)) for d in pick) for t in TARGETS}
    probs = {t: tuple(0.3 + 0.07 * ((i * 7) % 10) for i in range(n)) for t in TARGETS}
    return analysis.with_labels(labels, probs, model="bench")


def analysis_arrival(app, window, analysis) -> tuple[float, float, float]:
    """Longest GUI gap (max, p99 ms) while ``analysis`` reaches the current document
    and every lane is drawn, and the GUI thread's longest work (CPU ms) between ticks."""
    view = window.timeline
    meter = StallMeter()
    meter.start()
    run_until(app, lambda: False, 0.2)
    window.session.current.set_analysis(analysis)
    run_until(app, lambda: view._steps.pending == 0, 10)  # noqa: SLF001
    run_until(app, lambda: False, 0.3)  # the repaints that follow
    return (*meter.stop(), meter.busiest())


def zoom_frames(app, window, steps: int = 16) -> list[float]:
    """Seconds per zoom step: set the range, process events, grab the window."""
    view = window.timeline
    duration = view.document.duration
    times = []
    for i in range(steps):
        width = duration * (0.5 ** (i * 12 / steps))  # full track down to ~0.15 s
        start = (duration - width) * 0.37
        t = time.perf_counter()
        view.set_x_range(start, start + width)
        app.processEvents()
        window.grab()
        times.append(time.perf_counter() - t)
    view.zoom_to_fit()
    return times


def raw_zoom_baseline(app, window, path: Path, steps: int = 16) -> list[float]:
    """The same zoom steps with lane A drawn from the raw 44.1 kHz mono samples using
    pyqtgraph's defaults (peak downsampling, clip to view), instead of our peak pairs."""
    import numpy as np
    import pyqtgraph as pg
    import soundfile as sf

    data, sr = sf.read(path, dtype="float32")
    mono = data.mean(axis=1)
    del data
    plot = window.timeline.plots["A"]
    ours = window.timeline._wave_a  # noqa: SLF001 - the benchmark swaps the trace
    raw = pg.PlotDataItem(pen=pg.mkPen("#2b4c7e", width=1))
    plot.addItem(raw)
    raw.setDownsampling(auto=True, method="peak")  # after addItem: it resets both
    raw.setClipToView(True)
    raw.setData(np.arange(len(mono)) / sr, mono)
    ours.setVisible(False)
    try:
        return zoom_frames(app, window, steps)
    finally:
        plot.removeItem(raw)
        ours.setVisible(True)


def main() -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    t = time.perf_counter()
    track = make_ten_minutes()
    print(f"10-minute test track: {track} (ready in {time.perf_counter() - t:.1f} s)")
    from core.analysis.audio import load_original

    t = time.perf_counter()
    load_original(track)
    full_decode = time.perf_counter() - t

    with contextlib.ExitStack() as stack:
        device = None
        if not pulse_running():
            from tests.fixtures.pulse import missing, pulse_server

            if missing() is None:  # a private server, as the playback tests start
                stack.enter_context(pulse_server())
                device = "pulse"
        return run(app, track, full_decode, device)


def run(app, track: Path, full_decode: float, device) -> int:
    from PySide6.QtCore import QSettings

    from gui.app import create_window, settle_heap
    from core.app.pool import ProcessPool
    from gui.settings import AppSettings

    player, reason = None, "no PulseAudio server"
    if pulse_running():
        from gui.transport import open_player

        player, reason = open_player(device)
    print(f"playback: {reason if player is None else 'on ' + reason}")
    opener = (lambda device: (player, reason)) if player is not None else \
        (lambda device: (None, reason))

    results = {}
    for mode in ("process", "thread"):
        tmp = tempfile.mkdtemp(prefix="twintrack-bench-")
        settings = AppSettings(QSettings(os.path.join(tmp, "s.ini"), QSettings.Format.IniFormat))
        pool = ProcessPool(size=2, warm=True) if mode == "process" else None
        if pool is not None:
            pool.wait_ready(120)
        else:
            from core.app.analyze import warm_process

            warm_process()
        window = create_window(settings=settings, pool=pool, player_opener=opener)
        window.resize(1400, 900)
        window.show()
        settle_heap()  # as gui.app.main does once the window shows
        window.open_player()
        app.processEvents()
        if player is not None:  # listen to the demo while the long track is analysed
            from core.analysis.audio import load_original as lo

            a, sr = lo(DEMO)
            player.set_sources(player.prepare(a, sr), player.samplerate)
            player.set_loop(None)
            player.play()
        res = drop_and_analyse(app, window, track, player)
        if player is not None:
            player.stop()
        if mode == "process":
            res["zoom"], res["zoom_raw"] = [], []
            for _ in range(2):  # interleaved, so drifting machine load hits both alike
                res["zoom"] += zoom_frames(app, window)
                res["zoom_raw"] += raw_zoom_baseline(app, window, track)
            plain = window.session.current.analysis
            res["arrive_plain"] = analysis_arrival(app, window, plain)
            res["arrive_labels"] = analysis_arrival(app, window, labelled(plain))
        results[mode] = res
        window.close()
        app.processEvents()
        if pool is not None:
            pool.close()

    p, th = results["process"], results["thread"]
    base_zoom = p["zoom_raw"]
    print()
    print(f"load average now: {', '.join(f'{v:.1f}' for v in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs (other work on the machine inflates every figure)")
    print(f"drop -> first waveform (10 min OGG):   {p['first_waveform'] * 1000:7.0f} ms   "
          f"(baseline: decode whole file first {full_decode * 1000:.0f} ms, "
          f"ratio {p['first_waveform'] / full_decode:.2f}; target <= 1000 ms)")
    print(f"drop -> full waveform:                 {p['full_waveform'] * 1000:7.0f} ms")
    print(f"drop -> analysis done:                 {p['analysed']:7.1f} s    "
          f"(in-process thread: {th['analysed']:.1f} s)")
    zp, zb = statistics.median(p["zoom"]), statistics.median(base_zoom)
    print(f"zoom frame time, median / max:         {zp * 1000:7.1f} / {max(p['zoom']) * 1000:.1f} ms "
          f"(baseline: lane A from raw samples {zb * 1000:.1f} / {max(base_zoom) * 1000:.1f} ms, "
          f"ratio {zp / zb:.2f})")
    print(f"GUI stall during analysis, max / p99:  {p['stall_max']:7.1f} / {p['stall_p99']:.1f} ms "
          f"(baseline tasks on a GUI-process thread: {th['stall_max']:.1f} / "
          f"{th['stall_p99']:.1f} ms; target <= 50 ms)")
    print(f"    longest GUI-thread work between two ticks (CPU time): {p['busiest']:.1f} ms "
          f"(thread mode: {th['busiest']:.1f} ms); the rest of a gap is waiting for a core")
    for gap, what, busy in p["worst"]:
        print(f"    a {gap * 1000:.0f} ms gap while {what} (GUI thread running "
              f"{busy * 1000:.0f} ms of it)")
    print(f"    garbage collector on the GUI thread: {p['gc']} "
          f"(thread mode: {th['gc']})")
    (lm, lp, lb), (bm, bp, bb) = p["arrive_labels"], p["arrive_plain"]
    print(f"GUI stall as a labelled analysis arrives, max / p99: {lm:.1f} / {lp:.1f} ms, "
          f"longest work {lb:.1f} ms CPU (baseline the same analysis without labels: "
          f"{bm:.1f} / {bp:.1f} ms, {bb:.1f} ms CPU; target <= 50 ms)")
    if player is not None:
        print(f"playback underruns during analysis:    {p['underruns']:7d}      "
              f"(baseline thread: {th['underruns']})")
        player.close()
    else:
        print(f"playback underruns: skipped ({reason})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
