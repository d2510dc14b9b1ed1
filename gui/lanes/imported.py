"""The imported-labels lane: spans and texts from another tool's label file.

Draws a :class:`core.io.labels.LabelTrack` (Audacity, Sonic Visualiser CSV, JAMS) as
coloured spans with their labels, one colour per distinct label, instants as thin
marks; the lane's row appears only while the current track has imported labels.
"""

from __future__ import annotations

import pyqtgraph as pg

from gui.lanes.base import Lane
from gui.lanes.colours import segment_colour, with_alpha
from gui.lanes.items import SpansItem

__all__ = ["ImportedLane", "IMPORTED_HEIGHT"]

IMPORTED_HEIGHT = 40
_INSTANT = 0.05  # seconds: how wide an instant (a point label) is drawn


class ImportedLane(Lane):
    """Imported label spans.  GUI thread only."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot)
        plot.setYRange(0, 1, padding=0)
        self.spans = SpansItem()
        plot.addItem(self.spans, ignoreBounds=True)
        self.names = self.run_labels(y=0.5, size=8, anchor=(0.0, 0.5), colour="#111")
        self.track = None

    @property
    def height(self) -> int:
        """The row's height in pixels: 0 (no row) without imported labels."""
        return IMPORTED_HEIGHT if self.track is not None else 0

    def show(self, track) -> None:
        """Draw ``track`` (a :class:`~core.io.labels.LabelTrack`; None: nothing)."""
        self.track = track
        if track is None:
            self.clear()
            return
        starts = [s for s, _e, _l in track.spans]
        ends = [max(e, s + _INSTANT) for s, e, _l in track.spans]
        self.spans.set_spans(starts, ends, [with_alpha(segment_colour(label), 90)
                                            for *_t, label in track.spans])
        self.names.set_runs([(s, e, label) for (s, _e, label), e in zip(track.spans, ends)])
        self.plot.getAxis("left").setLabel(track.name[:14])
        self.plot.setToolTip(f"labels imported from {track.name} ({track.source}, "
                             f"{len(track.spans)} spans)")

    def clear(self) -> None:
        self.spans.set_spans([], [], [])
        super().clear()
