"""Preferences: render variants, export folder, audio output device."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLineEdit, QPushButton, QSpinBox, QWidget)

from gui.settings import AppSettings

__all__ = ["SettingsDialog", "output_devices"]

logger = logging.getLogger(__name__)


def output_devices() -> list[str]:
    """Names of the audio output devices PortAudio sees ([] without PortAudio)."""
    try:
        import sounddevice as sd

        return [d["name"] for d in sd.query_devices() if d["max_output_channels"] > 0]
    except Exception:  # no PortAudio or no host API: the default is all we can offer
        logger.debug("cannot list audio devices", exc_info=True)
        return []


class SettingsDialog(QDialog):
    """Edits an :class:`AppSettings`; :meth:`apply` writes them back.  GUI thread only."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None, *,
                 devices: list[str] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Twintrack preferences")
        self._settings = settings
        self.variants = QSpinBox()
        self.variants.setRange(1, 10)
        self.variants.setValue(settings.variants)
        self.variants.setToolTip("How many render variants (different seeds and "
                                 "instrumentation) one Render makes")
        self.output_dir = QLineEdit(settings.output_dir)
        browse = QPushButton("Browse...")
        browse.clicked.connect(self._on_browse_clicked)
        folder = QWidget()
        row = QHBoxLayout(folder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.output_dir, 1)
        row.addWidget(browse)
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
        form.addRow("Render variants", self.variants)
        form.addRow("Export folder", folder)
        form.addRow("Audio output", self.device)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _on_browse_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Export folder", self.output_dir.text())
        if path:
            self.output_dir.setText(path)

    def apply(self) -> bool:
        """Write the values back; True if the audio device changed."""
        s = self._settings
        s.variants = self.variants.value()
        s.output_dir = self.output_dir.text().strip() or s.output_dir
        device = self.device.currentData() or None
        changed = device != s.device
        s.device = device
        s.sync()
        return changed


if __name__ == "__main__":  # preview: python -m gui.settings_dialog
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    dialog = SettingsDialog(AppSettings())
    if dialog.exec():
        dialog.apply()
