"""Which timeline lanes show: the View -> Lanes menu and a lane's right-click menu.

:class:`LaneMenus` keeps one checkable action per lane of
:data:`gui.timeline_view.LANE_TITLES`, remembers the hidden ones in
:attr:`gui.settings.AppSettings.hidden_lanes` and tells the timeline, whose other
lanes then re-flow.  A right click on a lane offers to hide it or to show every lane.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, QPointF
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from gui.settings import AppSettings
from gui.timeline_view import LANE_TITLES, TimelineView

__all__ = ["LaneMenus"]


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
        self.context_menu: QMenu | None = None
        timeline.set_hidden_lanes(hidden)
        timeline.lane_menu_requested.connect(self._on_lane_menu_requested)

    def set_lane_visible(self, name: str, on: bool) -> None:
        """Show or hide lane ``name`` (and remember it)."""
        self.actions[name].setChecked(on)

    def show_all(self) -> None:
        for action in self.actions.values():
            action.setChecked(True)

    def lane_menu(self, name: str) -> QMenu:
        """The right-click menu of lane ``name`` (not shown)."""
        menu = QMenu(self._timeline)
        title = LANE_TITLES.get(name)
        hide = menu.addAction(f"Hide the {title} lane" if title else "This lane cannot be hidden",
                              lambda: self.set_lane_visible(name, False))
        hide.setEnabled(title is not None)
        menu.addAction("Show all lanes", self.show_all)
        return menu

    def _on_lane_toggled(self, name: str, on: bool) -> None:
        hidden = {n for n, a in self.actions.items() if not a.isChecked()}
        self._settings.hidden_lanes = hidden
        self._timeline.set_hidden_lanes(hidden)

    def _on_lane_menu_requested(self, name: str, where: QPointF) -> None:
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        self.context_menu = self.lane_menu(name)
        self.context_menu.popup(QPoint(int(where.x()), int(where.y())))
