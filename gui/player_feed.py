"""The player's audio: prepared off the GUI thread, handed over by reference.

:class:`PlayerFeed` knows what one player should hold (the current document's original
as A, its render as B) and what it holds.  As soon as a track or a render arrives it
prepares the sources (resampled to the stream rate, made stereo float32 and read-only:
``core.playback.prepare_source``) on a worker thread; :meth:`PlayerFeed.push` hands
them to the player when they are needed (play, seek, a new render while listening),
which then only swaps references: the GUI thread never copies or resamples audio.  A
command given before its audio is ready runs when it is (:meth:`PlayerFeed.when_ready`).
B is level-matched to A per section unless :meth:`PlayerFeed.set_level_matched` turns
that off (issue 14: a louder B wins every comparison); the gains are measured once per
render and kept, so switching between the matched and the raw B measures nothing again.

What the player holds is compared by identity (:class:`_Sources`), never by value.
:func:`open_player` opens the player itself (the transport re-exports it).
"""

from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, Signal

from core.app.listen import render_spans
from gui.document import Document
from gui.workers import Worker

__all__ = ["PlayerFeed", "levels_tooltip", "open_player"]

logger = logging.getLogger(__name__)


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
    """What the player holds or should hold: a document, its loaded track, its render,
    and whether B is level-matched.

    Compared by identity: a document replaces its results, never mutates them, so the
    same objects mean the same audio; comparing them by value would compare their numpy
    arrays (an error, not a bool: issue 14)."""

    __slots__ = ("doc", "loaded", "render", "matched")

    def __init__(self, doc, loaded, render, matched: bool = True):
        self.doc, self.loaded, self.render = doc, loaded, render
        self.matched = matched

    def same_original(self, other: _Sources | None) -> bool:
        """Same document and track (the render may differ)."""
        return other is not None and self.doc is other.doc and self.loaded is other.loaded

    def __eq__(self, other) -> bool:
        return (isinstance(other, _Sources) and self.same_original(other)
                and self.render is other.render and self.matched == other.matched)


class PlayerFeed(QObject):
    """Feeds one player the current document's audio.  GUI thread only.

    ``prepare`` is the task run on the worker, :func:`core.app.listen.prepare_ab` or
    one that takes and returns the same.  Owns the worker (call :meth:`shutdown` before
    the application quits), not the player.  A failure to prepare or to hand over is
    reported through :attr:`failed`, never raised.
    """

    failed = Signal(str)  # what went wrong, for the user
    levels_changed = Signal(object)  # the LevelMatch B now has, or None (raw or no B)

    def __init__(self, prepare: Callable, parent: QObject | None = None):
        super().__init__(parent)
        self._prepare = prepare
        self._player = None
        self._doc: Document | None = None
        self._pushed: _Sources | None = None  # what the player holds
        self.prepared: tuple | None = None  # (sources, a, b) ready for the player
        self._preparing: _Sources | None = None  # sources being prepared
        self._pending: Callable[[], None] | None = None  # a command waiting for audio
        self.level_matched = True  # B as the player gets it: matched to A per section
        self._levels: tuple | None = None  # (loaded, render, LevelMatch) measured last
        self._worker = Worker(self)
        self._worker.finished.connect(self._on_worker_finished)
        self._worker.failed.connect(self._on_worker_failed)

    def set_player(self, player) -> None:
        """Feed ``player`` (None: nobody) from now on; it holds nothing of ours yet."""
        self._player = player
        self._pushed = self.prepared = self._preparing = self._pending = None
        self._worker.cancel()
        self.update()

    def set_document(self, doc: Document | None) -> None:
        """Feed ``doc``'s audio; another track's prepared audio is let go."""
        self._doc = doc
        self._pending = None
        if self.prepared is not None and self.prepared[0].doc is not doc:
            self.prepared = None
            self._levels = None  # lets the other track's audio go
        self.update()

    def set_level_matched(self, on: bool) -> None:
        """Give the player B level-matched to A (True) or as rendered (False); while
        listening the other B is swapped in as soon as it is prepared."""
        self.level_matched = bool(on)
        self.levels_changed.emit(None)  # until the B asked for is prepared
        self.update()

    def shutdown(self, timeout: float = 3.0) -> None:
        """Stop preparing audio and wait for the worker thread (at exit)."""
        self._pending = None
        self._worker.shutdown(timeout=timeout)

    def when_ready(self, command: Callable[[], None] | None) -> None:
        """Run ``command`` once the audio is prepared (the newest command waiting wins;
        None: forget the one waiting)."""
        self._pending = command

    def _wanted(self) -> _Sources | None:
        """What the player should hold now, or None."""
        doc = self._doc
        if self._player is None or doc is None or doc.loaded is None:
            return None
        return _Sources(doc, doc.loaded, doc.render, self.level_matched)

    def update(self) -> None:
        """Prepare the current document's audio on the worker thread, unless it is
        prepared or being prepared already (A is reused for a new render)."""
        key = self._wanted()
        if key is None:
            if self._preparing is not None:
                self._worker.cancel()
                self._preparing = None
            return
        if key == self._preparing or (self.prepared is not None and self.prepared[0] == key):
            return
        loaded = key.loaded
        same_a = self.prepared is not None and self.prepared[0].same_original(key)
        a = None if same_a else (loaded.audio, loaded.sr)
        b = _b_source(key.render, loaded.sr)
        reference = levels = None
        if key.matched and key.render is not None:
            reference = (loaded.audio, loaded.sr, render_spans(key.render.render))
            known = self._levels
            if known is not None and known[0] is loaded and known[1] is key.render:
                levels = known[2]
        self._preparing = key
        self._worker.start(self._prepare, a, b, samplerate=self._player.samplerate,
                           reference=reference, levels=levels)

    def push(self) -> bool:
        """Give the player the current document's prepared A and B (references only);
        False while they are still being prepared."""
        key = self._wanted()
        if key is None:
            return False
        if self._pushed == key:
            return True
        if self.prepared is None or self.prepared[0] != key:
            self.update()
            return False
        _, a, b = self.prepared
        sr = self._player.samplerate
        if key.same_original(self._pushed):
            self._player.set_b(b, sr)
        else:
            self._player.set_sources(a, sr, b, sr)
        self._pushed = key
        return True

    def _on_worker_finished(self, result: tuple) -> None:
        try:
            taken = self._take(result)
        except Exception as exc:  # reported, not lost in Qt's event loop
            logger.exception("playback: handing over the audio failed")
            self._pending = None
            self.failed.emit(f"Playback failed (handing over the audio): {exc}")
            return
        if not taken:
            return
        pending, self._pending = self._pending, None
        if pending is not None:
            pending()

    def _take(self, result: tuple) -> bool:
        """Keep the prepared audio; False if it is no longer wanted."""
        key, self._preparing = self._preparing, None
        if key is None or key != self._wanted():
            self.update()  # the document moved on meanwhile
            return False
        a, b, levels = result
        if a is None:  # only the render changed: A as prepared before
            a = self.prepared[1]
        self.prepared = (key, a, b)
        if levels is not None:
            self._levels = (key.loaded, key.render, levels)
        self.levels_changed.emit(levels)
        if self._player.state == "playing" and key.same_original(self._pushed):
            self.push()  # swap B in place while listening
        return True

    def _on_worker_failed(self, message: str) -> None:
        self._preparing = self._pending = None
        self.failed.emit(f"Playback: the audio could not be prepared ({message})")


def _b_source(variant, a_sr: int):
    """The render's audio at the player's rate when the task prepared it, else as made."""
    if variant is None:
        return None, None
    if variant.playback is not None:
        return variant.playback, a_sr
    return variant.render.audio, variant.render.sr


def levels_tooltip(levels, on: bool) -> str:
    """What the level-matching toggle does and, once B is matched, each section's gain
    (``levels``: the :class:`core.app.levels.LevelMatch` or None)."""
    text = ("Level-matched A/B: B is brought to A's loudness in each section "
            "(ITU-R BS.1770), so neither wins by being louder.")
    if not on:
        return text + "\nOff: B plays as rendered."
    if levels is None:
        return text
    return f"{text}\nGain given to B per section:\n{levels.describe()}"
