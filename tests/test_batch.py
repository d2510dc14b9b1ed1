"""Batches of files: Ctrl-C stops a batch cleanly (issue 16, part 1).

Before: every file was submitted at once and the pool was left with
``shutdown(wait=True)``, so after SIGINT twelve files kept going for 8 s and ten more
were written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.app.batch import analyze_files

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """40 names for one 90 s track (links: the batch reads 40 files, the disk holds one)."""
    d = tmp_path_factory.mktemp("many")
    sr = 22050
    t = np.arange(90 * sr) / sr
    y = 0.1 * (np.sin(2 * np.pi * 220 * t) + np.sin(2 * np.pi * 277.2 * t))
    for start in range(0, len(y) - 300, sr // 2):
        y[start:start + 300] += 0.4 * np.hanning(300)
    sf.write(d / "track.wav", y.astype(np.float32), sr, subtype="PCM_16")
    names = []
    for i in range(40):
        os.link(d / "track.wav", d / f"{i:02d} intro.wav")
        names.append(d / f"{i:02d} intro.wav")
    return names


def test_ctrl_c_stops_the_batch_cleanly(many, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "analyze", *map(str, many), "--out-dir", str(out),
         "--jobs", "2", "--model", "none", "--format", "json,csv", "--quiet"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()  # the first file is done (a line is flushed per file)
    assert "analysed" in first
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=300)  # the little it prints fits in the pipes
    # read through the same buffered streams: communicate() would skip what readline()
    # already buffered
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    assert proc.returncode == 130, stderr
    analysed = [first] + [line for line in stdout.splitlines() if "analysed" in line]
    assert 0 < len(analysed) < len(many)  # it stopped: most files never started
    assert "interrupted:" in stderr and f"{len(analysed)} of 40 files" in stderr
    assert "Traceback" not in stderr
    # every file it reported is complete, and nothing else is there, half-written or not
    written = sorted(p.name for p in out.iterdir())
    stems = sorted(Path(line.split(":")[0]).stem for line in analysed)
    assert written == sorted(f"{s}{ext}" for s in stems for ext in (".csv", ".json"))


def test_a_stopped_batch_reports_every_file(many, tmp_path):
    stop = threading.Event()
    results = []
    for result in analyze_files(many[:12], tmp_path, ["json"], jobs=2, cancelled=stop.is_set):
        results.append(result)
        stop.set()  # stop once the first file is done: at most 4 were ever queued
    assert sorted(r.index for r in results) == list(range(12))  # one result per file
    stopped = [r for r in results if r.cancelled]
    assert len(stopped) >= 8 and all(r.error for r in stopped)
    done = [r for r in results if not r.cancelled]
    assert done and sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{r.path.stem}.json" for r in done)


def test_serial_batch_stops_too(many, tmp_path):
    results = list(analyze_files(many[:3], tmp_path, ["json"], jobs=1,
                                 cancelled=lambda: True))
    assert [r.cancelled for r in results] == [True, True, True]
    assert list(tmp_path.iterdir()) == []
