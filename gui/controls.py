"""The transport's controls: its buttons and labels, and how their on/off states look.

Built here so that :mod:`gui.transport` holds only behaviour.  A mode (A / B / A+B)
or Loop that is on is filled with its lane's colour in white bold text; one that is off
is a plain button: told apart at a glance, also in greyscale, not by a shade of grey.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QHBoxLayout, QLabel, QPushButton, QSizePolicy,
                               QWidget)

__all__ = ["Controls", "build_controls", "TOGGLE_COLOURS"]

#: Fill of a toggle that is on: the A and B lanes' waveform colours, both, the loop's.
TOGGLE_COLOURS = {"A": "#2b4c7e", "B": "#7e2b5a", "AB": "#4f3a6e", "loop": "#2e6b30",
                  "level": "#6b5a2e"}

_TOGGLE_STYLE = """
QPushButton {{ padding: 3px 10px; }}
QPushButton:checked {{
    background: {fill}; color: white; font-weight: bold;
    border: 1px solid #111; border-radius: 3px;
}}
QPushButton:checked:disabled {{ background: #9a9a9a; color: #eee; }}
"""


@dataclass
class Controls:
    """The widgets of one transport row (created by :func:`build_controls`)."""

    play_button: QPushButton
    stop_button: QPushButton
    mode_buttons: dict[str, QPushButton]
    modes: QButtonGroup
    level_button: QPushButton
    loop_button: QPushButton
    position_label: QLabel
    status_label: QLabel


def _button(text: str, tip: str, *, toggle: str | None = None) -> QPushButton:
    b = QPushButton(text)
    b.setToolTip(tip)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space must reach the shortcut, not a button
    if toggle is not None:
        b.setCheckable(True)
        b.setStyleSheet(_TOGGLE_STYLE.format(fill=TOGGLE_COLOURS[toggle]))
    return b


def build_controls(row: QWidget) -> Controls:
    """The buttons, the position and the status line, laid out in ``row``.  GUI thread."""
    modes = {m: _button(text, tip, toggle=m)
             for m, text, tip in (("A", "A", "Listen to the original"),
                                  ("B", "B", "Listen to the render"),
                                  ("AB", "A+B", "Listen to both at once"))}
    group = QButtonGroup(row)
    for button in modes.values():
        group.addButton(button)
    modes["A"].setChecked(True)
    c = Controls(_button("Play", "Play or pause (Space)"), _button("Stop", "Stop and rewind"),
                 modes, group, _button("Level-matched", "", toggle="level"),
                 _button("Loop", "Loop the selected segment (L)", toggle="loop"),
                 QLabel("0:00.0 / 0:00.0"), QLabel(""))
    c.level_button.setChecked(True)  # fair A/B by default (issue 14)
    c.position_label.setMinimumWidth(130)
    c.position_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    c.status_label.setObjectName("playbackStatus")
    c.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(6, 2, 6, 2)
    layout.addWidget(c.play_button)
    layout.addWidget(c.stop_button)
    layout.addSpacing(12)
    for w in modes.values():
        layout.addWidget(w)
    layout.addWidget(c.level_button)
    layout.addSpacing(12)
    layout.addWidget(c.loop_button)
    layout.addWidget(c.position_label)
    layout.addWidget(c.status_label, 1)
    return c
