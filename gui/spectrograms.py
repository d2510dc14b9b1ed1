"""Spectrograms for the A and B lanes, computed off the GUI thread and kept per audio.

:class:`SpectrogramFeed` is told which audio each spectrogram lane shows (the
original's :class:`~core.app.tracks.LoadedTrack`, the
:class:`~core.app.renders.RenderedVariant` shown as B) and the user's
:class:`~gui.settings.SpectrogramSettings`.  An image of that audio at that window
size and scale is drawn at once if it was made before (a loaded track comes with one
at the default settings), else :func:`core.app.spectrogram.audio_spectrogram` makes
it on a :class:`~gui.workers.Worker` while the lane keeps the image it had of the same
audio.  Levels and colours change without a new image.  Nothing is computed while
the spectrogram rows are hidden.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from core.app.spectrogram import Spectrogram, audio_spectrogram
from gui.lanes.spectrogram import SpectrogramLane
from gui.settings import SpectrogramSettings
from gui.workers import Worker

__all__ = ["SpectrogramFeed"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Source:
    """What one lane should show: ``owner`` (the object the images belong to), its
    audio, shape (frames,) or (frames, channels), at ``sr``."""

    owner: object
    audio: object
    sr: int


class SpectrogramFeed(QObject):
    """Which image each spectrogram lane draws, and making it.  GUI thread only.

    Owns a :class:`Worker` per lane (a new request for a lane cancels its previous
    one) and the images made so far, per audio owner and (window, scale); an owner's
    images go when the owner does (a closed track, a replaced render).
    """

    drawn = Signal(str)  # the side ("A" or "B") whose lane now shows a new image
    failed = Signal(str, str)  # side, what went wrong

    def __init__(self, lanes: dict[str, SpectrogramLane], parent: QObject | None = None):
        super().__init__(parent)
        self.lanes = lanes
        self.settings = SpectrogramSettings()
        self.active = False
        self._sources: dict[str, _Source | None] = {side: None for side in lanes}
        self._shown: dict[str, object] = {side: None for side in lanes}  # owner drawn
        self._pending: dict[str, tuple | None] = {side: None for side in lanes}
        self._images: dict[int, dict[tuple[int, str], Spectrogram]] = {}
        self._refs: dict[int, weakref.ref] = {}
        self._workers: dict[str, Worker] = {}
        for side in lanes:
            worker = Worker(self)
            worker.finished.connect(lambda spec, s=side: self._on_worker_finished(s, spec))
            worker.failed.connect(lambda text, s=side: self._on_worker_failed(s, text))
            self._workers[side] = worker

    # -- requests ----------------------------------------------------------------------
    def set_source(self, side: str, owner, audio=None, sr: int = 0,
                   ready: Spectrogram | None = None) -> None:
        """Lane ``side`` shows ``owner``'s audio (``audio`` at ``sr``; None: nothing);
        ``ready`` is an image of it made already (kept for its window and scale)."""
        if ready is not None and owner is not None:
            self._keep(owner, ready)
        current = self._sources[side]
        if current is not None and current.owner is owner:
            self._update(side)
            return
        self._sources[side] = None if owner is None else _Source(owner, audio, int(sr))
        self._update(side)

    def show_original(self, loaded) -> None:
        """Lane A shows ``loaded`` (a LoadedTrack, with its default image; None: nothing)."""
        if loaded is None:
            self.set_source("A", None)
        else:
            self.set_source("A", loaded, loaded.audio, loaded.sr, loaded.spectrogram)

    def show_render(self, variant) -> None:
        """Lane B shows ``variant`` (a RenderedVariant; None: nothing)."""
        if variant is None:
            self.set_source("B", None)
        else:
            self.set_source("B", variant, variant.render.audio, variant.render.sr)

    def set_settings(self, settings: SpectrogramSettings) -> None:
        """Restyle both lanes; make new images if the window or scale changed."""
        old, self.settings = self.settings, settings
        for lane in self.lanes.values():
            lane.set_style(settings)
        if settings.compute_key != old.compute_key:
            for side in self.lanes:
                self._update(side)

    def set_active(self, on: bool) -> None:
        """The spectrogram rows are shown (True): make the images they need."""
        self.active = bool(on)
        for side in self.lanes:
            self._update(side)

    def busy(self, side: str) -> bool:
        """True while lane ``side``'s image is being made."""
        return self._pending[side] is not None

    def shutdown(self, timeout: float = 3.0) -> None:
        """Stop making images and wait for the worker threads (at exit)."""
        for worker in self._workers.values():
            worker.shutdown(timeout=timeout)

    # -- internals ---------------------------------------------------------------------
    def _keep(self, owner, spec: Spectrogram) -> None:
        key = id(owner)
        if key not in self._refs:  # forget the images when the owner goes
            self._refs[key] = weakref.ref(owner, lambda _r, k=key: self._forget(k))
        self._images.setdefault(key, {})[(spec.n_fft, spec.scale)] = spec

    def _forget(self, key: int) -> None:
        self._images.pop(key, None)
        self._refs.pop(key, None)

    def _update(self, side: str) -> None:
        """Draw what lane ``side`` should show, or start making it."""
        src, lane = self._sources[side], self.lanes[side]
        if src is None:
            self._cancel(side)
            self._shown[side] = None
            lane.show(None)
            return
        key = self.settings.compute_key
        spec = self._images.get(id(src.owner), {}).get(key)
        if spec is not None:
            self._cancel(side)
            if lane.spectrogram is not spec:
                lane.show(spec)
                self._shown[side] = src.owner
                self.drawn.emit(side)
            return
        if self._shown[side] is not src.owner:  # another track's image would mislead
            self._shown[side] = None
            lane.show(None)
        wanted = (src.owner, key)
        if not self.active or (self._pending[side] is not None
                               and self._pending[side][0] is src.owner
                               and self._pending[side][1] == key):
            return
        self._pending[side] = wanted
        self._workers[side].start(audio_spectrogram, src.audio, src.sr, n_fft=key[0],
                                  scale=key[1])

    def _cancel(self, side: str) -> None:
        if self._pending[side] is not None:
            self._pending[side] = None
            self._workers[side].cancel()

    def _on_worker_finished(self, side: str, spec: Spectrogram) -> None:
        pending, self._pending[side] = self._pending[side], None
        if pending is not None:
            self._keep(pending[0], spec)
        self._update(side)

    def _on_worker_failed(self, side: str, text: str) -> None:
        self._pending[side] = None
        logger.warning("spectrogram %s: %s", side, text)
        self.lanes[side].show_message(f"No spectrogram: {text}")
        self.failed.emit(side, text)
