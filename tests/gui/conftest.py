"""GUI test fixtures: isolated settings, a fake player, a short synthetic track, and
a main window that runs tasks on threads (no child processes, no audio device)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


class FakePlayer:
    """Stands in for ``core.playback.Player``: records calls, position set by the test."""

    def __init__(self, samplerate: int = 44100):
        self.samplerate = samplerate
        self.calls: list[tuple] = []
        self.pos = 0.0
        self.state = "stopped"
        self.mode = "A"
        self.loop = None
        self.a = self.b = None
        self.underruns = 0
        self.prepared: list[bool] = []
        self.threads: list = []
        self.is_available = True
        self.closed = False

    @property
    def duration(self) -> float:
        return 0.0 if self.a is None else len(self.a) / self.samplerate

    def _log(self, *call) -> None:
        self.calls.append(call)

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]

    def set_sources(self, a, a_sr, b=None, b_sr=None):
        self._log("set_sources", a_sr, b is not None)
        self._check(a, a_sr, b, b_sr)
        self.a, self.b = a, b

    def set_b(self, b, b_sr):
        self._log("set_b", b_sr)
        self._check(b, b_sr)
        self.b = b

    def _check(self, *pairs) -> None:
        """Record whether the sources came prepared (nothing left to do on this thread)
        and from which thread they were handed over."""
        from core.playback import is_prepared

        self.prepared.append(all(is_prepared(y, sr, self.samplerate)
                                 for y, sr in zip(pairs[::2], pairs[1::2])))
        self.threads.append(threading.current_thread())

    def play(self):
        self._log("play")
        self.state = "playing"

    def pause(self):
        self._log("pause")
        self.state = "paused"

    def stop(self):
        self._log("stop")
        self.state, self.pos = "stopped", 0.0

    def seek(self, seconds):
        self._log("seek", round(float(seconds), 3))
        self.pos = float(seconds)

    def set_mode(self, mode):
        self._log("set_mode", mode)
        self.mode = mode

    def toggle_ab(self):
        self._log("toggle_ab")
        self.mode = "B" if self.mode == "A" else "A"

    def set_loop(self, loop):
        self._log("set_loop", None if loop is None else (loop.start, loop.end))
        self.loop = loop

    def position(self) -> float:
        return self.pos

    def close(self):
        self.closed = True


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not present ({SHARED_DATA})")
    return SHARED_DATA


@pytest.fixture(scope="session")
def short_track(tmp_path_factory) -> Path:
    """20 s of the warm-up signal (clicks over two chords) as a 44.1 kHz WAV."""
    import soundfile as sf
    import soxr

    from core.app.warmup import synthetic_track

    y = synthetic_track(seconds=20.0)
    y = soxr.resample(y, 22050, 44100)
    path = tmp_path_factory.mktemp("audio") / "short track.wav"
    sf.write(path, np.stack([y, y], axis=1), 44100)
    return path


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    from gui.settings import AppSettings

    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def fake_player() -> FakePlayer:
    return FakePlayer()


def _window(qtbot, settings, opener):
    from PySide6.QtWidgets import QMessageBox

    from gui.app import create_window

    window = create_window(settings=settings, pool=None, player_opener=opener)
    # Closing the window at teardown must not wait on the modal "unsaved renders"
    # question; tests of that question delete this attribute (the real one is back).
    window.project.ask_unsaved = lambda text: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    window.show()
    window.open_player()
    return window


@pytest.fixture
def window(qtbot, settings, fake_player):
    """A shown main window with a fake player; closed (and its workers stopped) after."""
    w = _window(qtbot, settings, lambda device: (fake_player, "output: fake (44100 Hz)"))
    yield w
    w.session.shutdown()


@pytest.fixture
def silent_window(qtbot, settings):
    """A main window on a machine without an audio device."""
    reason = "Playback is unavailable: no usable audio output device (default: none)."
    w = _window(qtbot, settings, lambda device: (None, reason))
    yield w
    w.session.shutdown()


def drop_files(widget, paths) -> None:
    """Simulate dropping ``paths`` on ``widget`` (drag enter, then drop)."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    import warnings

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = widget.rect().center()
    with warnings.catch_warnings():  # PySide marks the only QDragEnterEvent constructor
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)


def wait_idle(qtbot, session, timeout: int = 60000) -> None:
    """Until no document is queued or busy."""
    from gui.document import BUSY

    qtbot.waitUntil(lambda: not any(d.status == "queued" or d.status in BUSY
                                    for d in session.documents), timeout=timeout)
