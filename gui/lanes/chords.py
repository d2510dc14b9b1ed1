"""The chord lane: a block per chord run (:mod:`core.analysis.chords`), hue of its root
around the circle of fifths (minor darker, as the key lane), opacity = confidence, and
its name where it fits.

Runs without a chord (``N``: silence, noise, unpitched material) are grey and say "no
chord".  Names are chosen at paint time: the longest of "A min", "Am" that fits a run's
width on screen, or nothing, so a zoomed-out long track paints only the blocks (one
cached picture) and the few names with room.  An analysis made before chords were
estimated has none; the lane says so.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor

from core.record import NO_CHORD
from gui.lanes.base import Lane, unit
from gui.lanes.colours import key_colour, with_alpha
from gui.lanes.items import BlocksItem

__all__ = ["ChordLane", "chord_text", "chord_names", "NO_CHORD_TEXT", "NO_CHORDS_TEXT",
           "TOOLTIP"]

NO_CHORD_TEXT = "no chord"
NO_CHORDS_TEXT = "no chords in this analysis (Track \u2192 Analyse again estimates them)"
_NO_CHORD_COLOUR = QColor("#9E9E9E")  # the grey of "no key" and unknown labels
_QUALITY = {"maj": "major", "min": "minor"}
TOOLTIP = ("Chords per beat: the pipeline's key chroma averaged over each beat, matched "
           "against the 24 major and minor triads and smoothed along the beats (Viterbi); "
           "colour = root on the circle of fifths (minor darker), opacity = confidence, "
           "grey = no chord")


def chord_names(label: str) -> tuple[str, ...]:
    """Texts for a chord label, longest first: ``('A min', 'Am')``, ``('C maj', 'C')``,
    ``('no chord', 'N')`` (any thread)."""
    if label == NO_CHORD or ":" not in label:
        return (NO_CHORD_TEXT, NO_CHORD)
    root, quality = label.split(":", 1)
    return (f"{root} {quality}", root + ("m" if quality == "min" else ""))


def chord_text(label: str) -> str:
    """``'A min'``, ``'C maj'``, ``'no chord'`` (any thread)."""
    return chord_names(label)[0]


def _colour(label: str, confidence: float) -> QColor:
    alpha = 70 + 185 * unit(confidence)
    if label == NO_CHORD or ":" not in label:
        return with_alpha(_NO_CHORD_COLOUR, 70)
    root, quality = label.split(":", 1)
    return key_colour(root, _QUALITY.get(quality, "major"), alpha=alpha)


class ChordLane(Lane):
    """A block per chord run and its name where it fits.  GUI thread only."""

    def __init__(self, plot: pg.PlotItem):
        super().__init__(plot)
        plot.setYRange(0, 1, padding=0)
        plot.setToolTip(TOOLTIP)
        self.blocks = BlocksItem()
        plot.addItem(self.blocks)
        self.names = self.run_labels(size=7)

    def show(self, analysis) -> None:
        """Draw ``analysis``'s chord runs (or say it has none)."""
        chords = analysis.chords
        if not chords:
            self.blocks.set_blocks([], [], [])
            self.names.set_runs([(0.0, analysis.duration, NO_CHORDS_TEXT, "")])
            return
        self.blocks.set_blocks([c.start for c in chords], [c.end for c in chords],
                               [_colour(c.label, c.confidence) for c in chords])
        self.names.set_runs([(c.start, c.end, *chord_names(c.label)) for c in chords])

    def clear(self) -> None:
        self.blocks.set_blocks([], [], [])
        super().clear()
