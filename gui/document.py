"""Per-track state of the GUI: one :class:`Document` per open file.

A document holds immutable results (waveform peaks, playback audio, the analysis,
the renders) and says when they change; it computes nothing.  Views listen to it;
:class:`gui.session.Session` fills it from the workers' results.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from core.app.renders import RenderedVariant
from core.app.tracks import Envelope, LoadedTrack

__all__ = ["Document", "STATUSES", "BUSY", "follow"]

#: What a document is doing; the track list and the job bar show these words.
#: "tagging": analysed, its real-music tags are being computed.
STATUSES = ("queued", "loading", "analysing", "analysed", "tagging", "rendering",
            "not analysed", "failed")
#: The statuses with a job running (progress shown, Cancel enabled).
BUSY = ("loading", "analysing", "tagging", "rendering")


class Document(QObject):
    """One track: path, waveform, playback copy, analysis, renders, selection.

    GUI thread only.  Every field is replaced, never mutated, so a view can keep what
    it was given.
    """

    status_changed = Signal(str)
    progress_changed = Signal(float, str)
    waveform_changed = Signal()
    original_changed = Signal()
    analysis_changed = Signal()
    tags_changed = Signal()
    labels_changed = Signal()
    renders_changed = Signal()
    render_index_changed = Signal(int)
    selection_changed = Signal(int)
    imported_changed = Signal()
    range_changed = Signal()

    def __init__(self, path: str, parent: QObject | None = None):
        super().__init__(parent)
        self.path = str(path)
        self.status = "queued"
        self.fraction, self.stage = 0.0, ""
        self.error = ""
        self.envelope: Envelope | None = None
        self.loaded: LoadedTrack | None = None
        self.analysis = None  # core.record.Analysis
        self.tags_note = ""  # why the analysis has no real-music tags (cancelled, failed)
        self.imported = None  # labels imported from another tool (core.io.labels)
        self.selection_range: tuple[float, float] | None = None  # a dragged range, seconds
        self.renders: tuple[RenderedVariant, ...] = ()
        self.render_index = 0
        self.selected_segment = -1

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def duration(self) -> float:
        if self.loaded is not None:
            return self.loaded.duration
        if self.envelope is not None:
            return self.envelope.duration
        return self.analysis.duration if self.analysis is not None else 0.0

    @property
    def render(self) -> RenderedVariant | None:
        """The render variant the B lane shows and the player plays as B."""
        if not self.renders:
            return None
        return self.renders[min(self.render_index, len(self.renders) - 1)]

    @property
    def busy(self) -> bool:
        return self.status in BUSY

    def set_status(self, status: str, error: str = "") -> None:
        self.status, self.error = status, error
        if status not in BUSY:
            self.fraction, self.stage = 0.0, ""
        self.status_changed.emit(status)

    def set_progress(self, fraction: float, stage: str) -> None:
        self.fraction, self.stage = fraction, stage
        self.progress_changed.emit(fraction, stage)

    def set_envelope(self, envelope: Envelope) -> None:
        self.envelope = envelope
        self.waveform_changed.emit()

    def set_loaded(self, loaded: LoadedTrack) -> None:
        self.loaded = loaded
        self.envelope = loaded.envelope
        self.waveform_changed.emit()
        self.original_changed.emit()

    def set_analysis(self, analysis) -> None:
        self.analysis, self.tags_note = analysis, ""
        self.selected_segment = -1
        self.analysis_changed.emit()
        self.selection_changed.emit(-1)

    def set_range(self, span: tuple[float, float] | None) -> None:
        """Select the time range ``span`` (start, end) seconds, or none."""
        span = None if span is None else (float(span[0]), float(span[1]))
        if span != self.selection_range:
            self.selection_range = span
            self.range_changed.emit()

    def set_imported(self, track) -> None:
        """Show ``track`` (a :class:`core.io.labels.LabelTrack`, or None) beside the
        analysis as the imported-labels lane."""
        self.imported = track
        self.imported_changed.emit()

    def set_tags(self, analysis, note: str = "") -> None:
        """The same analysis with (or, with a ``note`` saying why, still without) its
        real-music tags: the tag views redraw, and the descriptor views too where the
        tags changed the labels (they join the genre); the selection stays."""
        before = self.analysis
        self.analysis, self.tags_note = analysis, note
        self.tags_changed.emit()
        if before is not None and analysis is not None \
                and before.windows.labels != analysis.windows.labels:
            self.labels_changed.emit()

    def set_renders(self, renders: tuple[RenderedVariant, ...]) -> None:
        self.renders = tuple(renders)
        self.render_index = 0
        self.renders_changed.emit()

    def set_render_index(self, index: int) -> None:
        if self.renders and 0 <= index < len(self.renders) and index != self.render_index:
            self.render_index = index
            self.render_index_changed.emit(index)
            self.renders_changed.emit()

    def select_segment(self, index: int) -> None:
        n = len(self.analysis.segments) if self.analysis is not None else 0
        index = index if 0 <= index < n else -1
        if index != self.selected_segment:
            self.selected_segment = index
            self.selection_changed.emit(index)
        if index >= 0:
            self.set_range(None)   # a segment chosen: the dragged range gives way

    def segment_span(self, index: int) -> tuple[float, float] | None:
        """(start, end) seconds of segment ``index``, or None."""
        if self.analysis is None or not 0 <= index < len(self.analysis.segments):
            return None
        seg = self.analysis.segments[index]
        return seg.start, seg.end


def follow(previous: "Document | None", current: "Document | None", connections) -> None:
    """How a view switches documents: disconnect each ``(signal, slot)`` of
    ``connections(previous)`` and connect those of ``connections(current)`` (either may
    be None)."""
    if previous is not None:
        for signal, slot in connections(previous):
            signal.disconnect(slot)
    if current is not None:
        for signal, slot in connections(current):
            signal.connect(slot)
