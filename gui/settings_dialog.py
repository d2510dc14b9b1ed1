"""Preferences: descriptor model, vocal suppression, render variants, export folder,
audio output device, and how the spectrograms look (window, scale, floor, gain, colours)."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QSpinBox,
                               QWidget)

from core.app.spectrogram import SCALES, WINDOWS
from gui.settings import (COLOUR_MAPS, FLOOR_RANGE, GAIN_RANGE, AppSettings,
                          SpectrogramSettings)

__all__ = ["SettingsDialog", "output_devices"]

logger = logging.getLogger(__name__)

#: The vocal suppression choices: text, stored mode (gui.settings.VOCAL_SUPPRESSION_MODES).
_VOCAL_CHOICES = (("Automatic (when the track has vocals)", "auto"),
                  ("Always", "always"), ("Never", "never"))


def output_devices() -> list[str]:
    """Names of the audio output devices PortAudio sees ([] without PortAudio)."""
    try:
        import sounddevice as sd

        return [d["name"] for d in sd.query_devices() if d["max_output_channels"] > 0]
    except Exception:  # no PortAudio or no host API: the default is all we can offer
        logger.debug("cannot list audio devices", exc_info=True)
        return []


def _with_button(field: QWidget, text: str, slot) -> QWidget:
    """``field`` stretched, with a push button after it, as one form row."""
    button = QPushButton(text)
    button.clicked.connect(slot)
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field, 1)
    layout.addWidget(button)
    return row


def _combo(choices, current, tip: str) -> QComboBox:
    """A combo box of ``(text, value)`` choices showing ``current``."""
    box = QComboBox()
    for text, value in choices:
        box.addItem(text, value)
    box.setCurrentIndex(max(box.findData(current), 0))
    box.setToolTip(tip)
    return box


def _db_spin(span: tuple[float, float], value: float, step: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(int(span[0]), int(span[1]))
    box.setSingleStep(step)
    box.setSuffix(" dB")
    box.setValue(round(value))
    box.setToolTip(tip)
    return box


class SettingsDialog(QDialog):
    """Edits an :class:`AppSettings`; :meth:`apply` writes them back.  GUI thread only."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None, *,
                 devices: list[str] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Twintrack preferences")
        self._settings = settings
        self.model = QComboBox()
        self.model.addItem("Shipped default model", "default")
        self.model.addItem("None (no descriptor labels)", "none")
        if settings.model not in ("default", "none"):
            self.model.addItem(settings.model, settings.model)
        self.model.setCurrentIndex(max(self.model.findData(settings.model), 0))
        self.model.setToolTip("The descriptor classifier used for new analyses (a .skops "
                              "file from 'twintrack train'; untrusted files are refused)")
        model_row = _with_button(self.model, "Model file...", self._on_model_clicked)
        self.vocal_suppression = QComboBox()
        for text, mode in _VOCAL_CHOICES:
            self.vocal_suppression.addItem(text, mode)
        self.vocal_suppression.setCurrentIndex(
            self.vocal_suppression.findData(settings.vocal_suppression_mode))
        self.vocal_suppression.setToolTip(
            "Classify the accompaniment: REPET-SIM soft masking before the descriptor "
            "features, for songs with vocals (the classifiers learned from renders, which "
            "have none); it costs several times the analysis time and lowers agreement on "
            "instrumental music, so 'automatic' uses it only where the real-music voice "
            "tags hear vocals; tempo, key and form always use the full mix")
        self.variants = QSpinBox()
        self.variants.setRange(1, 10)
        self.variants.setValue(settings.variants)
        self.variants.setToolTip("How many render variants (different seeds and "
                                 "instrumentation) one Render makes")
        self.output_dir = QLineEdit(settings.output_dir)
        folder = _with_button(self.output_dir, "Browse...", self._on_browse_clicked)
        self.device = QComboBox()
        self.device.addItem("System default", "")
        for name in (output_devices() if devices is None else devices):
            self.device.addItem(name, name)
        current = settings.device or ""
        index = self.device.findData(current)
        if index < 0 and current:
            self.device.addItem(f"{current} (not found)", current)
            index = self.device.count() - 1
        self.device.setCurrentIndex(max(index, 0))
        form = QFormLayout(self)
        form.addRow("Descriptor model", model_row)
        form.addRow("Suppress vocals", self.vocal_suppression)
        form.addRow("Render variants", self.variants)
        form.addRow("Export folder", folder)
        form.addRow("Audio output", self.device)
        self._add_spectrogram_rows(form, settings.spectrogram)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _add_spectrogram_rows(self, form: QFormLayout, spec: SpectrogramSettings) -> None:
        self.spec_window = _combo([(f"{n} samples", n) for n in WINDOWS], spec.window,
                                  "Spectrogram window: longer sharpens frequency, blurs time")
        self.spec_scale = _combo([(n, n) for n in SCALES], spec.scale,
                                 "How the spectrogram's frequency bands are spaced")
        self.spec_floor = _db_spin(FLOOR_RANGE, spec.floor_db, 10,
                                   "Levels this far below the top colour get the bottom "
                                   "colour (the dynamic range shown)")
        self.spec_gain = _db_spin(GAIN_RANGE, spec.gain_db, 6,
                                  "Brightens (+) or darkens (-) the spectrogram: a cell this "
                                  "far under the track's loudest gets the top colour")
        self.spec_colours = _combo([(n, n) for n in COLOUR_MAPS], spec.colour_map,
                                   "The spectrogram's colour map")
        form.addRow("Spectrogram window", self.spec_window)
        form.addRow("Frequency scale", self.spec_scale)
        form.addRow("Spectrogram floor", self.spec_floor)
        form.addRow("Spectrogram gain", self.spec_gain)
        form.addRow("Colour map", self.spec_colours)

    def _on_model_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Descriptor model", "",
                                              "Twintrack models (*.skops)")
        if path:
            self.set_model_file(path)

    def set_model_file(self, path: str) -> None:
        """Choose a model file (checked when the next analysis loads it)."""
        index = self.model.findData(path)
        if index < 0:
            self.model.addItem(path, path)
            index = self.model.count() - 1
        self.model.setCurrentIndex(index)

    def _on_browse_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Export folder", self.output_dir.text())
        if path:
            self.output_dir.setText(path)

    def apply(self) -> bool:
        """Write the values back; True if the audio device changed."""
        s = self._settings
        s.model = self.model.currentData() or "default"
        s.vocal_suppression_mode = self.vocal_suppression.currentData()
        s.variants = self.variants.value()
        s.output_dir = self.output_dir.text().strip() or s.output_dir
        device = self.device.currentData() or None
        changed = device != s.device
        s.device = device
        s.spectrogram = SpectrogramSettings.checked(
            window=self.spec_window.currentData(), scale=self.spec_scale.currentData(),
            floor_db=self.spec_floor.value(), gain_db=self.spec_gain.value(),
            colour_map=self.spec_colours.currentData())
        s.sync()
        return changed


if __name__ == "__main__":  # preview: python -m gui.settings_dialog
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    dialog = SettingsDialog(AppSettings())
    if dialog.exec():
        dialog.apply()
