"""Issue 16, part 4: SIGTERM or SIGINT closes the window as its close button does
(settings saved, worker processes stopped), instead of killing the process and
leaving its worker processes behind (seen with the frozen app)."""

from __future__ import annotations

import os
import signal

import pytest


@pytest.fixture
def restore_signals():
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    signal.set_wakeup_fd(-1)
    for s, handler in saved.items():
        signal.signal(s, handler)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_termination_signal_closes_the_window(qtbot, window, settings, restore_signals,
                                                signum):
    from gui.app import close_on_signals

    window.show()
    qtbot.waitExposed(window)
    closed = []
    shutdown = window.session.shutdown  # what closeEvent stops: seen, then run
    window.session.shutdown = lambda: (closed.append("session"), shutdown())
    assert close_on_signals(window) is not None
    os.kill(os.getpid(), signum)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert closed == ["session"]
    assert settings.geometry() is not None  # saved on the way out


def test_off_the_main_thread_nothing_is_installed(qtbot, window, restore_signals):
    import threading

    from gui.app import close_on_signals

    got = []
    worker = threading.Thread(target=lambda: got.append(close_on_signals(window)))
    worker.start()
    worker.join()
    assert got == [None]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
