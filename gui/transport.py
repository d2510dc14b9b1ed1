"""Transport: play/pause/stop, A / B / A+B, B level-matched or not, loop, position.

:class:`Transport` drives one player with the ``core.playback.Player`` interface and
owns the clock: a ~30 ms QTimer polls ``player.position()`` and emits
:attr:`Transport.position_changed`, which is the only thing that moves the playhead.

The player's audio is prepared off the GUI thread and handed over by reference by a
:class:`~gui.player_feed.PlayerFeed`; a command given before its audio is ready runs
when it is.  Any playback failure (a player call, the hand-over, the clock, a stream
that stops) shows on the status line and as an error message, with the buttons as the
player is.  Without an audio device (no PortAudio, no output) the transport stays
visible, disabled, and says why.
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from core.app.listen import prepare_ab
from gui.controls import build_controls
from gui.document import Document
from gui.player_feed import PlayerFeed, levels_tooltip, open_player
from gui.readouts import format_time

__all__ = ["Transport", "open_player", "SEEK_STEP", "CLOCK_MS"]

logger = logging.getLogger(__name__)

SEEK_STEP = 5.0
CLOCK_MS = 30
_SEEK_SETTLE = 0.5  # s: longer than any output latency; a seek not seen by then is gone


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
    shortcuts work anywhere in it) and the :class:`PlayerFeed` that prepares the
    player's audio on a worker (call :meth:`shutdown` before the application quits).
    Does not own the player's lifetime: whoever passes it to :meth:`set_player` closes
    it.
    """

    position_changed = Signal(float)
    message_posted = Signal(str, str)  # level, text

    def __init__(self, parent: QWidget | None = None, *, loop_factory=_loop):
        super().__init__(parent)
        self._player = None
        self._doc: Document | None = None
        self._feed = PlayerFeed(prepare_ab, self)
        self._feed.failed.connect(self._show_failure)
        self._feed.levels_changed.connect(self._on_feed_levels_changed)
        self._last_pos = -1.0
        self._output_lost = False  # the player's stream stopped; said once
        self._loop_factory = loop_factory
        self._seek_target: tuple[float, float] | None = None  # (seconds, monotonic time)
        self._seek_delta = 0.0  # arrow presses waiting for the audio to be ready
        self._build_widgets()

        self.play_action = self._action("Play / Pause", "Space", self.play_pause)
        self.stop_action = self._action("Stop", "Shift+Space", self.stop)
        self.toggle_ab_action = self._action("Switch A/B", "B", self.toggle_ab)
        self.back_action = self._action(f"Back {SEEK_STEP:g} s", "Left",
                                        lambda: self.seek_by(-SEEK_STEP))
        self.forward_action = self._action(f"Forward {SEEK_STEP:g} s", "Right",
                                           lambda: self.seek_by(SEEK_STEP))
        self.loop_action = self._action("Loop the selected range or segment", "L",
                                        self.toggle_loop)

        self.play_button.clicked.connect(self.play_pause)
        self.stop_button.clicked.connect(self.stop)
        for mode, button in self.mode_buttons.items():
            button.clicked.connect(lambda _=False, m=mode: self.set_mode(m))
        self.loop_button.clicked.connect(lambda on: self.set_loop_enabled(on))
        self.level_button.toggled.connect(self._on_level_button_toggled)
        self._on_feed_levels_changed(None)

        self.clock = QTimer(self)
        self.clock.setInterval(CLOCK_MS)
        self.clock.timeout.connect(self._on_clock_timeout)
        self.set_player(None, "Playback: looking for an audio output...")

    def _build_widgets(self) -> None:
        """The buttons, the position and the status line, in one row."""
        c = build_controls(self)
        self.play_button, self.stop_button = c.play_button, c.stop_button
        self.mode_buttons, self._modes, self.loop_button = c.mode_buttons, c.modes, c.loop_button
        self.level_button = c.level_button
        self.position_label, self.status_label = c.position_label, c.status_label

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

    @property
    def _prepared(self) -> tuple | None:
        """The audio ready for the player (white-box tests wait for it)."""
        return self._feed.prepared

    def set_player(self, player, reason: str = "") -> None:
        """Use ``player``; None disables the transport and shows ``reason``."""
        self._player = player
        self._output_lost = False
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
        self._feed.set_player(player)

    def shutdown(self, timeout: float = 3.0) -> None:
        """Stop preparing audio and wait for the worker thread (at exit)."""
        self._feed.shutdown(timeout=timeout)

    @_reported("switching tracks")
    def set_document(self, doc: Document | None) -> None:
        if self._doc is not None:
            self._doc.original_changed.disconnect(self._on_doc_original_changed)
            self._doc.renders_changed.disconnect(self._on_doc_renders_changed)
            self._doc.selection_changed.disconnect(self._on_doc_selection_changed)
            self._doc.range_changed.disconnect(self._on_doc_selection_changed)
        if self._player is not None and self._doc is not doc:
            self._player.stop()
            self._player.set_loop(None)
            self.loop_button.setChecked(False)
        if self._doc is not doc:
            self._seek_target, self._seek_delta = None, 0.0
        self._doc = doc
        if doc is not None:
            doc.original_changed.connect(self._on_doc_original_changed)
            doc.renders_changed.connect(self._on_doc_renders_changed)
            doc.selection_changed.connect(self._on_doc_selection_changed)
            doc.range_changed.connect(self._on_doc_selection_changed)
        self._update_enabled()
        self._feed.set_document(doc)
        self._on_clock_timeout()

    def _update_enabled(self) -> None:
        ok = self._player is not None
        loaded = ok and self._doc is not None and self._doc.loaded is not None
        has_b = loaded and self._doc.render is not None
        for w in (self.play_button, self.stop_button, self.loop_button,
                  self.mode_buttons["A"]):
            w.setEnabled(loaded)
        for w in (self.mode_buttons["B"], self.mode_buttons["AB"], self.level_button):
            w.setEnabled(has_b)
        for a in self.actions_for_window():
            a.setEnabled(ok)
        if not has_b and self._player is not None and self._player.mode != "A":
            self.set_mode("A")

    def _show_failure(self, text: str) -> None:
        """Say that playback failed (status line and a message) and show the buttons as
        the player is; the command that was waiting for audio is dropped."""
        self._feed.when_ready(None)
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

    @_reported("loading the track")
    def _on_doc_original_changed(self) -> None:
        self._update_enabled()
        self._feed.update()

    @_reported("taking the render")
    def _on_doc_renders_changed(self) -> None:
        self._update_enabled()
        self._feed.update()  # pushed when ready if listening, else on the next play

    @_reported("level matching")
    def _on_level_button_toggled(self, on: bool) -> None:
        self._feed.set_level_matched(on)  # the tooltip follows: levels_changed

    def _on_feed_levels_changed(self, levels) -> None:  # the gain per section of B
        self.level_button.setToolTip(levels_tooltip(levels, self.level_button.isChecked()))

    @_reported("looping the segment")
    def _on_doc_selection_changed(self, *_args) -> None:
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
        if self._feed.push():
            return True
        self._feed.when_ready(retry)
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
        self._feed.when_ready(None)
        self._seek_target, self._seek_delta = None, 0.0
        if self._player is not None:
            self._player.stop()
            self._on_clock_timeout()

    @_reported("seek")
    def seek(self, seconds: float) -> None:
        if self._ready(lambda: self.seek(seconds)):
            self._seek_to(seconds)

    @_reported("seek")
    def seek_by(self, delta: float) -> None:
        """Seek ``delta`` seconds from where the last seek went, if the player does not
        play from there yet (its position follows a seek only once the audio callback
        took it): fast arrow presses add up."""
        self._seek_delta += delta
        if self._ready(self._seek_by_pending):
            self._seek_by_pending()

    def _seek_by_pending(self) -> None:
        delta, self._seek_delta = self._seek_delta, 0.0
        target = self._seek_target[0] if self._seek_target else self._player.position()
        self._seek_to(target + delta)

    def _seek_to(self, seconds: float) -> None:
        duration = self._doc.duration if self._doc is not None else 0.0
        target = min(max(0.0, seconds), duration) if duration > 0 else max(0.0, seconds)
        self._player.seek(target)
        self._seek_target, self._seek_delta = (target, time.monotonic()), 0.0

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
        span = None
        if self._doc is not None:   # a dragged range first, else the selected segment
            span = (self._doc.selection_range
                    or self._doc.segment_span(self._doc.selected_segment))
        if on and span is None:
            if not quiet:
                self.message_posted.emit("info", "Click a segment to select it, or Shift+drag "
                                                 "over the lanes to select a range, then press "
                                                 "L to loop it.")
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
        if self._seek_target is not None:
            target, when = self._seek_target
            # Taken (the position is there) or given up on (a loop moved it elsewhere).
            if 0.0 <= pos - target < SEEK_STEP / 2 or time.monotonic() - when > _SEEK_SETTLE:
                self._seek_target = None
        duration = self._doc.duration if self._doc is not None else 0.0
        self.position_label.setText(f"{format_time(pos)} / {format_time(duration)}")
        self.play_button.setText("Pause" if player.state == "playing" else "Play")
        if pos != self._last_pos:
            self._last_pos = pos
            self.position_changed.emit(pos)


if __name__ == "__main__":  # preview: python -m gui.transport
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    transport = Transport()
    transport.set_player(*open_player())
    transport.show()
    sys.exit(app.exec())
