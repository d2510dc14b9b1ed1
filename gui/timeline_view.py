"""The timeline: every lane of one document on one shared time axis.

Lanes, top to bottom (all X-linked, same left-axis width so times line up):

* **A** original waveform (peak-downsampled, clipped to view) with the form segments as
  coloured regions, their letters and per-segment majority labels;
* **spectrum** (optional) A's spectrogram ``ImageItem`` (window, scale, levels and colours
  from the settings; :class:`~gui.spectrograms.SpectrogramFeed` makes the images);
* **B** the render's waveform with the render's own analysed segments and the
  descriptor of each timeline region, and B's spectrogram under it while both show;
* **genre ... momentum** descriptor lanes (colour = label, opacity = probability), or
  one hint lane when no descriptor model has labelled the windows;
* **instruments** a row per instrument the real-music tagger hears, and **voice** the
  voice activity (both fill in when the tags arrive, after the rest of the analysis);
* **tempo** per-window tempo, per-segment tempo steps and the global tempo;
* **chords** a chord per beat (runs of equal chords, colour = root, opacity = confidence);
* **key** per-window key (colour around the circle of fifths, opacity = confidence).

Each lane is a class of :mod:`gui.lanes` that draws its part of the document; this
view lays them out, keeps their time axes, playhead and selection in step and decides
when each draws (a new analysis's lanes in small steps) and which lanes the user hid
(:meth:`arrange_lanes`; the rest re-flow).  A playhead line crosses every
lane; it moves only through :meth:`set_playhead`, which the transport's clock timer
calls.  Hovering shows what the analysis says under the pointer (asked of
:func:`core.analysis.query.moment_at`, formatted here); a click selects a segment, a
double-click asks to seek there.  The frame around the lanes (the empty page, the
hover read-out, the overview strip) is :class:`gui.timeline_pages.TimelinePages`.
"""

from __future__ import annotations

import logging

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core.analysis import query
from core.record import TARGETS
from gui.document import Document, follow
from gui.lanes.base import Lane
from gui.lanes.chords import ChordLane
from gui.lanes.descriptors import LabelLane, ModelHintLane
from gui.lanes.grid import LaneGrid, row_sizes
from gui.lanes.instruments import ROW_HEIGHT, InstrumentsLane
from gui.lanes.key import KeyLane
from gui.lanes.segments import FormLane, RenderFormLane
from gui.lanes.spectrogram import SpectrogramLane
from gui.lanes.tempo import TempoLane
from gui.lanes.imported import ImportedLane
from gui.lanes.voice import VoiceLane
from gui.overview import OverviewStrip
from gui.lanes.waveform import WaveformLane
from gui.spectrograms import SpectrogramFeed
from gui.readouts import (EMPTY_TEXT, HOVER_HINT, describe_moment, describe_tags, format_time,
                          pending_text, tags_hint)
from gui.steps import Steps
from gui.timeline_pages import TimelinePages

__all__ = ["TimelineView", "format_time", "describe_moment"]

logger = logging.getLogger(__name__)


class TimelineView(QWidget):
    """Lanes of the current :class:`Document`.  GUI thread only.

    Owns its grid of plots and the lanes drawing on them; reads the document it is given
    and writes back only the segment selection (the document is the selection model).
    """

    segment_selected = Signal(int)
    seek_requested = Signal(float)
    # lane name, screen position, time under the click (right click)
    lane_menu_requested = Signal(str, QPointF, float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._doc: Document | None = None
        self._cells = np.zeros(0)  # the analysis's window cells, kept for the hover
        self._playhead = 0.0
        self._shown_path = None
        self._tags_drawn: tuple | None = None  # (analysis, hint, cells) the tag lanes show

        self._glw = pg.GraphicsLayoutWidget()
        self._glw.setBackground("w")
        self._glw.setAcceptDrops(False)  # drops go up to the main window
        self._glw.viewport().setAcceptDrops(False)
        self._glw.ci.layout.setVerticalSpacing(3)
        self._overview = OverviewStrip(self.set_x_range)
        self._stack = TimelinePages(self._glw, self._overview)
        self._empty, self._info = self._stack.empty, self._stack.info
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

        self._steps = Steps(parent=self)
        self._grid = LaneGrid(self._glw)
        self.plots = self._grid.plots
        self._build()
        scene = self._glw.scene()
        scene.sigMouseMoved.connect(self._on_scene_mouse_moved)
        scene.sigMouseClicked.connect(self._on_scene_mouse_clicked)
        self.plots["A"].getViewBox().sigXRangeChanged.connect(self._on_range_changed)
        self.plots["A"].getViewBox().sigResized.connect(self._on_range_changed)

    # -- construction ------------------------------------------------------------------
    def _build(self) -> None:
        """One plot per row; a lane (or two sharing a plot) draws on each."""
        a = self._grid.add_plot("A", "A original")
        self._original = WaveformLane(a, title="A original", colour="#2b4c7e")
        self._form = FormLane(a)
        self._spectrum = SpectrogramLane(self._grid.add_plot("spectrum", "spectrum"), side="A")
        b = self._grid.add_plot("B", "B render")
        self._render = WaveformLane(b, title="B render", colour="#7e2b5a")
        self._render_form = RenderFormLane(b)
        self._spectrum_b = SpectrogramLane(self._grid.add_plot("spectrum_b", "spectrum"),
                                           side="B")
        self.spectrograms = SpectrogramFeed({"A": self._spectrum, "B": self._spectrum_b}, self)
        self._labels = {t: LabelLane(self._grid.add_plot(t, t), t) for t in TARGETS}
        self._model_hint = ModelHintLane(self._grid.add_plot("descriptors", "descriptors"))
        self._instruments = InstrumentsLane(self._grid.add_plot("instruments", "instruments"))
        self._voice = VoiceLane(self._grid.add_plot("voice", "voice"))
        self._tempo = TempoLane(self._grid.add_plot("tempo", "tempo"))
        self._chords = ChordLane(self._grid.add_plot("chords", "chords"))
        self._key = KeyLane(self._grid.add_plot("key", "key"))
        self._imported = ImportedLane(self._grid.add_plot("labels", "labels"))
        self._lanes: list[Lane] = [self._original, self._form, self._spectrum, self._render,
                                   self._render_form, self._spectrum_b,
                                   *self._labels.values(),
                                   self._model_hint, self._instruments, self._voice,
                                   self._tempo, self._chords, self._key, self._imported]
        self._layout_rows(labels=False, spectrum=False)
        # The items white-box tests and bench/gui.py reach (lanes never replace them).
        self._wave_a, self._segments = self._original.wave, self._form.spans
        self._letters, self._tempo_windows = self._form.letters, self._tempo.windows
        self._key_blocks, self._key_labels = self._key.blocks, self._key.names
        self._lane_items = {t: (lane.blocks, lane.names) for t, lane in self._labels.items()}

    def _layout_rows(self, *, labels: bool, spectrum: bool) -> None:
        """Show the label lanes or the hint lane, the spectrogram or not."""
        self._grid.set_rows(*row_sizes(labels=labels, spectrum=spectrum, hidden=self._grid.hidden,
                                       instruments=ROW_HEIGHT * self._instruments.row_count + 4,
                                       heights=self._grid.heights,
                                       imported=self._imported.height,
                                       spectrum_b=spectrum and self._doc is not None
                                       and self._doc.render is not None))
        self._spectrum_on = spectrum

    # -- public API ----------------------------------------------------------------------
    def set_document(self, doc: Document | None) -> None:
        """Show ``doc`` (None: the empty state)."""
        follow(self._doc, doc, self._connections)
        self._doc = doc
        self._shown_path = None
        self._info.setText(HOVER_HINT)  # what it said was about the previous track
        self._on_doc_status_changed()
        self._on_doc_waveform_changed()
        self._on_doc_analysis_changed()
        self._on_doc_renders_changed()
        self._on_doc_imported_changed()

    def _connections(self, d: Document):
        return [(d.waveform_changed, self._on_doc_waveform_changed),
                (d.original_changed, self._on_doc_original_changed),
                (d.analysis_changed, self._on_doc_analysis_changed),
                (d.tags_changed, self._on_doc_tags_changed),
                (d.labels_changed, self._on_doc_labels_changed),
                (d.renders_changed, self._on_doc_renders_changed),
                (d.selection_changed, self._on_doc_selection_changed),
                (d.imported_changed, self._on_doc_imported_changed),
                (d.status_changed, self._on_doc_status_changed),
                (d.status_changed, self._on_doc_tags_changed),
                (d.progress_changed, self._on_doc_status_changed)]

    @property
    def document(self) -> Document | None:
        return self._doc

    def set_playhead(self, seconds: float) -> None:
        """Move the playhead on every lane; page the view along if it was on screen."""
        (x0, x1), _ = self.plots["A"].getViewBox().viewRange()
        was_visible = x0 <= self._playhead <= x1
        self._playhead = float(seconds)
        self._grid.set_playhead(self._playhead)
        duration = self._doc.duration if self._doc is not None else 0.0
        if was_visible and not x0 <= self._playhead <= x1 and (x1 - x0) < duration * 0.98:
            width = x1 - x0
            start = min(max(self._playhead - 0.1 * width, 0.0), max(duration - width, 0.0))
            self.set_x_range(start, start + width)

    @property
    def playhead(self) -> float:
        return self._playhead

    def set_x_range(self, start: float, end: float) -> None:
        self.plots["A"].setXRange(start, end, padding=0)

    def x_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.plots["A"].getViewBox().viewRange()
        return x0, x1

    def zoom_to_fit(self) -> None:
        if self._doc is not None and self._doc.duration > 0:
            self.set_x_range(0.0, self._doc.duration)

    def set_spectrogram_visible(self, on: bool) -> None:
        """Show A's spectrogram (and B's, with a render) and make the images they need."""
        self._layout_rows(labels=self._has_labels(), spectrum=on)
        self.spectrograms.set_active(on)

    def arrange_lanes(self, **arrangement) -> None:
        """Hide, order and size the lanes (:meth:`gui.lanes.grid.LaneGrid.arrange`: keyword
        ``hidden``, ``order``, ``heights``); the rest re-flow."""
        self._grid.arrange(**arrangement)
        self._layout_rows(labels=self._has_labels(), spectrum=self._spectrum_on)

    def zoom_waveforms(self, factor: float | None) -> float:
        """Vertical zoom of both waveforms: times ``factor`` (None: back to 1); the gain."""
        gain = 1.0 if factor is None else self._original.gain * factor
        for lane in (self._original, self._render):
            lane.set_gain(gain)
        return self._original.gain

    def set_boundary_handler(self, handler) -> None:
        """``handler(index, t)`` when a form boundary is dragged (see FormLane)."""
        self._form.on_boundary_moved = handler

    def viewport_widget(self) -> pg.GraphicsLayoutWidget:
        """The graphics view the lanes are drawn in (for gestures over them)."""
        return self._glw

    @property
    def grid(self) -> LaneGrid:
        """The rows: their order, the hidden ones and height factors (read them there)."""
        return self._grid

    def has_b_lane(self) -> bool:
        """True when the B lane shows a render's waveform."""
        return self._render.has_trace()

    def segment_count(self) -> int:
        return len(self._form)

    def export_png(self, path: str, *, width: int = 2400) -> None:
        """The whole timeline (all visible lanes) as a PNG, via pyqtgraph's exporter."""
        from pyqtgraph.exporters import ImageExporter

        self.finish_drawing()
        exporter = ImageExporter(self._glw.scene())
        exporter.parameters()["width"] = int(width)
        if not exporter.export(str(path)):
            raise OSError(f"could not write {path}")

    # -- document slots ------------------------------------------------------------------
    def _has_labels(self) -> bool:
        a = self._doc.analysis if self._doc is not None else None
        return bool(a is not None and a.windows.labels)

    def _on_doc_status_changed(self, *args) -> None:
        """Lanes once there is a waveform; before that, the empty page says what the
        document is doing (loading, waiting for the first-run build, failed)."""
        doc = self._doc
        self._stack.show_state(lanes=self._has_lanes(),
                               text=EMPTY_TEXT if doc is None else pending_text(doc))

    def _has_lanes(self) -> bool:
        doc = self._doc
        return doc is not None and (doc.envelope is not None or doc.analysis is not None)

    def _on_doc_waveform_changed(self) -> None:
        env = self._doc.envelope if self._doc is not None else None
        if (self._stack.currentIndex() == 1) != self._has_lanes():
            self._on_doc_status_changed()
        self._original.show(env)
        self._overview.show_envelope(env)
        if env is not None:
            self._set_duration(env.duration)

    def _on_doc_original_changed(self) -> None:
        self.spectrograms.show_original(self._doc.loaded if self._doc is not None else None)

    def _set_duration(self, duration: float) -> None:
        """Fit the time axis to a newly shown track once; later updates keep the zoom."""
        path = self._doc.path if self._doc is not None else None
        self._grid.set_duration(duration)
        if path != self._shown_path and duration > 0:
            self._shown_path = path
            self.set_x_range(0.0, duration)
        self._render_form.set_duration(duration)

    def _on_doc_analysis_changed(self) -> None:
        """Show the document's analysis: rows, segments and the hover cells now, every
        other lane in small steps over the next event-loop turns (see :class:`Steps`)."""
        a = self._doc.analysis if self._doc is not None else None
        if (self._stack.currentIndex() == 1) != self._has_lanes():
            self._on_doc_status_changed()
        self._layout_rows(labels=self._has_labels(), spectrum=self._spectrum_on)
        for lane in (self._form, *self._labels.values(), self._tempo, self._chords, self._key):
            lane.clear()
        self._model_hint.show(a)
        self._cells = cells = query.window_cells(a) if a is not None else np.zeros(0)
        self._on_doc_tags_changed()
        if a is None:
            self._steps.replace([])
            if self._doc is not None:
                self._on_doc_original_changed()
            return
        self._set_duration(a.duration)
        self._form.show(a)
        self._on_doc_selection_changed(self._doc.selected_segment)
        steps = [self._form.add_handles, lambda: self._tempo.show(a),
                 lambda: self._key.show(a, cells), lambda: self._chords.show(a)]
        steps += [lambda lane=lane: lane.show(a, cells) for lane in self._labels.values()]
        steps += [self._on_doc_original_changed, self._on_doc_renders_changed,
                  self._on_range_changed]
        self._steps.replace(steps)

    def _on_doc_tags_changed(self, *args) -> None:
        """Draw the tag lanes (or say why they are empty); they re-flow the rows when
        the number of instruments changes.  Status changes call it too (the hint
        follows the status): what is drawn already is not drawn again."""
        a, hint = self._doc.analysis if self._doc is not None else None, tags_hint(self._doc)
        if self._tags_drawn is not None and self._tags_drawn[0] is a \
                and self._tags_drawn[1:] == (hint, len(self._cells)):
            return
        self._tags_drawn = (a, hint, len(self._cells))
        rows = self._instruments.row_count
        self._instruments.show(a, self._cells, hint=hint)
        self._voice.show(a, self._cells, hint=hint)
        if self._instruments.row_count != rows:
            self._layout_rows(labels=self._has_labels(), spectrum=self._spectrum_on)
        self._on_range_changed()

    def _on_doc_labels_changed(self) -> None:
        """The tags joined the labels: the descriptor lanes draw them again (after
        whatever the analysis still had to draw)."""
        a = self._doc.analysis
        self._steps.flush()
        self._model_hint.show(a)
        self._steps.replace([lambda lane=lane: lane.show(a, self._cells)
                             for lane in self._labels.values()])

    def finish_drawing(self) -> None:
        """Draw every lane still waiting for its turn now (exports and tests use it)."""
        self._steps.flush()

    def _on_doc_renders_changed(self) -> None:
        variant = self._doc.render if self._doc is not None else None
        self._render.show(variant.envelope if variant is not None else None)
        original = self._doc.analysis if self._doc is not None else None
        self._render_form.show(variant, hint=original is not None, original=original)
        self.spectrograms.show_render(variant)
        if self._spectrum_on:  # B's spectrogram row comes and goes with the render
            self._layout_rows(labels=self._has_labels(), spectrum=True)
        if variant is not None:
            self._on_range_changed()

    def _on_doc_imported_changed(self) -> None:
        self._imported.show(self._doc.imported if self._doc is not None else None)
        self._layout_rows(labels=self._has_labels(), spectrum=self._spectrum_on)

    def _on_doc_selection_changed(self, index: int) -> None:
        self._form.select(self._doc.analysis if self._doc is not None else None, index)

    # -- interaction ---------------------------------------------------------------------
    def _on_range_changed(self, *args) -> None:
        x0, x1 = self.x_range()
        self._overview.follow(x0, x1)
        self._grid.follow_range(x0, x1)
        for lane in self._lanes:
            lane.follow_range(x0, x1)

    def _on_scene_mouse_moved(self, scene_pos) -> None:
        t = self._grid.time_at(scene_pos)
        if t is None or self._doc is None:
            return
        self._info.setText(self.describe(t))

    def describe(self, t: float) -> str:
        """One line about time ``t``: the segment and the analysis window there."""
        a = self._doc.analysis if self._doc is not None else None
        if a is None:
            return format_time(t)
        moment = query.moment_at(a, t, edges=self._cells)
        text = describe_moment(moment)
        tags = describe_tags(a, moment.window.index) if moment.window is not None else ""
        return text + ("\n" + tags if tags else "")

    def segment_at(self, t: float) -> int:
        a = self._doc.analysis if self._doc is not None else None
        return -1 if a is None else query.segment_at(a, t)

    def _on_scene_mouse_clicked(self, event) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            name = self._grid.row_at(event.scenePos())
            if name is not None:
                t = self._grid.time_at(event.scenePos())
                self.lane_menu_requested.emit(name, QPointF(event.screenPos()),
                                              -1.0 if t is None else float(t))
            return
        if event.button() != Qt.MouseButton.LeftButton or self._doc is None:
            return
        t = self._grid.time_at(event.scenePos())
        if t is None:
            return
        if event.double():
            self.seek_requested.emit(max(t, 0.0))
            return
        index = self.segment_at(t)
        self._doc.select_segment(index)
        self.segment_selected.emit(index)

