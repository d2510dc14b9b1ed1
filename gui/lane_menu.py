"""How the timeline's lanes are arranged: the View -> Lanes menu and a lane's right-click
menu.

:class:`LaneMenus` keeps one checkable action per lane of
:data:`gui.lanes.grid.LANE_TITLES` and remembers the user's arrangement in the settings
(:attr:`~gui.settings.AppSettings.hidden_lanes`, ``lane_order``, ``lane_heights``); the
timeline re-flows the other lanes.  A right click on a lane offers to hide it, move it
up or down past the next lane shown, make it taller or shorter, show every lane, or go
back to the shipped arrangement.  A right click on a spectrogram lane also offers the
spectrogram's window size, frequency scale, floor, gain and colour map (kept in
:attr:`~gui.settings.AppSettings.spectrogram`, the same as the preferences).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from PySide6.QtCore import QObject, QPoint, QPointF
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from core.app.spectrogram import SCALES, WINDOWS
from gui.lanes.grid import LANE_TITLES
from gui.lanes.spectrogram import level_text
from gui.settings import COLOUR_MAPS, FLOORS, GAINS, AppSettings
from gui.timeline_view import TimelineView

__all__ = ["LaneMenus", "HEIGHT_STEP", "SPECTROGRAM_CHOICES"]

HEIGHT_STEP = 1.25  # one "Taller" multiplies a lane's height by this
_HEIGHTS = (0.5, 4.0)  # the factors a lane's height stays within
#: A spectrogram lane's submenus: title, settings field, (text, value) choices.
SPECTROGRAM_CHOICES = (
    ("&Window size", "window", tuple((f"{n} samples", n) for n in WINDOWS)),
    ("&Frequency scale", "scale", tuple((n, n) for n in SCALES)),
    ("F&loor", "floor_db", tuple((level_text(f), f) for f in FLOORS)),
    ("&Gain", "gain_db", tuple((level_text(g), g) for g in GAINS)),
    ("&Colour map", "colour_map", tuple((n, n) for n in COLOUR_MAPS)))
_SPECTROGRAM_ROWS = ("spectrum", "spectrum_b")


class LaneMenus(QObject):
    """The lane actions of one window.  GUI thread only.

    Owns the View -> Lanes submenu's actions and the last right-click menu (kept in
    :attr:`context_menu` so tests can reach it).
    """

    def __init__(self, timeline: TimelineView, settings: AppSettings, view_menu: QMenu,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._timeline, self._settings = timeline, settings
        self.menu = view_menu.addMenu("&Lanes")
        self.menu.setToolTipsVisible(True)
        self.actions: dict[str, QAction] = {}
        hidden = set(settings.hidden_lanes)
        for name, title in LANE_TITLES.items():
            action = self.menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(name not in hidden)
            action.toggled.connect(lambda on, n=name: self._on_lane_toggled(n, on))
            self.actions[name] = action
        self.menu.addSeparator()
        self.menu.addAction("Show &all lanes", self.show_all)
        self.menu.addAction("&Reset the lane layout", self.reset)
        self.context_menu: QMenu | None = None
        #: ``t -> [(text, slot), ...]``: the form edits offered on the original's lane.
        self.form_entries: Callable[[float], list[tuple[str, Callable]]] | None = None
        self._shipped = timeline.grid.order()
        timeline.arrange_lanes(hidden=hidden, order=settings.lane_order or None,
                               heights=settings.lane_heights)
        timeline.spectrograms.set_settings(settings.spectrogram)
        timeline.lane_menu_requested.connect(self._on_lane_menu_requested)

    def set_lane_visible(self, name: str, on: bool) -> None:
        """Show or hide lane ``name`` (and remember it)."""
        self.actions[name].setChecked(on)

    def show_all(self) -> None:
        for action in self.actions.values():
            action.setChecked(True)

    def move(self, name: str, step: int) -> None:
        """Move lane ``name`` up (``step`` -1) or down (+1) past the next lane shown."""
        order = self._timeline.grid.order()
        shown = [n for n in order if self._timeline.plots[n].isVisible() or n == name]
        i = shown.index(name)
        if not 0 <= i + step < len(shown):
            return
        a, b = order.index(name), order.index(shown[i + step])
        order[a], order[b] = order[b], order[a]
        self._timeline.arrange_lanes(order=order)
        self._settings.lane_order = order

    def resize(self, name: str, factor: float) -> None:
        """Make lane ``name`` ``factor`` times as tall (within 0.5-4 times its usual)."""
        heights = dict(self._timeline.grid.heights)
        heights[name] = min(max(heights.get(name, 1.0) * factor, _HEIGHTS[0]), _HEIGHTS[1])
        self._timeline.arrange_lanes(heights=heights)
        self._settings.lane_heights = heights

    def reset(self) -> None:
        """The shipped arrangement: every lane shown, in order, at its usual height."""
        self.show_all()
        self._timeline.arrange_lanes(order=self._shipped, heights={})
        self._settings.lane_order, self._settings.lane_heights = [], {}

    def lane_menu(self, name: str, t: float = -1.0) -> QMenu:
        """The right-click menu of lane ``name`` at time ``t`` (not shown); the original's
        lane offers the form edits of :attr:`form_entries` first."""
        menu = QMenu(self._timeline)
        if name == "A" and t >= 0 and self.form_entries is not None:
            for text, slot in self.form_entries(t):
                menu.addAction(text, slot)
            if not menu.isEmpty():
                menu.addSeparator()
        if name in _SPECTROGRAM_ROWS:
            self._add_spectrogram_entries(menu)
            menu.addSeparator()
        title = LANE_TITLES.get(name)
        hide = menu.addAction(f"Hide the {title} lane" if title else "This lane cannot be hidden",
                              lambda: self.set_lane_visible(name, False))
        hide.setEnabled(title is not None)
        menu.addAction("Move up", lambda: self.move(name, -1))
        menu.addAction("Move down", lambda: self.move(name, +1))
        menu.addAction("Taller", lambda: self.resize(name, HEIGHT_STEP))
        menu.addAction("Shorter", lambda: self.resize(name, 1 / HEIGHT_STEP))
        menu.addSeparator()
        menu.addAction("Show all lanes", self.show_all)
        menu.addAction("Reset the lane layout", self.reset)
        return menu

    def set_spectrogram(self, **changes) -> None:
        """Change the spectrogram settings (fields of
        :class:`~gui.settings.SpectrogramSettings`), remember them, redraw both lanes."""
        settings = replace(self._settings.spectrogram, **changes)
        self._settings.spectrogram = settings
        self._timeline.spectrograms.set_settings(settings)

    def _add_spectrogram_entries(self, menu: QMenu) -> None:
        """:data:`SPECTROGRAM_CHOICES` as submenus of ``menu``, the current ones checked."""
        current = self._settings.spectrogram
        for title, field, choices in SPECTROGRAM_CHOICES:
            sub = menu.addMenu(title)
            group = QActionGroup(sub)
            for text, value in choices:
                action = sub.addAction(text)
                action.setCheckable(True)
                action.setChecked(getattr(current, field) == value)
                group.addAction(action)
                action.triggered.connect(
                    lambda _on=False, f=field, v=value: self.set_spectrogram(**{f: v}))

    def _on_lane_toggled(self, name: str, on: bool) -> None:
        hidden = {n for n, a in self.actions.items() if not a.isChecked()}
        self._settings.hidden_lanes = hidden
        self._timeline.arrange_lanes(hidden=hidden)

    def _on_lane_menu_requested(self, name: str, where: QPointF, t: float = -1.0) -> None:
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        self.context_menu = self.lane_menu(name, t)
        self.context_menu.popup(QPoint(int(where.x()), int(where.y())))
