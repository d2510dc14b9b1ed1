"""Persistent user settings (QSettings): descriptor model, vocal suppression, render
variants, output folder, audio device, recent files, view options (hidden lanes, the
spectrogram's window, scale, levels and colours)."""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, fields
from pathlib import Path

from PySide6.QtCore import QSettings

from core.app.spectrogram import SCALES, WINDOWS

__all__ = ["AppSettings", "MAX_RECENT", "VOCAL_SUPPRESSION_MODES", "SpectrogramSettings",
           "COLOUR_MAPS", "FLOORS", "GAINS", "GAIN_RANGE", "FLOOR_RANGE"]

logger = logging.getLogger(__name__)

MAX_RECENT = 10
#: The vocal suppression preference -> what the engine is asked for.
VOCAL_SUPPRESSION_MODES = {"always": True, "never": False, "auto": "auto"}
#: Spectrogram colour maps: name shown and stored -> pyqtgraph's colour map.
COLOUR_MAPS = {"inferno": "inferno", "magma": "magma", "viridis": "viridis",
               "cividis": "cividis", "greys": "CET-L1"}
#: The floors (dB under the loudest cell) and gains the menus offer; the preferences
#: take any value within the ranges.
FLOORS = (-60.0, -80.0, -100.0)
GAINS = (-12.0, -6.0, 0.0, 6.0, 12.0, 18.0, 24.0)
FLOOR_RANGE = (-120.0, -20.0)
GAIN_RANGE = (-40.0, 40.0)


@dataclass(frozen=True)
class SpectrogramSettings:
    """How the spectrogram lanes look: window size (samples) and frequency scale (both
    need a new image), floor and gain in dB and colour map (only a restyle).

    A cell ``gain_db`` dB under the loudest cell gets the top colour, one ``-floor_db``
    dB under that the bottom colour: for one setting the same colour is the same level
    in every track.
    """

    window: int = 2048
    scale: str = "log"
    floor_db: float = -80.0
    gain_db: float = 0.0
    colour_map: str = "inferno"

    @property
    def levels(self) -> tuple[float, float]:
        """The image levels (dB) painted with the bottom and the top colour."""
        return self.floor_db - self.gain_db, -self.gain_db

    @property
    def compute_key(self) -> tuple[int, str]:
        """What an image depends on: (window, scale)."""
        return self.window, self.scale

    @classmethod
    def checked(cls, **raw) -> "SpectrogramSettings":
        """Settings from ``raw`` values (strings from a settings file, numbers from a
        dialog); a missing or bad value falls back to its default (logged)."""
        default, out = cls(), {}
        for f in fields(cls):
            value = raw.get(f.name, getattr(default, f.name))
            try:
                out[f.name] = _spectrogram_value(f.name, value)
            except (TypeError, ValueError) as exc:
                logger.warning("spectrogram %s %r: %s; using %r", f.name, value, exc,
                               getattr(default, f.name))
                out[f.name] = getattr(default, f.name)
        return cls(**out)


def _spectrogram_value(name: str, value):
    """``value`` as a valid field ``name`` of :class:`SpectrogramSettings`, else ValueError."""
    if name == "window":
        n = int(str(value).strip())
        if n not in WINDOWS:
            raise ValueError(f"not one of {WINDOWS}")
        return n
    if name in ("scale", "colour_map"):
        choices = SCALES if name == "scale" else tuple(COLOUR_MAPS)
        text = str(value).strip().lower()
        if text not in choices:
            raise ValueError(f"not one of {', '.join(choices)}")
        return text
    lo, hi = FLOOR_RANGE if name == "floor_db" else GAIN_RANGE
    x = float(value)
    if not (math.isfinite(x) and lo <= x <= hi):
        raise ValueError(f"not within {lo:g} to {hi:g} dB")
    return x


class AppSettings:
    """Typed access to one QSettings store.  GUI thread only.

    Tests pass their own ``QSettings`` (an INI file in a temporary folder) so they
    never touch the user's settings.
    """

    def __init__(self, store: QSettings | None = None):
        self._s = store if store is not None else QSettings("Twintrack", "Twintrack")

    def _bool(self, key: str) -> bool:
        return str(self._s.value(key, "false")).lower() == "true"

    def _set_bool(self, key: str, on: bool) -> None:
        self._s.setValue(key, "true" if on else "false")

    def _int(self, key: str, default: int) -> int:
        try:
            return int(self._s.value(key, default))
        except (TypeError, ValueError):
            return default

    @property
    def variants(self) -> int:
        """How many render variants the Render button makes (1-10)."""
        return min(max(self._int("render/variants", 1), 1), 10)

    @variants.setter
    def variants(self, n: int) -> None:
        self._s.setValue("render/variants", int(n))

    @property
    def model(self) -> str:
        """Descriptor model: ``'default'`` (the shipped one), ``'none'`` or a file path."""
        return str(self._s.value("analysis/model", "default") or "default")

    @model.setter
    def model(self, spec: str) -> None:
        self._s.setValue("analysis/model", str(spec or "default"))

    @property
    def vocal_suppression_mode(self) -> str:
        """When to classify the repeating background (REPET-SIM) instead of the full mix:
        ``'always'``, ``'never'`` or ``'auto'`` (per track, when its voice tags say it
        has vocals; the default).  A stored boolean (before the three-way choice) reads
        as always / never."""
        value = str(self._s.value("analysis/vocal_suppression", "auto")).lower()
        value = {"true": "always", "false": "never"}.get(value, value)
        return value if value in VOCAL_SUPPRESSION_MODES else "auto"

    @vocal_suppression_mode.setter
    def vocal_suppression_mode(self, mode: str) -> None:
        if mode not in VOCAL_SUPPRESSION_MODES:
            raise ValueError(f"vocal suppression mode {mode!r}: one of "
                             + ", ".join(VOCAL_SUPPRESSION_MODES))
        self._s.setValue("analysis/vocal_suppression", mode)

    @property
    def vocal_suppression(self) -> bool | str:
        """The engine's ``vocal_suppression`` argument: True, False or ``'auto'``."""
        return VOCAL_SUPPRESSION_MODES[self.vocal_suppression_mode]

    @vocal_suppression.setter
    def vocal_suppression(self, value: bool | str) -> None:
        self.vocal_suppression_mode = next(
            m for m, v in VOCAL_SUPPRESSION_MODES.items() if v is value or v == value)

    @property
    def seed(self) -> int:
        return self._int("render/seed", 0)

    @property
    def output_dir(self) -> str:
        """Where exports are proposed (default: ~/Music/Twintrack or the home folder)."""
        default = Path.home() / "Music" / "Twintrack"
        return str(self._s.value("export/output_dir", os.fspath(default)) or default)

    @output_dir.setter
    def output_dir(self, path: str) -> None:
        self._s.setValue("export/output_dir", str(path))

    @property
    def device(self) -> str | None:
        """Audio output device name; None for the system default."""
        value = self._s.value("playback/device", "")
        return str(value) if value else None

    @device.setter
    def device(self, name: str | None) -> None:
        self._s.setValue("playback/device", name or "")

    @property
    def show_spectrogram(self) -> bool:
        return self._bool("view/spectrogram")

    @show_spectrogram.setter
    def show_spectrogram(self, on: bool) -> None:
        self._set_bool("view/spectrogram", on)

    @property
    def spectrogram(self) -> SpectrogramSettings:
        """The spectrogram lanes' settings (bad stored values read as their defaults)."""
        return SpectrogramSettings.checked(**{
            f.name: self._s.value(f"spectrogram/{f.name}") for f in fields(SpectrogramSettings)
            if self._s.contains(f"spectrogram/{f.name}")})

    @spectrogram.setter
    def spectrogram(self, settings: SpectrogramSettings) -> None:
        for f in fields(SpectrogramSettings):
            self._s.setValue(f"spectrogram/{f.name}", getattr(settings, f.name))

    @property
    def hidden_lanes(self) -> list[str]:
        """Names of the timeline lanes the user hid (View -> Lanes, a lane's menu)."""
        return self._list("view/hidden_lanes")

    @hidden_lanes.setter
    def hidden_lanes(self, names) -> None:
        self._s.setValue("view/hidden_lanes", sorted(set(names)))

    @property
    def lane_order(self) -> list[str]:
        """The timeline's rows top to bottom as the user arranged them ([]: as shipped)."""
        return self._list("view/lane_order")

    @lane_order.setter
    def lane_order(self, names) -> None:
        self._s.setValue("view/lane_order", list(names))

    @property
    def lane_heights(self) -> dict[str, float]:
        """Row name -> the user's height factor (rows not named: 1)."""
        out = {}
        for entry in self._list("view/lane_heights"):
            name, _, factor = entry.rpartition("=")
            try:
                out[name] = float(factor)
            except ValueError:
                continue  # a damaged entry: that row at its usual height
        return out

    @lane_heights.setter
    def lane_heights(self, heights: dict[str, float]) -> None:
        self._s.setValue("view/lane_heights", [f"{n}={f:g}" for n, f in sorted(heights.items())
                                               if f != 1.0])

    def _list(self, key: str) -> list[str]:
        value = self._s.value(key, [])
        if isinstance(value, str):
            value = [value] if value else []
        return [str(v) for v in (value or [])]

    @property
    def recent_files(self) -> list[str]:
        return self.recent()

    def recent(self, *, kind: str = "files") -> list[str]:
        """The recent ``kind`` ("files" or "projects"), newest first."""
        value = self._s.value(f"{kind}/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])][:MAX_RECENT]

    def add_recent(self, path: str, *, kind: str = "files") -> None:
        path = os.path.abspath(path)
        files = [path] + [p for p in self.recent(kind=kind) if p != path]
        self._s.setValue(f"{kind}/recent", files[:MAX_RECENT])

    def clear_recent(self, *, kind: str = "files") -> None:
        self._s.setValue(f"{kind}/recent", [])

    def geometry(self):
        return self._s.value("window/geometry")

    def set_geometry(self, data) -> None:
        self._s.setValue("window/geometry", data)

    def sync(self) -> None:
        self._s.sync()
