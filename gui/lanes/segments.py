"""Segment lanes over the waveforms: the original's form (A) and the render's (B).

Each draws segments as coloured spans behind the waveform (same letter, same colour),
the letter above each and a line of detail along the bottom, over the plot of its
waveform lane.  The details come from ``core``: the majority descriptor of a segment's
windows (:func:`core.analysis.reduce.segment_table`, shared through :mod:`gui.derived`),
the descriptor each region of the render's timeline asked for.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pyqtgraph as pg

from core.record import Segment
from gui.derived import segment_rows
from gui.lanes.base import Lane, short_mode, show_in_view
from gui.lanes.colours import segment_colour, with_alpha
from gui.lanes.items import SpansItem
from gui.lanes.key import key_text
from gui.lanes.tempo import tempo_text

__all__ = ["FormLane", "RenderFormLane", "A_TOOLTIP", "B_TOOLTIP"]

_WAVE = ("peak amplitude per pixel column, \u00b11 = full scale (View > Waveforms taller "
         "zooms it; the axis then says by how much)")
#: What the A and B lanes show (waveform and form share a lane).
A_TOOLTIP = (f"A, the original: {_WAVE}. Coloured spans are the form segments (same letter "
             "= same section), with each segment's majority descriptor, tempo and key along "
             "the bottom; drag a boundary's handle to move it, right-click to edit the form")
B_TOOLTIP = (f"B, the render: {_WAVE}. Along the bottom, per region, what was asked (the "
             "original's descriptor, tempo and key) and what the render's own analysis "
             "heard there; the score against the original at the top right")


class _SegmentsLane(Lane):
    """Spans, letters and details of segments.  ``alpha``: the spans' opacity (0-255)."""

    def __init__(self, plot: pg.PlotItem, *, letter_size: int, alpha: int):
        super().__init__(plot)
        self.spans = SpansItem()
        self.spans.setZValue(-10)  # behind the trace, outside auto-range
        plot.addItem(self.spans, ignoreBounds=True)
        self._alpha = alpha
        self.letters = self.run_labels(y=1.02, size=letter_size, anchor=(0.0, 0.0),
                                       colour="#000")
        self.details = self.run_labels(y=-1.0, size=8, anchor=(0.0, 1.0), colour="#111",
                                       fill=(255, 255, 255, 190))

    def _show(self, segments: Sequence[Segment], details: Sequence[tuple]) -> None:
        """``details``: ``(start, end, text[, shorter text, ...])`` per run."""
        self.spans.set_spans([s.start for s in segments], [s.end for s in segments],
                             [with_alpha(segment_colour(s.label), self._alpha)
                              for s in segments])
        self.letters.set_runs([(s.start, s.end, s.label) for s in segments])
        self.details.set_runs(details)

    def clear(self) -> None:
        self.spans.set_spans([], [], [])
        super().clear()

    def __len__(self) -> int:
        return len(self.spans)


class FormLane(_SegmentsLane):
    """The original's form segments; under each its majority descriptor (when a model
    labelled the windows), tempo and key.  One segment can be selected."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot, letter_size=11, alpha=45)
        plot.setToolTip(A_TOOLTIP)
        #: ``(index, t)`` when the user drags the boundary after segment ``index`` to
        #: ``t`` seconds (the window's form editor makes it an undoable edit).
        self.on_boundary_moved: Callable[[int, float], None] | None = None
        self._handles: list[pg.InfiniteLine] = []  # the lines in use, one per boundary
        self._pool: list[pg.InfiniteLine] = []  # every line made (the spare ones hidden)
        self._times: list[float] = []  # the inner boundaries of the form shown
        self._range = (-np.inf, np.inf)  # the time range shown, for the handles

    def show(self, analysis) -> None:
        """Draw ``analysis``'s segments (none selected) with a draggable handle on each
        inner boundary: on the handle lines already made, the rest once
        :meth:`add_handles` makes them."""
        self._times = [s.end for s in analysis.segments[:-1]]
        self._set_handles(create=False)
        details = []
        for seg, row in zip(analysis.segments, segment_rows(analysis)):
            tempo_key = f"{tempo_text(seg.tempo)} \u00b7 {key_text(seg.tonic, seg.mode)}"
            if row.descriptor:  # majority descriptor of the segment's windows
                name = row.descriptor.replace("_", " ")
                details.append((seg.start, seg.end, f"{name} \u00b7 {tempo_key}", name,
                                row.targets.get("mood", "")))
            else:
                details.append((seg.start, seg.end, tempo_key, tempo_text(seg.tempo)))
        self._show(analysis.segments, details)

    def select(self, analysis, index: int) -> None:
        """Emphasise segment ``index`` of ``analysis`` (None or out of range: none)."""
        if analysis is None or not 0 <= index < len(analysis.segments):
            self.spans.set_selected(-1)
            return
        colour = segment_colour(analysis.segments[index].label)
        self.spans.set_selected(index, with_alpha(colour, 120))


    def add_handles(self) -> None:
        """Make the handle lines the form shown lacks (a third of a millisecond each, a
        few dozen for a long track: the timeline calls this in a later step)."""
        self._set_handles(create=True)

    def _set_handles(self, *, create: bool) -> None:
        """A handle on each boundary of :attr:`_times` that has a line (with ``create``:
        each).  The lines are kept and moved from one form to the next; spare ones hide."""
        times = self._times
        for i in range(len(self._pool), len(times) if create else 0):
            line = pg.InfiniteLine(angle=90, movable=True, pen=_HANDLE_PEN,
                                   hoverPen=_HANDLE_HOVER)
            line.setZValue(25)
            line.setToolTip("drag to move this boundary (Edit > Undo takes it back)")
            line.sigPositionChangeFinished.connect(
                lambda item, index=i: self._on_handle_moved(index, item))
            self.plot.addItem(line, ignoreBounds=True)
            self._pool.append(line)
        self._handles = self._pool[:len(times)]
        for line, t in zip(self._handles, times):
            line.setValue(t)
        for line in self._pool[len(self._handles):]:
            line.setVisible(False)
        show_in_view(self._handles, *self._range)

    def _on_handle_moved(self, index: int, line: pg.InfiniteLine) -> None:
        if self.on_boundary_moved is not None:
            self.on_boundary_moved(index, float(line.value()))

    def follow_range(self, x0: float, x1: float) -> None:
        self._range = (x0, x1)
        show_in_view(self._handles, x0, x1)
        super().follow_range(x0, x1)

    def clear(self) -> None:
        self._times = []
        self._set_handles(create=False)
        super().clear()


_HANDLE_PEN = pg.mkPen((0, 0, 0, 60), width=1)
_HANDLE_HOVER = pg.mkPen("#c08000", width=3)


class RenderFormLane(_SegmentsLane):
    """The segments Twintrack finds in a render; along the bottom, per region of its
    timeline, what was asked (the descriptor, tempo and key) and, given the original,
    what the render's analysis heard there and on how many targets the two agree; the
    render's score against the original at the top.  Without a render, a hint saying
    how to make one."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot, letter_size=10, alpha=35)
        plot.setToolTip(B_TOOLTIP)
        self.hint = pg.TextItem("no render yet: press Render to make a track like this one",
                                color="#777", anchor=(0.5, 0.5))
        self.plot.addItem(self.hint, ignoreBounds=True)
        self.score = pg.TextItem("", color="#222", anchor=(1.0, 0.0),
                                 fill=pg.mkBrush(255, 255, 255, 200))
        self.plot.addItem(self.score, ignoreBounds=True)
        self.score_text = ""

    def set_duration(self, duration: float) -> None:
        self.hint.setPos(duration / 2, 0.0)
        self.score.setPos(duration, 1.0)

    def show(self, variant, *, hint: bool, original=None) -> None:
        """Draw ``variant`` (a :class:`core.app.renders.RenderedVariant`), compared with
        the ``original`` analysis when given; None: nothing, and the hint when ``hint``."""
        if variant is None:
            self.clear()
            self.hint.setVisible(hint)
            self._set_score("")
            return
        self.hint.setVisible(False)
        result = _comparison(variant, original)
        rows = {} if result is None else {round(r["start"], 3): r for r in result.details}
        self._show(variant.analysis.segments,
                   [_region_texts(v, rows.get(round(v.start, 3)))
                    for v in variant.render.timeline.regions()])
        self._set_score("" if result is None else "render vs A: " + " \u00b7 ".join(
            f"{t} {v:.2f}" for t, v in result.targets.items()))

    def _set_score(self, text: str) -> None:
        self.score_text = text
        self.score.setText(text)
        self.score.setVisible(bool(text))


def _comparison(variant, original):
    """The feedback loop's comparison of the render with the original (per region:
    asked, and per target wanted/got), or None without labels on both."""
    if original is None or not original.windows.labels or not variant.analysis.windows.labels:
        return None
    from core.evaluation.feedback import compare_multi

    return compare_multi("render", variant.render.timeline, variant.analysis, original)


def _region_texts(v, row: dict | None = None) -> tuple:
    """``(start, end, text, shorter texts...)`` of one region of a render's timeline: what
    was asked, and with the comparison ``row`` what was heard and the agreement."""
    name = v.region.descriptor.replace("_", " ")
    asked = (f"{name} \u00b7 {v.tempo:.0f} BPM \u00b7 {v.region.tonic} "
             f"{short_mode(v.region.mode)}")
    if not row or not row.get("scored", False):
        return (v.start, v.end, asked, name, v.region.descriptor.split("_")[-1])
    pairs = [row[t] for t in ("genre", "subgenre", "mood", "sentiment", "valence",
                              "momentum") if t in row]
    agree = sum(want == got for want, got in pairs)
    heard = " ".join(row[t][1] for t in ("genre", "subgenre", "mood") if t in row)
    mark = "\u2713" if agree == len(pairs) else "\u2717"
    return (v.start, v.end, f"asked {asked} \u00b7 heard {heard.replace('_', ' ')} "
            f"{mark} {agree}/{len(pairs)}", f"{name} {mark} {agree}/{len(pairs)}",
            f"{mark} {agree}/{len(pairs)}")
