"""Transport: play/pause/stop, A / B / A+B, loop the selected segment, position.

:class:`Transport` drives one player with the ``core.playback.Player`` interface and
owns the clock: a ~30 ms QTimer polls ``player.position()`` and emits
:attr:`Transport.position_changed`, which is the only thing that moves the playhead.

The player's sources are prepared (resampled to the stream rate, made stereo float32
and read-only: ``core.playback.prepare_source``) on a worker thread as soon as a track
or a render arrives, and handed to the player when they are needed (play, seek, a new
render while listening), which then only swaps references: the GUI thread never
copies or resamples audio.  A command given before its audio is ready runs when it is.

Without an audio device (no PortAudio, no output) the transport stays visible,
disabled, and says why.
"""

from __future__ import annotations

import functools
import logging
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QButtonGroup, QHBoxLayout, QLabel, QPushButton, QSizePolicy,
                               QWidget)

from gui import tasks
from gui.document import Document
from gui.timeline_view import format_time
from gui.workers import Worker

__all__ = ["Transport", "open_player", "SEEK_STEP", "CLOCK_MS"]

logger = logging.getLogger(__name__)

SEEK_STEP = 5.0
CLOCK_MS = 30


def open_player(device: str | None = None):
    """``(player, reason)``: a ``core.playback.Player`` or None, and a line for the user."""
    try:
        from core.playback import PlaybackUnavailable, Player, playback_status
    except ImportError as exc:
        return None, f"Playback is unavailable: the playback module cannot be loaded ({exc})."
    try:
        player = Player(device=device)
    except PlaybackUnavailable as exc:
        return None, str(exc)
    except Exception as exc:  # a device error PortAudio reports oddly: the app still runs
        logger.exception("opening the audio output failed")
        return None, f"Playback is unavailable: the audio output could not be opened ({exc})."
    ok, reason = playback_status(device=device)
    return player, reason if ok else "output ready"


class _Sources:
    """What the player holds or should hold: a document, its loaded track, its render.

    Compared by identity: a document replaces its results, never mutates them, so the
    same objects mean the same audio; comparing them by value would compare their numpy
    arrays (an error, not a bool: issue 14)."""

    __slots__ = ("doc", "loaded", "render")

    def __init__(self, doc, loaded, render):
        self.doc, self.loaded, self.render = doc, loaded, render

    def same_original(self, other: _Sources | None) -> bool:
        """Same document and track (the render may differ)."""
        return other is not None and self.doc is other.doc and self.loaded is other.loaded

    def __eq__(self, other) -> bool:
        return (isinstance(other, _Sources) and self.same_original(other)
                and self.render is other.render)


def _reported(action: str):
    """A transport slot whose failure is shown in the window (a message, the status
    line, the buttons as the player is) instead of ending in Qt's event loop."""
    def wrap(method):
        @functools.wraps(method)
        def run(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:  # any failure: the user must see that nothing plays
                logger.exception("playback: %s failed", action)
                self._show_failure(f"Playback failed ({action}): {exc}")
                return None
        return run
    return wrap


def _loop(start: float, end: float):
    from core.playback import Loop

    return Loop(start, end)


class Transport(QWidget):
    """Buttons, shortcuts and the playhead clock for one player.  GUI thread only.

    Owns the clock timer, the QActions (add them to the main window so their
    shortcuts work anywhere in it) and the worker that prepares the player's sources
    (call :meth:`shutdown` before the application quits).  Does not own the player's
    lifetime: whoever passes it to :meth:`set_player` closes it.
    """

    position_changed = Signal(float)
    message_posted = Signal(str, str)  # level, text

    def __init__(self, parent: QWidget | None = None, *, loop_factory=_loop):
        super().__init__(parent)
        self._player = None
        self._doc: Document | None = None
        self._pushed: _Sources | None = None  # what the player holds
        self._prepared: tuple | None = None  # (sources, a, b) ready for the player
        self._preparing: _Sources | None = None  # sources being prepared
        self._pending: Callable[[], None] | None = None  # a command waiting for audio
        self._prep = Worker(self)
        self._prep.finished.connect(self._on_prep_finished)
        self._prep.failed.connect(self._on_prep_failed)
        self._last_pos = -1.0
        self._output_lost = False  # the player's stream stopped; said once
        self._loop_factory = loop_factory

        self.play_button = self._button("Play", "Play or pause (Space)")
        self.stop_button = self._button("Stop", "Stop and rewind")
        self.mode_buttons = {m: self._button(text, tip, checkable=True)
                             for m, text, tip in (("A", "A", "Listen to the original"),
                                                  ("B", "B", "Listen to the render"),
                                                  ("AB", "A+B", "Listen to both at once"))}
        self._modes = QButtonGroup(self)
        for button in self.mode_buttons.values():
            self._modes.addButton(button)
        self.mode_buttons["A"].setChecked(True)
        self.loop_button = self._button("Loop", "Loop the selected segment (L)", checkable=True)
        self.position_label = QLabel("0:00.0 / 0:00.0")
        self.position_label.setMinimumWidth(130)
        self.position_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status_label = QLabel("")
        self.status_label.setObjectName("playbackStatus")
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for w in (self.play_button, self.stop_button):
            layout.addWidget(w)
        layout.addSpacing(12)
        for w in self.mode_buttons.values():
            layout.addWidget(w)
        layout.addSpacing(12)
        layout.addWidget(self.loop_button)
        layout.addWidget(self.position_label)
        layout.addWidget(self.status_label, 1)

        self.play_action = self._action("Play / Pause", "Space", self.play_pause)
        self.stop_action = self._action("Stop", "Shift+Space", self.stop)
        self.toggle_ab_action = self._action("Switch A/B", "B", self.toggle_ab)
        self.back_action = self._action(f"Back {SEEK_STEP:g} s", "Left",
                                        lambda: self.seek_by(-SEEK_STEP))
        self.forward_action = self._action(f"Forward {SEEK_STEP:g} s", "Right",
                                           lambda: self.seek_by(SEEK_STEP))
        self.loop_action = self._action("Loop selected segment", "L", self.toggle_loop)

        self.play_button.clicked.connect(self.play_pause)
        self.stop_button.clicked.connect(self.stop)
        for mode, button in self.mode_buttons.items():
            button.clicked.connect(lambda _=False, m=mode: self.set_mode(m))
        self.loop_button.clicked.connect(lambda on: self.set_loop_enabled(on))

        self.clock = QTimer(self)
        self.clock.setInterval(CLOCK_MS)
        self.clock.timeout.connect(self._on_clock_timeout)
        self.set_player(None, "Playback: looking for an audio output...")

    def _button(self, text: str, tip: str, *, checkable: bool = False) -> QPushButton:
        b = QPushButton(text)
        b.setToolTip(tip)
        b.setCheckable(checkable)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space must reach the shortcut, not a button
        return b

    def _action(self, text: str, keys: str, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        return action

    def actions_for_window(self) -> list[QAction]:
        return [self.play_action, self.stop_action, self.toggle_ab_action, self.back_action,
                self.forward_action, self.loop_action]

    # -- player and document ---------------------------------------------------------
    @property
    def player(self):
        return self._player

    def set_player(self, player, reason: str = "") -> None:
        """Use ``player``; None disables the transport and shows ``reason``."""
        self._player = player
        self._pushed = self._prepared = self._preparing = self._pending = None
        self._output_lost = False
        self._prep.cancel()
        available = player is not None
        if available:
            self.clock.start()
            self.status_label.setText(reason)
            self.status_label.setStyleSheet("color: #2e7d32;")
        else:
            self.clock.stop()
            self.status_label.setText(reason or "Playback is unavailable.")
            self.status_label.setStyleSheet("color: #b00020;")
        self.status_label.setToolTip(self.status_label.text())
        self._update_enabled()
        self._prepare_sources()

    def shutdown(self, timeout: float = 3.0) -> None:
        """Stop preparing audio and wait for the worker thread (at exit)."""
        self._pending = None
        self._prep.shutdown(timeout=timeout)

    @_reported("switching tracks")
    def set_document(self, doc: Document | None) -> None:
        if self._doc is not None:
            self._doc.original_changed.disconnect(self._on_doc_original_changed)
            self._doc.renders_changed.disconnect(self._on_doc_renders_changed)
            self._doc.selection_changed.disconnect(self._on_doc_selection_changed)
        if self._player is not None and self._doc is not doc:
            self._player.stop()
            self._player.set_loop(None)
            self.loop_button.setChecked(False)
        self._doc = doc
        self._pending = None
        if self._prepared is not None and self._prepared[0].doc is not doc:
            self._prepared = None  # another track's audio: let it go
        if doc is not None:
            doc.original_changed.connect(self._on_doc_original_changed)
            doc.renders_changed.connect(self._on_doc_renders_changed)
            doc.selection_changed.connect(self._on_doc_selection_changed)
        self._update_enabled()
        self._prepare_sources()
        self._on_clock_timeout()

    def _update_enabled(self) -> None:
        ok = self._player is not None
        loaded = ok and self._doc is not None and self._doc.loaded is not None
        has_b = loaded and self._doc.render is not None
        for w in (self.play_button, self.stop_button, self.loop_button,
                  self.mode_buttons["A"]):
            w.setEnabled(loaded)
        for m in ("B", "AB"):
            self.mode_buttons[m].setEnabled(has_b)
        for a in self.actions_for_window():
            a.setEnabled(ok)
        if not has_b and self._player is not None and self._player.mode != "A":
            self.set_mode("A")

    def _sources_key(self) -> _Sources | None:
        """What the player should hold now, or None."""
        doc = self._doc
        if self._player is None or doc is None or doc.loaded is None:
            return None
        return _Sources(doc, doc.loaded, doc.render)

    def _prepare_sources(self) -> None:
        """Prepare the current document's audio for the player on the worker thread,
        unless it is prepared or being prepared already (A is reused for a new render)."""
        key = self._sources_key()
        if key is None:
            if self._preparing is not None:
                self._prep.cancel()
                self._preparing = None
            return
        if key == self._preparing or (self._prepared is not None and self._prepared[0] == key):
            return
        loaded = key.loaded
        same_a = self._prepared is not None and self._prepared[0].same_original(key)
        a = None if same_a else (loaded.audio, loaded.sr)
        b = _b_source(key.render, loaded.sr)
        self._preparing = key
        self._prep.start(tasks.prepare_playback, (a, b), samplerate=self._player.samplerate)

    @_reported("handing over the audio")
    def _on_prep_finished(self, result: tuple) -> None:
        key, self._preparing = self._preparing, None
        if key is None or key != self._sources_key():
            self._prepare_sources()  # the document moved on meanwhile
            return
        a, b = result
        if a is None:  # only the render changed: A as prepared before
            a = self._prepared[1]
        self._prepared = (key, a, b)
        if self._player.state == "playing" and key.same_original(self._pushed):
            self._push_sources()  # swap B in place while listening
        pending, self._pending = self._pending, None
        if pending is not None:
            pending()

    def _on_prep_failed(self, message: str) -> None:
        self._preparing = None
        self._show_failure(f"Playback: the audio could not be prepared ({message})")

    def _show_failure(self, text: str) -> None:
        """Say that playback failed (status line and a message) and show the buttons as
        the player is; the command that was waiting for audio is dropped."""
        self._pending = None
        self.status_label.setText(text)
        self.status_label.setStyleSheet("color: #b00020;")
        self.status_label.setToolTip(text)
        try:
            playing = self._player is not None and self._player.state == "playing"
        except Exception:  # a player too broken to say: it is not playing for the user
            logger.exception("playback: reading the player's state failed")
            playing = False
        self.play_button.setText("Pause" if playing else "Play")
        self.message_posted.emit("error", text)

    def _push_sources(self) -> bool:
        """Give the player the current document's prepared A and B (references only);
        False while they are still being prepared."""
        key = self._sources_key()
        if key is None:
            return False
        if self._pushed == key:
            return True
        if self._prepared is None or self._prepared[0] != key:
            self._prepare_sources()
            return False
        _, a, b = self._prepared
        sr = self._player.samplerate
        if key.same_original(self._pushed):
            self._player.set_b(b, sr)
        else:
            self._player.set_sources(a, sr, b, sr)
        self._pushed = key
        return True

    @_reported("loading the track")
    def _on_doc_original_changed(self) -> None:
        self._update_enabled()
        self._prepare_sources()

    @_reported("taking the render")
    def _on_doc_renders_changed(self) -> None:
        self._update_enabled()
        self._prepare_sources()  # pushed when ready if listening, else on the next play

    @_reported("looping the segment")
    def _on_doc_selection_changed(self, index: int) -> None:
        if self.loop_button.isChecked():
            self.set_loop_enabled(True, quiet=True)

    # -- commands ----------------------------------------------------------------------
    def _usable(self) -> bool:
        """A player and a loaded document; else say what is missing."""
        if self._player is None:
            self.message_posted.emit("error", self.status_label.text())
            return False
        if self._doc is None or self._doc.loaded is None:
            self.message_posted.emit("info", "Open a track first (or wait until it has loaded).")
            return False
        return True

    def _ready(self, retry: Callable[[], None]) -> bool:
        """True if the player holds the document's audio; else ``retry`` runs once the
        audio is prepared (the newest command waiting wins)."""
        if not self._usable():
            return False
        if self._push_sources():
            return True
        self._pending = retry
        return False

    @_reported("play")
    def play_pause(self) -> None:
        if not self._ready(self.play_pause):
            return
        if self._player.state == "playing":
            self._player.pause()
        else:
            self._player.play()
        self._on_clock_timeout()

    @_reported("stop")
    def stop(self) -> None:
        self._pending = None
        if self._player is not None:
            self._player.stop()
            self._on_clock_timeout()

    @_reported("seek")
    def seek(self, seconds: float) -> None:
        if self._ready(lambda: self.seek(seconds)):
            self._player.seek(max(0.0, seconds))

    @_reported("seek")
    def seek_by(self, delta: float) -> None:
        if self._ready(lambda: self.seek_by(delta)):
            self._player.seek(max(0.0, self._player.position() + delta))

    @_reported("switch A/B")
    def set_mode(self, mode: str) -> None:
        if self._player is None:
            return
        if mode != "A" and (self._doc is None or self._doc.render is None):
            self.message_posted.emit("info", "No render yet: press Render to make the B track.")
            mode = "A"
        self._player.set_mode(mode)
        self.mode_buttons[mode].setChecked(True)

    @_reported("switch A/B")
    def toggle_ab(self) -> None:
        if not self._usable():
            return
        if self._doc.render is None:
            self.message_posted.emit("info", "No render yet: press Render to make the B track.")
            return
        self._player.toggle_ab()
        self.mode_buttons[self._player.mode].setChecked(True)

    def toggle_loop(self) -> None:
        self.set_loop_enabled(not self.loop_button.isChecked())

    @_reported("loop")
    def set_loop_enabled(self, on: bool, *, quiet: bool = False) -> None:
        if self._player is None:
            self.loop_button.setChecked(False)
            return
        span = self._doc.segment_span(self._doc.selected_segment) if self._doc else None
        if on and span is None:
            if not quiet:
                self.message_posted.emit("info", "Click a segment to select it, then press L "
                                                 "to loop it.")
            on = False
        if on:
            self._player.set_loop(self._loop_factory(*span))
            if not quiet:
                self.message_posted.emit("info", f"Looping {format_time(span[0])}-"
                                                 f"{format_time(span[1])}")
        else:
            self._player.set_loop(None)
        self.loop_button.setChecked(on)

    # -- clock -------------------------------------------------------------------------
    def _on_clock_timeout(self) -> None:
        """Poll the player: the only place the playhead position comes from."""
        player = self._player
        if player is None:
            return
        try:
            self._show_position(player)
        except Exception as exc:  # stop polling: one message, not one per tick
            logger.exception("playback: reading the position failed")
            self.clock.stop()
            self._show_failure(f"Playback failed (reading the position): {exc}")

    def _show_position(self, player) -> None:
        if not self._output_lost and not player.is_available:
            self._output_lost = True  # the stream died under us (its callback failed)
            self._show_failure("Playback stopped: the audio output failed (reopen it in "
                               "Settings \u2192 Preferences).")
        pos = float(player.position())
        duration = self._doc.duration if self._doc is not None else 0.0
        self.position_label.setText(f"{format_time(pos)} / {format_time(duration)}")
        self.play_button.setText("Pause" if player.state == "playing" else "Play")
        if pos != self._last_pos:
            self._last_pos = pos
            self.position_changed.emit(pos)


def _b_source(variant, a_sr: int):
    """The render's audio at the player's rate when the task prepared it, else as made."""
    if variant is None:
        return None, None
    if variant.playback is not None:
        return variant.playback, a_sr
    return variant.render.audio, variant.render.sr


if __name__ == "__main__":  # preview: python -m gui.transport
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    transport = Transport()
    transport.set_player(*open_player())
    transport.show()
    sys.exit(app.exec())
