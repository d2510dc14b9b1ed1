"""The compiled-kernel cache: built by one process at a time, damaged caches rebuilt.

Issue 14, bug 1: on a fresh cache, processes that compiled librosa's numba kernels
into one folder at the same time left it corrupt, and every later analysis died with a
segmentation fault.  These tests start real processes on fresh cache folders.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core import jitcache

ROOT = Path(__file__).resolve().parents[1]


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NUMBA_CACHE_DIR", "TWINTRACK_JIT_PRIVATE", jitcache.BUILDING)}
    env.update(TWINTRACK_CACHE=str(cache), **extra)
    return env


def _track(path: Path) -> Path:
    """12 s of clicks over a chord: enough for every analysis stage."""
    sr = 22050
    t = np.arange(12 * sr) / sr
    y = 0.1 * sum(np.sin(2 * np.pi * f * t) for f in (261.63, 329.63, 392.0))
    for start in range(0, len(y) - 200, sr // 2):
        y[start:start + 200] += 0.5 * np.hanning(200)
    sf.write(path, y.astype(np.float32), sr)
    return path


def _analyse(track: Path, out: Path, cache: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "core.cli", "analyze", str(track), "--out-dir", str(out),
         "--model", "none", "--format", "json", "--jobs", "1"],
        cwd=ROOT, env=_env(cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _shared(cache: Path) -> Path:
    folders = [p for p in (cache / "numba").iterdir() if p.is_dir()]
    assert len(folders) == 1, folders  # no staging or damaged folder left behind
    return folders[0]


@pytest.fixture(scope="module")
def cold_start(tmp_path_factory):
    """Three analyses started at once on an empty cache folder, then a fourth."""
    base = tmp_path_factory.mktemp("cold")
    cache = base / "cache"
    track = _track(base / "clicks.wav")
    procs = [_analyse(track, base / f"out{i}", cache) for i in range(3)]
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    later = _analyse(track, base / "out3", cache)
    results.append((later.wait(timeout=600), *later.communicate()))
    return cache, track, results


@pytest.mark.slow
def test_concurrent_cold_start_builds_the_cache_once(cold_start):
    cache, _, results = cold_start
    assert [code for code, _, _ in results] == [0, 0, 0, 0], [err for _, _, err in results]
    builds = [err for _, _, err in results if "compiling the analysis kernels" in err]
    assert len(builds) == 1  # one process built; the others waited and read
    assert "first run" in builds[0]
    folder = _shared(cache)
    assert (folder / ".complete").is_file()
    assert any(folder.rglob("*.nbi"))  # numba's index files are there


@pytest.mark.slow
def test_a_damaged_cache_is_detected_moved_aside_and_rebuilt(cold_start, tmp_path):
    cache, track, _ = cold_start
    folder = _shared(cache)
    damaged = sorted(folder.rglob("*.nbc"))
    assert damaged
    for path in damaged:  # keep the headers, garble the compiled code
        data = bytearray(path.read_bytes())
        middle = len(data) // 2
        data[middle:middle + 64] = os.urandom(min(64, len(data) - middle))
        path.write_bytes(bytes(data))
    warm = subprocess.run([sys.executable, "-m", "core.cli", "warmup"], cwd=ROOT,
                          env=_env(cache), capture_output=True, text=True, timeout=900)
    assert warm.returncode == 0, warm.stderr
    assert "moved aside and rebuilt" in warm.stderr
    rebuilt = _shared(cache)
    assert (rebuilt / ".complete").is_file()
    assert all(p.read_bytes() != b"" for p in rebuilt.rglob("*.nbc"))
    again = _analyse(track, tmp_path / "out", cache)
    code, _, err = again.wait(timeout=600), *again.communicate()
    assert code == 0, err
    assert (tmp_path / "out" / "clicks.json").is_file()


def test_a_process_without_a_complete_cache_compiles_privately(tmp_path):
    code = ("import os, core; from core import jitcache; "
            "print(os.environ['NUMBA_CACHE_DIR']); print(jitcache.shared_cache())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(tmp_path / "c"),
                         capture_output=True, text=True, check=True).stdout.split()
    private, shared = Path(out[0]), Path(out[1])
    assert private != shared and not private.is_relative_to(tmp_path)
    assert not private.exists()  # removed when the process ended


def test_a_complete_cache_is_shared_and_a_users_setting_kept(tmp_path):
    code = "import os, core; print(os.environ['NUMBA_CACHE_DIR'])"
    cache = tmp_path / "c"
    env = _env(cache)
    shared = Path(subprocess.run([sys.executable, "-c",
                                  "from core import jitcache; print(jitcache.shared_cache())"],
                                 cwd=ROOT, env=env, capture_output=True, text=True,
                                 check=True).stdout.strip())
    shared.mkdir(parents=True)
    (shared / ".complete").touch()
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    assert Path(run.stdout.strip()) == shared
    mine = str(tmp_path / "mine")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                         env={**env, "NUMBA_CACHE_DIR": mine}, capture_output=True,
                         text=True, check=True)
    assert run.stdout.strip() == mine


def test_a_forked_child_does_not_share_its_parents_private_folder(tmp_path):
    code = """
import os, core
from core import jitcache
parent = os.environ['NUMBA_CACHE_DIR']
r, w = os.pipe()
if os.fork() == 0:
    jitcache.configure()
    os.write(w, os.environ['NUMBA_CACHE_DIR'].encode())
    os._exit(0)
os.wait()
child = os.read(r, 4096).decode()
print(parent != child and os.path.isdir(child))
"""
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(tmp_path / "c"),
                         capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "True"
