"""Issue 16, part 4: the frozen one-folder app (``make app``) runs on its own.

``make test-app`` builds ``dist/twintrack/`` and runs this file with ``--run-app``;
without that option (``make test``, CI) it is skipped, because it needs the build
(3-4 min) and takes about two minutes.  The frozen binary starts with a clean
environment: no PYTHONPATH, its own kernel cache (so the first analysis builds it,
through the ``-m core.app.warmup`` children the launcher runs) and its own settings.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core import __version__

pytestmark = [pytest.mark.slow, pytest.mark.app]

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dist" / "twintrack" / "twintrack"
DEMO = ROOT / "resources" / "demo" / "karissa_hobbs-lets_go_fishin.ogg"
#: Only to end a hung process; no step is expected to come near it.
HANG = 900


@pytest.fixture(scope="module")
def app_env(tmp_path_factory) -> dict[str, str]:
    if not APP.is_file():
        pytest.fail(f"{APP} is missing: build it with `make app` (make test-app does)")
    home = tmp_path_factory.mktemp("frozen-home")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "NUMBA_", "TWINTRACK_", "QT_"))}
    env.update(TWINTRACK_CACHE=str(home / "cache"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "xdg-cache"),
               QT_QPA_PLATFORM="offscreen")
    return env


def _run(env, *args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(APP), *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=HANG)


def test_version(app_env):
    done = _run(app_env, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"twintrack {__version__}"


def test_analyze_the_demo_gives_what_the_source_tree_gives(app_env, tmp_path):
    """Every stage runs frozen: decoding, the kernels (compiled on first use into the
    user cache), the descriptor model (skops), the taggers (onnxruntime); the analysis
    is the one the checkout writes for the same file, byte for byte."""
    frozen, source = tmp_path / "frozen", tmp_path / "source"
    done = _run(app_env, "analyze", str(DEMO), "--tags", "--quiet", "--format", "json",
                "--out-dir", str(frozen))
    assert done.returncode == 0, done.stderr
    # librosa's kernels went to Twintrack's shared cache, not to numba's own folder
    # (where a frozen app's kernels go unless librosa ships as source files)
    (cache,) = (Path(app_env["TWINTRACK_CACHE"]) / "numba").glob("*/.complete")
    assert len(list(cache.parent.rglob("*.nbi"))) >= 10
    assert not (Path(app_env["XDG_CACHE_HOME"]) / "numba").exists()
    name = DEMO.stem + ".json"
    analysis = json.loads((frozen / name).read_text())
    assert analysis["versions"]["model"] and analysis["windows"]["labels"]
    assert set(analysis["windows"]["tags"]) == {"msd", "mtt"}  # both taggers ran
    subprocess.run([sys.executable, "-m", "core.cli", "analyze", str(DEMO), "--tags",
                    "--quiet", "--format", "json", "--out-dir", str(source)], cwd=ROOT,
                   check=True, capture_output=True, timeout=HANG)
    assert (frozen / name).read_bytes() == (source / name).read_bytes()


def test_a_bad_file_is_one_clear_line(app_env, tmp_path):
    bad = tmp_path / "not audio.wav"
    bad.write_text("hello")
    done = _run(app_env, "analyze", str(bad), "--quiet", "--out-dir", str(tmp_path))
    assert done.returncode != 0
    assert "not audio.wav" in done.stderr and "Traceback" not in done.stderr


def test_an_unknown_child_module_is_refused(app_env):
    done = _run(app_env, "-m", "os")
    assert done.returncode == 2 and "not a module this app runs" in done.stderr


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_gui_opens_offscreen_with_its_workers_and_closes_cleanly_on_sigterm(app_env):
    proc = subprocess.Popen([str(APP), "-v", "gui"], env=app_env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True).start()
    said = []
    try:
        while not any("window shown" in ln for ln in said):
            said.append(lines.get(timeout=HANG))
        time.sleep(3)  # let it run a few seconds: the workers warm up meanwhile
        assert proc.poll() is None, "".join(said)
        workers = [c for c in _children(proc.pid) if "--multiprocessing-fork" in _cmdline(c)]
        assert len(workers) == 2, [_cmdline(c) for c in _children(proc.pid)]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=HANG) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    while not lines.empty():
        said.append(lines.get())
    text = "".join(said)
    assert "SIGTERM: closing the window" in text
    assert "Traceback" not in text and "ERROR" not in text, text
    assert not [w for w in workers if "--multiprocessing-fork" in _cmdline(w)]
