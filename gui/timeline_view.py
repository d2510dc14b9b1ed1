"""The timeline: every lane of one document on one shared time axis.

Lanes, top to bottom (all X-linked, same left-axis width so times line up):

* **A** original waveform (peak-downsampled, clipped to view) with the form segments as
  coloured regions, their letters and per-segment majority labels;
* **spectrum** (optional) a fixed-level log-frequency spectrogram ``ImageItem``;
* **B** the render's waveform with the render's own analysed segments and the
  descriptor of each timeline region;
* **genre ... momentum** descriptor lanes (colour = label, opacity = probability), or
  one hint lane when no descriptor model has labelled the windows;
* **tempo** per-window tempo, per-segment tempo steps and the global tempo;
* **key** per-window key (colour around the circle of fifths, opacity = confidence).

A playhead line crosses every lane; it moves only through :meth:`set_playhead`,
which the transport's clock timer calls.  Hovering shows the window under the
pointer; a click selects a segment, a double-click asks to seek there.
"""

from __future__ import annotations

import bisect
import logging

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel, QStackedWidget, QVBoxLayout, QWidget

from core.analysis.reduce import segment_table
from core.record import TARGETS
from gui.document import Document
from gui.lanes import (BlocksItem, RunLabels, SpansItem, WaveformItem, cell_edges, key_colour,
                       label_colour, runs, segment_colour)
from gui.steps import Steps

__all__ = ["TimelineView", "format_time"]

logger = logging.getLogger(__name__)

AXIS_WIDTH = 78
LANE_HEIGHT = 20
_BIG = 100000
_PLAYHEAD_PEN = pg.mkPen("#ff3b30", width=1.5)
_EMPTY_TEXT = ("<div style='font-size:15pt;color:#555'>Drop audio files or folders here</div>"
               "<div style='font-size:10pt;color:#777;margin-top:8px'>or use File \u2192 Open "
               "(Ctrl+O). Several files form a queue; each is analysed in turn.<br>"
               "Space plays, B switches original/render, \u2190 \u2192 seek 5 s, "
               "L loops the selected segment.</div>")
_NO_MODEL = ("no descriptor model: genre, subgenre, mood, sentiment, valence and momentum "
             "lanes appear once a classifier model labels the windows")


def format_time(seconds: float) -> str:
    """m:ss.s"""
    seconds = max(0.0, float(seconds))
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


class TimelineView(QWidget):
    """Lanes of the current :class:`Document`.  GUI thread only.

    Owns its plots and graphics items; reads the document it is given and writes back
    only the segment selection (the document is the selection model).
    """

    segment_selected = Signal(int)
    seek_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._doc: Document | None = None
        self._edges = np.zeros(0)
        self._playhead = 0.0
        self._shown_path = None
        self._laid_out = False

        self._info = QLabel("Hover over the timeline to see a window's values.")
        self._info.setObjectName("hoverInfo")
        self._info.setTextFormat(Qt.TextFormat.PlainText)
        self._info.setMinimumWidth(10)
        self._glw = pg.GraphicsLayoutWidget()
        self._glw.setBackground("w")
        self._glw.setAcceptDrops(False)  # drops go up to the main window
        self._glw.viewport().setAcceptDrops(False)
        self._glw.ci.layout.setVerticalSpacing(3)
        self._empty = QLabel(_EMPTY_TEXT)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setTextFormat(Qt.TextFormat.RichText)
        self._stack = QStackedWidget()
        self._stack.addWidget(self._empty)
        page = QWidget()
        inner = QVBoxLayout(page)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self._info)
        inner.addWidget(self._glw, 1)
        self._stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

        self._steps = Steps(parent=self)
        self._rows: dict[str, int] = {}
        self.plots: dict[str, pg.PlotItem] = {}
        self._lines: list[pg.InfiniteLine] = []
        self._build()
        scene = self._glw.scene()
        scene.sigMouseMoved.connect(self._on_scene_mouse_moved)
        scene.sigMouseClicked.connect(self._on_scene_mouse_clicked)
        self.plots["A"].getViewBox().sigXRangeChanged.connect(self._on_range_changed)
        self.plots["A"].getViewBox().sigResized.connect(self._on_range_changed)

    # -- construction ------------------------------------------------------------------
    def _add_plot(self, name: str, label: str) -> pg.PlotItem:
        row = len(self._rows)
        plot = self._glw.addPlot(row=row, col=0)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=True, y=False)
        plot.getAxis("left").setWidth(AXIS_WIDTH)
        plot.getAxis("left").setTicks([[(0.5, label)], []])
        plot.hideAxis("bottom")
        plot.getViewBox().setDefaultPadding(0.0)
        if self.plots:
            plot.setXLink(self.plots["A"])
        line = pg.InfiniteLine(0.0, angle=90, pen=_PLAYHEAD_PEN, movable=False)
        line.setZValue(100)
        plot.addItem(line, ignoreBounds=True)
        self._lines.append(line)
        self._rows[name] = row
        self.plots[name] = plot
        return plot

    def _build(self) -> None:
        a = self._add_plot("A", "A original")
        a.getAxis("left").setTicks([[(0.0, "A original")], []])
        a.setYRange(-1.05, 1.05, padding=0)
        self._wave_a = WaveformItem("#2b4c7e")
        a.addItem(self._wave_a)
        self._segments = _spans(a)
        self._letters = RunLabels(a, y=1.02, size=11, anchor=(0.0, 0.0), colour="#000")
        self._details = RunLabels(a, y=-1.0, size=8, anchor=(0.0, 1.0), colour="#111",
                                  fill=(255, 255, 255, 190))

        spec = self._add_plot("spectrum", "spectrum")
        self._spec_img = pg.ImageItem()
        self._spec_img.setColorMap(pg.colormap.get("inferno"))
        self._spec_img.setLevels((-80.0, 0.0))  # fixed: same colour means the same level
        spec.addItem(self._spec_img)

        b = self._add_plot("B", "B render")
        b.getAxis("left").setTicks([[(0.0, "B render")], []])
        b.setYRange(-1.05, 1.05, padding=0)
        self._wave_b = WaveformItem("#7e2b5a")
        b.addItem(self._wave_b)
        self._b_segments = _spans(b)
        self._b_hint = pg.TextItem("no render yet: press Render to make a track like this one",
                                   color="#777", anchor=(0.5, 0.5))
        b.addItem(self._b_hint, ignoreBounds=True)
        self._b_letters = RunLabels(b, y=1.02, size=10, anchor=(0.0, 0.0), colour="#000")
        self._b_labels = RunLabels(b, y=-1.0, size=8, anchor=(0.0, 1.0), colour="#111",
                                   fill=(255, 255, 255, 190))

        self._lane_items: dict[str, tuple[BlocksItem, RunLabels]] = {}
        for target in TARGETS:
            lane = self._add_plot(target, target)
            lane.setYRange(0, 1, padding=0)
            blocks = BlocksItem()
            lane.addItem(blocks)
            self._lane_items[target] = (blocks, RunLabels(lane, size=7))
        hint = self._add_plot("descriptors", "descriptors")
        hint.setYRange(0, 1, padding=0)
        self._model_hint = pg.TextItem(_NO_MODEL, color="#8a6d00", anchor=(0.0, 0.5))
        hint.addItem(self._model_hint, ignoreBounds=True)

        tempo = self._add_plot("tempo", "tempo")
        tempo.getAxis("left").setTicks(None)
        tempo.setLabel("left", "BPM")
        self._tempo_windows = pg.PlotDataItem(pen=pg.mkPen("#888", width=1), symbol="o",
                                              symbolSize=3, symbolBrush="#555",
                                              symbolPen=None)
        self._tempo_segments = pg.PlotDataItem(pen=pg.mkPen("#d55e00", width=2),
                                               stepMode="center")
        self._tempo_global = pg.InfiniteLine(0.0, angle=0, movable=False,
                                             pen=pg.mkPen("#0072b2", width=1,
                                                          style=Qt.PenStyle.DashLine))
        for item in (self._tempo_windows, self._tempo_segments):
            tempo.addItem(item)
        tempo.addItem(self._tempo_global, ignoreBounds=True)

        key = self._add_plot("key", "key")
        key.setYRange(0, 1, padding=0)
        key.showAxis("bottom")
        key.setLabel("bottom", "time", units="s")
        self._key_blocks = BlocksItem()
        key.addItem(self._key_blocks)
        self._key_labels = RunLabels(key, size=7)
        self._layout_rows(labels=False, spectrum=False)

    def _layout_rows(self, *, labels: bool, spectrum: bool) -> None:
        """Show and size the rows (hidden rows collapse to zero height)."""
        layout = self._glw.ci.layout
        sizes = {"A": (120, 4), "spectrum": (90, 3) if spectrum else None, "B": (90, 3),
                 "descriptors": None if labels else (LANE_HEIGHT, 0),
                 "tempo": (70, 1), "key": (LANE_HEIGHT + 34, 0)}
        for target in TARGETS:
            sizes[target] = (LANE_HEIGHT, 0) if labels else None
        for name, row in self._rows.items():
            spec = sizes[name]
            self.plots[name].setVisible(spec is not None)
            if spec is None:
                layout.setRowFixedHeight(row, 0)
                layout.setRowStretchFactor(row, 0)
                continue
            height, stretch = spec
            layout.setRowMinimumHeight(row, height)
            layout.setRowMaximumHeight(row, _BIG if stretch else height)
            layout.setRowStretchFactor(row, stretch)
        self._spectrum_on = spectrum

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not self._laid_out:
            self._laid_out = True
            QTimer.singleShot(0, self._lay_out_lanes)

    def _lay_out_lanes(self) -> None:
        """Size the (hidden) lanes page once, while the window is still empty.

        The first layout of a dozen plots costs tens of milliseconds; done here it is
        not paid when the first waveform of a dropped file arrives."""
        if self._doc is not None:
            return
        self._stack.setCurrentIndex(1)
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self._glw.ci.layout.activate()
        self._stack.setCurrentIndex(0)

    # -- public API ----------------------------------------------------------------------
    def set_document(self, doc: Document | None) -> None:
        """Show ``doc`` (None: the empty state)."""
        if self._doc is not None:
            for signal, slot in self._connections():
                signal.disconnect(slot)
        self._doc = doc
        if doc is not None:
            for signal, slot in self._connections():
                signal.connect(slot)
        self._shown_path = None
        self._stack.setCurrentIndex(0 if doc is None else 1)
        self._on_doc_waveform_changed()
        self._on_doc_analysis_changed()
        self._on_doc_renders_changed()

    def _connections(self):
        d = self._doc
        return [(d.waveform_changed, self._on_doc_waveform_changed),
                (d.original_changed, self._on_doc_original_changed),
                (d.analysis_changed, self._on_doc_analysis_changed),
                (d.renders_changed, self._on_doc_renders_changed),
                (d.selection_changed, self._on_doc_selection_changed)]

    @property
    def document(self) -> Document | None:
        return self._doc

    def set_playhead(self, seconds: float) -> None:
        """Move the playhead on every lane; page the view along if it was on screen."""
        (x0, x1), _ = self.plots["A"].getViewBox().viewRange()
        was_visible = x0 <= self._playhead <= x1
        self._playhead = float(seconds)
        for line in self._lines:
            line.setValue(self._playhead)
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
        self._layout_rows(labels=self._has_labels(), spectrum=on)

    def has_b_lane(self) -> bool:
        """True when the B lane shows a render's waveform."""
        return len(self._wave_b) > 0

    def segment_count(self) -> int:
        return len(self._segments)

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

    def _on_doc_waveform_changed(self) -> None:
        env = self._doc.envelope if self._doc is not None else None
        if env is None:
            self._wave_a.clear()
            return
        _show_envelope(self._wave_a, env)
        self._set_duration(env.duration)

    def _on_doc_original_changed(self) -> None:
        spec = self._doc.loaded.spectrogram if self._doc and self._doc.loaded else None
        if spec is None:
            self._spec_img.clear()
            return
        bands = spec.image.shape[1]
        self._spec_img.setImage(spec.image, autoLevels=False, levels=(-80.0, 0.0))
        self._spec_img.setRect(QRectF(0.0, 0.0, spec.duration, float(bands)))
        ticks = [(bands * np.log(f / spec.fmin) / np.log(spec.fmax / spec.fmin),
                  f"{f / 1000:g}k" if f >= 1000 else f"{f:g}")
                 for f in (100, 1000, 10000) if spec.fmin < f < spec.fmax]
        self.plots["spectrum"].getAxis("left").setTicks([ticks, []])
        self.plots["spectrum"].setYRange(0, bands, padding=0)

    def _set_duration(self, duration: float) -> None:
        """Fit the time axis to a newly shown track once; later updates keep the zoom."""
        path = self._doc.path if self._doc is not None else None
        for plot in self.plots.values():
            plot.getViewBox().setLimits(xMin=0.0, xMax=max(duration, 0.1), minXRange=0.05)
        if path != self._shown_path and duration > 0:
            self._shown_path = path
            self.set_x_range(0.0, duration)
        self._b_hint.setPos(duration / 2, 0.0)

    def _on_doc_analysis_changed(self) -> None:
        """Show the document's analysis: rows, segments and the hover grid now, every
        other lane in small steps over the next event-loop turns (see :class:`Steps`)."""
        a = self._doc.analysis if self._doc is not None else None
        self._layout_rows(labels=self._has_labels(), spectrum=self._spectrum_on)
        self._clear_analysis_lanes()
        if a is None:
            self._steps.replace([])
            self._edges = np.zeros(0)
            if self._doc is not None:
                self._on_doc_original_changed()
            return
        self._set_duration(a.duration)
        w = a.windows
        self._edges = cell_edges(w.start, w.end, a.duration)
        self._draw_segments(a)
        steps = [lambda: self._draw_tempo(a), lambda: self._draw_key(a)]
        steps += [lambda t=target: self._draw_label_lane(a, t) for target in TARGETS]
        steps += [self._on_doc_original_changed, self._on_doc_renders_changed,
                  self._on_range_changed]
        self._steps.replace(steps)

    def _clear_analysis_lanes(self) -> None:
        self._segments.set_spans([], [], [])
        for lbl in (self._letters, self._details, self._key_labels):
            lbl.clear()
        for blocks, lbl in self._lane_items.values():
            blocks.set_blocks([], [], [])
            lbl.clear()
        self._key_blocks.set_blocks([], [], [])
        self._tempo_windows.setData([], [])
        self._tempo_segments.setData([], [])

    def finish_drawing(self) -> None:
        """Draw every lane still waiting for its turn now (exports and tests use it)."""
        self._steps.flush()

    def _draw_segments(self, a) -> None:
        rows = segment_table(a)
        letters, details = [], []
        self._segments.set_spans([s.start for s in a.segments], [s.end for s in a.segments],
                                 [_alpha(segment_colour(s.label), 45) for s in a.segments])
        for seg, row in zip(a.segments, rows):
            letters.append((seg.start, seg.end, seg.label))
            tempo_key = f"{seg.tempo:.0f} BPM \u00b7 {seg.tonic} {_mode(seg.mode)}"
            if row.descriptor:  # majority descriptor of the segment's windows
                details.append((seg.start, seg.end, f"{row.descriptor.replace('_', ' ')} "
                                f"\u00b7 {tempo_key}", row.descriptor.replace("_", " "),
                                row.targets.get("mood", "")))
            else:
                details.append((seg.start, seg.end, tempo_key, f"{seg.tempo:.0f} BPM"))
        self._letters.set_runs([(s, e, t) for s, e, t in letters])
        self._details.set_runs(details)
        self._on_doc_selection_changed(self._doc.selected_segment if self._doc else -1)

    def _draw_label_lane(self, a, target: str) -> None:
        """One descriptor lane: a cell per window (colour = label, opacity = probability)
        and the label of each run of equal cells."""
        w = a.windows
        values = w.labels.get(target)
        if not values:
            return
        blocks, lbl = self._lane_items[target]
        probs = w.probabilities.get(target) or (1.0,) * len(values)
        colours = [label_colour(target, v, alpha=60 + 195 * _unit(p))
                   for v, p in zip(values, probs)]
        blocks.set_blocks(self._edges[:-1], self._edges[1:], colours)
        lbl.set_runs([(r.start, r.end, r.value) for r in runs(values, self._edges, probs)])

    def _draw_tempo(self, a) -> None:
        w = a.windows
        centres = (np.asarray(w.start) + np.asarray(w.end)) / 2
        self._tempo_windows.setData(centres, np.asarray(w.tempo, float))
        bounds = [s.start for s in a.segments] + [a.segments[-1].end] if a.segments else []
        self._tempo_segments.setData(bounds, [s.tempo for s in a.segments])
        self._tempo_global.setValue(a.globals.tempo)
        values = [v for v in (*w.tempo, *(s.tempo for s in a.segments), a.globals.tempo) if v > 0]
        if values:
            lo, hi = min(values), max(values)
            self.plots["tempo"].setYRange(lo - 5, hi + 5, padding=0)

    def _draw_key(self, a) -> None:
        w = a.windows
        x0, x1 = self._edges[:-1], self._edges[1:]
        colours = [key_colour(t, m, alpha=70 + 185 * _unit(c))
                   for t, m, c in zip(w.tonic, w.mode, w.key_confidence)]
        self._key_blocks.set_blocks(x0, x1, colours)
        names = [f"{t} {_mode(m)}" for t, m in zip(w.tonic, w.mode)]
        self._key_labels.set_runs([(r.start, r.end, r.value) for r in runs(names, self._edges)])

    def _on_doc_renders_changed(self) -> None:
        self._b_segments.set_spans([], [], [])
        variant = self._doc.render if self._doc is not None else None
        if variant is None:
            self._wave_b.clear()
            self._b_letters.clear()
            self._b_labels.clear()
            self._b_hint.setVisible(self._doc is not None and self._doc.analysis is not None)
            return
        self._b_hint.setVisible(False)
        _show_envelope(self._wave_b, variant.envelope)
        ra = variant.analysis
        self._b_segments.set_spans([s.start for s in ra.segments], [s.end for s in ra.segments],
                                   [_alpha(segment_colour(s.label), 35) for s in ra.segments])
        self._b_letters.set_runs([(s.start, s.end, s.label) for s in ra.segments])
        self._b_labels.set_runs([
            (v.start, v.end, f"{v.region.descriptor.replace('_', ' ')} \u00b7 {v.tempo:.0f} BPM"
                             f" \u00b7 {v.region.tonic} {_mode(v.region.mode)}",
             v.region.descriptor.replace("_", " "), v.region.descriptor.split("_")[-1])
            for v in variant.render.timeline.regions()])
        self._on_range_changed()

    def _on_doc_selection_changed(self, index: int) -> None:
        a = self._doc.analysis if self._doc is not None else None
        if a is None or not 0 <= index < len(a.segments):
            self._segments.set_selected(-1)
            return
        self._segments.set_selected(index, _alpha(segment_colour(a.segments[index].label), 120))

    # -- interaction ---------------------------------------------------------------------
    def _on_range_changed(self, *args) -> None:
        x0, x1 = self.x_range()
        self._model_hint.setPos(x0 + 0.005 * (x1 - x0), 0.5)
        for lbl in (self._letters, self._details, self._key_labels, self._b_letters,
                    self._b_labels, *(l for _, l in self._lane_items.values())):
            lbl.refresh()

    def _time_at(self, scene_pos) -> float | None:
        """Seconds under a scene position if it is over a visible lane, else None."""
        for plot in self.plots.values():
            if plot.isVisible() and plot.getViewBox().sceneBoundingRect().contains(scene_pos):
                return float(plot.getViewBox().mapSceneToView(scene_pos).x())
        return None

    def _on_scene_mouse_moved(self, scene_pos) -> None:
        t = self._time_at(scene_pos)
        if t is None or self._doc is None:
            return
        self._info.setText(self.describe(t))

    def describe(self, t: float) -> str:
        """One line about time ``t``: the segment and the analysis window there."""
        a = self._doc.analysis if self._doc is not None else None
        text = format_time(t)
        if a is None or len(self._edges) < 2:
            return text
        seg = self.segment_at(t)
        if seg >= 0:
            s = a.segments[seg]
            text += f"  |  segment {s.label} ({format_time(s.start)}-{format_time(s.end)})"
        i = min(max(bisect.bisect_right(self._edges, t) - 1, 0), len(a.windows) - 1)
        w = a.windows
        text += (f"  |  window {i + 1}/{len(w)} ({w.start[i]:.0f}-{w.end[i]:.0f} s): "
                 f"{w.tempo[i]:.1f} BPM ({w.tempo_confidence[i]:.2f}), "
                 f"{w.tonic[i]} {w.mode[i]} ({w.key_confidence[i]:.2f})")
        for target in TARGETS:
            if target in w.labels:
                p = w.probabilities.get(target)
                text += f", {target} {w.labels[target][i]}" + (f" ({p[i]:.2f})" if p else "")
        return text

    def segment_at(self, t: float) -> int:
        a = self._doc.analysis if self._doc is not None else None
        if a is None:
            return -1
        starts = [s.start for s in a.segments]
        i = bisect.bisect_right(starts, t) - 1
        return i if 0 <= i < len(a.segments) and t < a.segments[i].end else -1

    def _on_scene_mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._doc is None:
            return
        t = self._time_at(event.scenePos())
        if t is None:
            return
        if event.double():
            self.seek_requested.emit(max(t, 0.0))
            return
        index = self.segment_at(t)
        self._doc.select_segment(index)
        self.segment_selected.emit(index)


def _show_envelope(item: WaveformItem, env) -> None:
    item.set_peaks(env.bin_frames / env.sr, env.mins, env.maxs)


def _spans(plot: pg.PlotItem) -> SpansItem:
    """The segment regions of a waveform lane: behind the trace, outside auto-range."""
    item = SpansItem()
    item.setZValue(-10)
    plot.addItem(item, ignoreBounds=True)
    return item


def _mode(mode: str) -> str:
    return {"major": "maj", "minor": "min"}.get(mode, mode)


def _unit(p: float) -> float:
    return min(max(float(p), 0.0), 1.0)


def _alpha(colour: QColor, alpha: int) -> QColor:
    c = QColor(colour)
    c.setAlpha(int(min(max(alpha, 0), 255)))
    return c


if __name__ == "__main__":  # preview: python -m gui.timeline_view [AUDIO]
    import sys

    from core.app.analyze import analyze_track
    from core.app.tracks import load_track

    app = QApplication(sys.argv)
    path = sys.argv[1] if len(sys.argv) > 1 else "resources/demo/karissa_hobbs-lets_go_fishin.ogg"
    document = Document(path)
    document.set_loaded(load_track(path))
    document.set_analysis(analyze_track(path))
    view = TimelineView()
    view.set_document(document)
    view.resize(1400, 700)
    view.show()
    sys.exit(app.exec())
