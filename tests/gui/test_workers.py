"""The worker adapter (Qt) with plain task functions, and the track-loading task it runs
(the process pool is tested in tests/test_app.py)."""

from __future__ import annotations

import pytest

from core.errors import Cancelled
from tests.fixtures import tasks as t


@pytest.fixture
def worker(qtbot):
    from gui.workers import Worker

    w = Worker()
    yield w
    assert w.shutdown(timeout=5.0)


def _record(worker):
    seen = []
    worker.progressed.connect(lambda f, s: seen.append(("progressed", round(f, 3), s)))
    worker.yielded.connect(lambda v: seen.append(("yielded", v)))
    worker.finished.connect(lambda v: seen.append(("finished", v)))
    return seen


def test_progress_then_finished_in_order(qtbot, worker):
    seen = _record(worker)
    with qtbot.waitSignals([worker.progressed, worker.progressed, worker.progressed,
                            worker.finished], order="strict", timeout=5000):
        worker.start(t.count, 3)
    assert seen == [("progressed", 0.333, "step 1"), ("progressed", 0.667, "step 2"),
                    ("progressed", 1.0, "step 3"), ("finished", 3)]
    assert not worker.busy


def test_twintrack_error_becomes_failed_message(qtbot, worker):
    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.start(t.fail, "bad.wav: not a readable audio file")
    assert blocker.args == ["bad.wav: not a readable audio file"]


def test_unexpected_exception_is_reported_not_raised(qtbot, worker):
    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.start(t.crash)
    assert "Internal error" in blocker.args[0] and "ValueError" in blocker.args[0]


def test_cancel_emits_cancelled(qtbot, worker):
    with qtbot.waitSignal(worker.progressed, timeout=5000):
        worker.start(t.wait_for_cancel)
    with qtbot.waitSignal(worker.cancelled, timeout=5000):
        worker.cancel()
    assert not worker.busy


def test_newest_request_wins(qtbot, worker):
    finished = []
    worker.finished.connect(finished.append)
    worker.start(t.ignore_cancel, "old", seconds=0.3)  # finishes anyway: must be dropped
    worker.start(t.wait_for_cancel)  # superseded next: cancelled silently
    cancelled = []
    worker.cancelled.connect(lambda: cancelled.append(True))
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start(t.ignore_cancel, "new", seconds=0.05)
    qtbot.wait(400)  # the old jobs end meanwhile; nothing of theirs may arrive
    assert finished == ["new"]
    assert cancelled == []


def test_partial_results_arrive_as_yielded(qtbot, worker):
    seen = _record(worker)
    with qtbot.waitSignals([worker.yielded, worker.finished], order="strict", timeout=5000):
        worker.start(t.big_array, 10, partial=True)
    assert seen[0][0] == "yielded" and list(seen[0][1]) == [0, 1, 2, 3]
    assert seen[-1][0] == "finished" and len(seen[-1][1]["data"]) == 10


def test_load_track_task_without_qt(short_track):
    from core.app.tracks import load_track

    stages, partials = [], []
    loaded = load_track(short_track, playback_sr=48000, partial=partials.append,
                        progress=lambda f, s: stages.append((f, s)))
    assert loaded.sr == 48000 and loaded.native_sr == 44100
    assert loaded.audio.shape[1] == 2 and abs(loaded.duration - 20.0) < 0.01
    assert partials and partials[-1].covered == pytest.approx(20.0, abs=0.01)
    assert stages[-1] == (1.0, "loaded")
    assert [f for f, _ in stages] == sorted(f for f, _ in stages)
    with pytest.raises(Cancelled):
        load_track(short_track, cancelled=lambda: True)


def test_prepare_runs_on_the_job_thread_before_each_value_arrives(qtbot, worker):
    """``prepare`` sees the partial value and the result on the job's thread, each
    before the GUI thread gets it (what gui.derived.warm relies on)."""
    import threading

    gui = threading.get_ident()
    prepared = []
    seen = _record(worker)
    worker.yielded.connect(lambda v: seen.append(("prepared then", len(prepared))))
    worker.finished.connect(lambda v: seen.append(("prepared then", len(prepared))))
    with qtbot.waitSignals([worker.yielded, worker.finished], order="strict", timeout=5000):
        worker.start(t.big_array, 10, partial=True,
                     prepare=lambda v: prepared.append(threading.get_ident()))
    assert len(prepared) == 2 and gui not in prepared
    arrived = [s[1] for s in seen if s[0] == "prepared then"]
    assert len(arrived) == 2 and arrived[0] >= 1 and arrived[1] == 2
