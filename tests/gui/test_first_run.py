"""Issue 14, bug 3: a cold first run (no compiled-kernel cache yet) shows what it waits for.

A real pool of warm worker processes starts on an empty ``TWINTRACK_CACHE``: its worker
builds the numba cache (30-60 s here) before it takes any job.  The test looks at the
window right after a file is dropped, then cancels; it never waits for the build.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.gui.conftest import drop_files


def _descendants(pid: int) -> list[int]:
    """Process ids below ``pid`` (Linux /proc), children first."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _builders() -> list[int]:
    """The processes compiling the kernels for this test's workers."""
    out = []
    for pid in _descendants(os.getpid()):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"core.app.warmup" in cmd:
            out.append(pid)
    return out


@pytest.fixture
def cold_window(qtbot, settings, fake_player, tmp_path, monkeypatch):
    """A window whose one warm worker process starts on an empty kernel cache."""
    from core import jitcache
    from core.app.pool import ProcessPool
    from gui.app import create_window

    monkeypatch.setenv("TWINTRACK_CACHE", str(tmp_path / "cache"))
    # this process's own kernel folder would be inherited (and respected) by the worker
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.delenv("TWINTRACK_JIT_PRIVATE", raising=False)
    assert not jitcache.is_ready()
    # size 0: the one worker starts with the first job, and none replaces it.
    pool = ProcessPool(size=0, max_children=1, warm=True)
    window = create_window(settings=settings, pool=pool,
                           player_opener=lambda device: (fake_player, "output: fake"))
    qtbot.addWidget(window)
    window.show()
    window.open_player()
    window.builders = []  # the test notes them while their worker lives
    yield window
    window.builders += _builders()
    window.session.shutdown()
    pool.close()
    for pid in set(window.builders):  # a killed worker leaves its build child running
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def test_cold_first_run_shows_the_track_and_what_it_waits_for(qtbot, cold_window,
                                                               short_track):
    window = cold_window
    drop_files(window, [short_track])
    doc = window.session.current
    assert doc is not None and doc.path == str(short_track)  # current at once
    assert doc.status == "loading"
    assert window.job_bar.cancel_button.isEnabled()
    assert "first run: preparing the analysis engine" in window.job_bar.stage.text()
    assert "first run" in window.statusBar().currentMessage()
    assert "Drop audio files" not in window.timeline._empty.text()
    assert short_track.name in window.timeline._empty.text()
    assert "first run" in window.timeline._empty.text()
    assert window.windowTitle().startswith(short_track.name)
    # The worker really is building the cache; Cancel stops the wait.
    qtbot.waitUntil(lambda: bool(_builders()), timeout=60000)
    window.builders += _builders()
    assert doc.status == "loading" and not doc.envelope
    qtbot.mouseClick(window.job_bar.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: doc not in window.session.documents, timeout=30000)
    assert "opening cancelled" in window.banner.text
