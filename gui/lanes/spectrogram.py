"""The spectrogram lanes: A's (the original) and B's (the render) images.

A lane draws a :class:`core.app.spectrogram.Spectrogram` as one ``ImageItem`` at the
levels of the user's :class:`~gui.settings.SpectrogramSettings` (floor, gain, colour
map), ticks its frequency axis for the image's scale and keeps a colour scale in its
corner saying which level each colour is.  Which image it shows, and when it is
computed, is :class:`gui.spectrograms.SpectrogramFeed`'s business.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF

from gui.lanes.base import Lane
from gui.settings import COLOUR_MAPS, SpectrogramSettings

__all__ = ["SpectrogramLane", "TICKS", "frequency_ticks", "level_text"]

#: Frequencies (Hz) ticked on each scale: spread evenly over a lane about 90 px tall.
TICKS = {"log": (100, 1000, 10000), "mel": (1000, 3000, 10000),
         "linear": (5000, 10000, 15000, 20000)}
_SCALE_NAMES = {"log": "log-frequency", "mel": "mel-frequency", "linear": "linear-frequency"}


def frequency_ticks(spec) -> list[tuple[float, str]]:
    """(band position, text) of the :data:`TICKS` of ``spec``'s scale within its range."""
    hz = [f for f in TICKS.get(spec.scale, ()) if spec.fmin < f < spec.fmax]
    return [(float(y), f"{f / 1000:g}k" if f >= 1000 else f"{f:g}")
            for y, f in zip(spec.band_of(hz), hz)]


def level_text(db: float) -> str:
    """``'-80 dB'``, ``'0 dB'``, ``'+6 dB'``: a level as the colour scale and menus say it."""
    db = float(round(db)) + 0.0  # no "-0"
    return f"{db:+.0f} dB" if db > 0 else f"{db:.0f} dB"


class SpectrogramLane(Lane):
    """One spectrogram image, its frequency ticks and its colour scale.  GUI thread only.

    ``side`` ("A" or "B") names the audio in the axis label and the tooltip.
    """

    def __init__(self, plot: pg.PlotItem, *, side: str):
        super().__init__(plot)
        self.side = side
        self.settings = SpectrogramSettings()
        self.spectrogram = None  # what is drawn (a Spectrogram) or None
        self.message = ""  # why nothing is drawn (a failed computation), for the tooltip
        plot.setLabel("left", f"{side} Hz")
        plot.getAxis("left").setTicks([[], []])  # frequency ticks come with an image
        self.image = pg.ImageItem()
        plot.addItem(self.image)
        self.scale_legend = pg.GradientLegend((7, 36), (-4, 14))
        plot.addItem(self.scale_legend, ignoreBounds=True)
        self.set_style(self.settings)

    def set_style(self, settings: SpectrogramSettings) -> None:
        """Levels, colour map and colour scale of ``settings`` (no new image needed)."""
        self.settings = settings
        cmap = pg.colormap.get(COLOUR_MAPS[settings.colour_map])
        self.image.setColorMap(cmap)
        self.image.setLevels(settings.levels)
        self.scale_legend.setColorMap(cmap)
        lo, hi = settings.levels
        self.scale_legend.setLabels({level_text(hi): 1.0, level_text(lo): 0.0})
        self._tooltip()

    def show(self, spec) -> None:
        """Draw ``spec`` (a Spectrogram); None draws nothing."""
        if spec is self.spectrogram:
            return
        self.spectrogram, self.message = spec, ""
        if spec is None:
            self.image.clear()
            self._tooltip()
            return
        bands = spec.image.shape[1]
        self.image.setImage(spec.image, autoLevels=False, levels=self.settings.levels)
        self.image.setRect(QRectF(0.0, 0.0, spec.duration, float(bands)))
        self.plot.getAxis("left").setTicks([frequency_ticks(spec), []])
        self.plot.setYRange(0, bands, padding=0)
        self._tooltip()

    def show_message(self, text: str) -> None:
        """Nothing to draw, and why (shown in the lane's tooltip)."""
        self.show(None)
        self.message = text
        self._tooltip()

    def clear(self) -> None:
        self.show(None)

    def _tooltip(self) -> None:
        s, spec = self.settings, self.spectrogram
        what = "the original (A)" if self.side == "A" else "the render shown as B"
        lo, hi = s.levels
        text = (f"Spectrogram of {what}: {_SCALE_NAMES.get(s.scale, s.scale)} bands, "
                f"{s.window}-sample windows; colour = level under the loudest cell, "
                f"{level_text(lo)} (floor {s.floor_db:.0f} dB, gain {s.gain_db:+.0f} dB) "
                f"to {level_text(hi)}, the same in every track. Right-click to change the "
                "window, scale, levels or colours")
        if spec is not None and (spec.n_fft, spec.scale) != s.compute_key:
            text += " (the new image is being computed)"
        if self.message:
            text += f"\n{self.message}"
        self.plot.setToolTip(text)
