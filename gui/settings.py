"""Persistent user settings (QSettings): descriptor model, vocal suppression, render
variants, output folder, audio device, recent files, view options (hidden lanes)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

__all__ = ["AppSettings", "MAX_RECENT", "VOCAL_SUPPRESSION_MODES"]

MAX_RECENT = 10
#: The vocal suppression preference -> what the engine is asked for.
VOCAL_SUPPRESSION_MODES = {"always": True, "never": False, "auto": "auto"}


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
