"""Starting the desktop application: ``main(files) -> exit status``.

Creates the QApplication, the settings store, the warm worker processes (each
compiles/loads numba's kernels in the background as it starts), the session and
the window; settles the heap (:func:`settle_heap`) once the window shows; opens the
audio output; queues ``files``.  SIGINT (Ctrl-C in its terminal) and SIGTERM (a
session ending, ``kill``) close the window as its close button does
(:func:`close_on_signals`), so settings are saved and the worker processes stop.
``TWINTRACK_GUI_INPROCESS=1`` runs tasks on worker threads instead of processes
(for debugging).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading

__all__ = ["main", "create_window", "settle_heap", "close_on_signals"]

logger = logging.getLogger(__name__)


def create_window(*, settings=None, pool=None, player_opener=None):
    """The session and main window, not shown (tests and benchmarks build it this way)."""
    import pyqtgraph as pg

    from gui.main_window import MainWindow
    from gui.session import Session
    from gui.settings import AppSettings
    from gui.transport import open_player

    pg.setConfigOptions(antialias=False, background="w", foreground="k")
    settings = settings or AppSettings()
    holder: dict = {}

    def playback_rate():
        player = holder["window"].transport.player if "window" in holder else None
        return getattr(player, "samplerate", None)

    session = Session(settings, pool=pool, playback_rate=playback_rate)
    window = MainWindow(session, player_opener=player_opener or open_player)
    holder["window"] = window
    return window


def settle_heap() -> None:
    """Collect once, then exempt every object alive now from later collections.

    A full collection of the GUI process (~180 000 objects once Qt, pyqtgraph and
    numpy are loaded) takes ~100 ms with the GIL held: a GUI stall, and a gap the
    audio callback of the same process must wait through.  The startup objects live
    as long as the process anyway; frozen, a full collection only walks what came
    later (``gc.freeze``).
    """
    gc.collect()
    gc.freeze()


def close_on_signals(window, *, signals=(signal.SIGINT, signal.SIGTERM)):
    """Close ``window`` when the process gets one of ``signals``; main (GUI) thread only.

    Qt's event loop runs in C++, where a Python signal handler never gets a turn: the
    signal number is written to a socket (:func:`signal.set_wakeup_fd`) that a
    :class:`QSocketNotifier` watches, and its slot closes the window.

    Returns
    -------
    QSocketNotifier or None
        The notifier (a child of ``window``); None off the main thread, where Python
        cannot install signal handlers.
    """
    from PySide6.QtCore import QSocketNotifier

    if threading.current_thread() is not threading.main_thread():
        return None
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    for signum in signals:  # a Python handler, so the wakeup byte is written
        signal.signal(signum, lambda *_: None)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, window)

    def _on_signal_received() -> None:
        with contextlib.suppress(OSError):
            got = [signal.Signals(n).name for n in reader.recv(64) if n in set(signals)]
            logger.info("%s: closing the window", ", ".join(got) or "signal")
        window.ask_before_closing = False  # nobody is there to answer
        window.close()

    notifier.activated.connect(_on_signal_received)
    notifier._sockets = (reader, writer)  # alive as long as the notifier
    return notifier


def main(files: list[str] | None = None, *, render: str | None = None) -> int:
    """Run the Twintrack window until it closes; returns the exit status.

    ``files`` are queued for analysis; None (a bare ``gui-scripts`` entry point) takes
    them from ``sys.argv[1:]`` as they are (no option parsing here).  ``render`` is a
    render of the first file (audio plus ``<stem>.timeline.json``, as ``twintrack demo``
    writes it), shown as its B lane once the file is analysed.
    """
    multiprocessing.freeze_support()
    if files is None:
        files = sys.argv[1:]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from core.app.pool import ProcessPool
    from gui.about import identify_application
    from gui.workers import Worker

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Twintrack")
    app.setOrganizationName("Twintrack")
    app.setApplicationDisplayName("Twintrack")
    identify_application(app)  # the icon, and the desktop entry the window belongs to
    in_process = os.environ.get("TWINTRACK_GUI_INPROCESS") == "1"
    pool = None if in_process else ProcessPool(size=2, warm=True)
    window = create_window(pool=pool)
    warm = None
    if in_process:  # warm numba in this process instead, off the GUI thread
        from core.app.analyze import warm_process

        warm = Worker(window)
        warm.start(warm_process)
    close_on_signals(window)
    window.show()
    logger.info("window shown")
    settle_heap()
    QTimer.singleShot(0, window.open_player)
    if files:
        QTimer.singleShot(0, lambda: window.open_paths([os.fspath(f) for f in files],
                                                       render=render))
    try:
        return int(app.exec())
    finally:
        if warm is not None:
            warm.shutdown(timeout=1.0)
        if pool is not None:
            pool.close()


if __name__ == "__main__":  # python -m gui.app [FILES]
    sys.exit(main(sys.argv[1:]))
