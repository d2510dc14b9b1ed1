"""The application's identity and credits: its icon, its desktop file name, the About box.

Owns :func:`application_icon` (every PNG size of ``resources/icons`` plus the SVG),
:func:`identify_application` (the icon and ``setDesktopFileName("twintrack")``, so a
desktop matches the window to ``twintrack.desktop``), the credits text
(:func:`about_html`: the version, the licences of the bundled models and recordings,
read from the licence and provenance files beside them in ``resources/``, and those of
the main libraries) and :class:`AboutDialog`, which shows it as selectable text.
"""

from __future__ import annotations

import html
import json
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout

from core import __version__
from core.resources import resource_dir, resource_path

__all__ = ["DESKTOP_FILE_NAME", "ICON_SIZES", "LIBRARIES", "AboutDialog", "about_html",
           "application_icon", "bundled_data", "identify_application", "show_about"]

#: The desktop entry's basename (``packaging/twintrack.desktop``) and its icon's name.
DESKTOP_FILE_NAME = "twintrack"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

#: (name, distribution, licence) of the main libraries the app runs on (SPDX names).
LIBRARIES = (
    ("Python", None, "PSF-2.0"),
    ("Qt 6 / PySide6", "PySide6-Essentials", "LGPL-3.0-only"),
    ("pyqtgraph", "pyqtgraph", "MIT"),
    ("NumPy", "numpy", "BSD-3-Clause"),
    ("SciPy", "scipy", "BSD-3-Clause"),
    ("librosa", "librosa", "ISC"),
    ("numba / llvmlite", "numba", "BSD-2-Clause"),
    ("scikit-learn", "scikit-learn", "BSD-3-Clause"),
    ("skops", "skops", "MIT"),
    ("ONNX Runtime", "onnxruntime", "MIT"),
    ("soundfile / libsndfile", "soundfile", "BSD-3-Clause / LGPL-2.1-or-later"),
    ("sounddevice / PortAudio", "sounddevice", "MIT"),
    ("PyAV / FFmpeg", "av", "BSD-3-Clause / LGPL-2.1-or-later"),
    ("soxr", "soxr", "LGPL-2.1-or-later"),
    ("mir_eval", "mir_eval", "MIT"),
    ("JAMS", "jams", "ISC"),
    ("jsonschema", "jsonschema", "MIT"),
    ("pandas", "pandas", "BSD-3-Clause"),
    ("Apache Arrow (pyarrow)", "pyarrow", "Apache-2.0"),
    ("Matplotlib", "matplotlib", "Matplotlib License (PSF-based)"),
    ("mido", "mido", "MIT"),
    ("pyloudnorm", "pyloudnorm", "MIT"),
)

#: Bundled files that Twintrack made itself (its own MIT licence covers them).
_OWN = (("Descriptor dictionary", "descriptors.json"),
        ("Default descriptor model", "models/default.skops"),
        ("Timbre/tonal PCA basis", "pca/pca-v1.json"),
        ("JSON schemas", "schemas/"))


def application_icon() -> QIcon:
    """The Twintrack icon: every committed PNG size, and the SVG for other sizes."""
    icon = QIcon()
    folder = resource_dir() / "icons"
    for size in ICON_SIZES:
        png = folder / f"twintrack-{size}.png"
        if png.is_file():
            icon.addFile(str(png))
    svg = folder / "twintrack.svg"
    if svg.is_file():
        icon.addFile(str(svg))
    return icon


def identify_application(app: QGuiApplication) -> None:
    """Give ``app`` its icon and desktop file name (GUI thread, before windows show)."""
    app.setWindowIcon(application_icon())
    QGuiApplication.setDesktopFileName(DESKTOP_FILE_NAME)


def bundled_data() -> list[dict[str, str]]:
    """Third-party data shipped in ``resources/``, with its licence, from the files
    beside it: ``*.provenance.json`` (converted models) and ``*.license.txt``.

    Returns
    -------
    list of dict
        ``title``, ``files`` (resource-relative, comma-separated), ``licence`` (one
        line) and ``text`` (the full licence or attribution).
    """
    root = resource_dir()
    found = []
    for prov in sorted(root.rglob("*.provenance.json")):
        info = json.loads(prov.read_text(encoding="utf-8"))
        source = info.get("source", {})
        models = info.get("models", {}).values()
        folder = prov.parent.relative_to(root)
        found.append({
            "title": f"{source.get('package', prov.stem)} {source.get('version', '')} "
                     f"models, by {source.get('authors', 'unknown authors')}",
            "files": ", ".join(str(folder / m["file"]) for m in models if "file" in m),
            "licence": source.get("licence", "see the licence text"),
            "text": f"{source.get('reference', '')}\n\n{source.get('licence_text', '')}".strip(),
        })
    for lic in sorted(root.rglob("*.license.txt")):
        stem = lic.name[:-len(".license.txt")]
        data = sorted(p for p in lic.parent.glob(stem + ".*") if p != lic)
        text = lic.read_text(encoding="utf-8").strip()
        found.append({
            "title": text.splitlines()[0] if text else stem,
            "files": ", ".join(str(p.relative_to(root)) for p in data),
            "licence": _licence_line(text),
            "text": text,
        })
    return found


def _licence_line(text: str) -> str:
    """The licence a free-form attribution names (its ``CC-...`` line if it has one)."""
    for line in text.splitlines():
        if line.upper().startswith("CC"):
            return line.strip()
    return "see the licence text"


def _version(dist: str | None) -> str:
    if dist is None:
        import platform

        return platform.python_version()
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


def about_html() -> str:
    """The About box's text: version, bundled data and its licences, libraries."""
    e = html.escape
    parts = [f"<h2>Twintrack {e(__version__)}</h2>",
             "<p>A machine-listening workstation: analyse a track's form, tempo, key and "
             "style, render a track like it, and A/B them.  Twintrack is MIT-licensed.</p>",
             "<h3>Bundled models and recordings</h3>"]
    for item in bundled_data():
        parts.append(f"<p><b>{e(item['title'])}</b><br>Licence: {e(item['licence'])}"
                     f"<br>Files: <code>{e(item['files'])}</code></p>"
                     f"<pre style='white-space: pre-wrap'>{e(item['text'])}</pre>")
    own = ", ".join(f"{e(title)} (<code>{e(rel)}</code>)" for title, rel in _OWN
                    if resource_path(rel).exists())
    parts.append(f"<p><b>Made by Twintrack</b> (MIT): {own}.</p>")
    rows = "<br>".join(f"{e(name)} {e(_version(dist))}: {e(lic)}".replace("  ", " ")
                       for name, dist, lic in LIBRARIES)
    parts.append(f"<h3>Libraries</h3><p>{rows}</p>")
    return "\n".join(parts)


class AboutDialog(QDialog):
    """The About box: icon, and the credits as selectable text.  GUI thread only."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("About Twintrack")
        self.setWindowIcon(application_icon())
        self.resize(620, 560)
        layout = QVBoxLayout(self)
        logo = QLabel(self)
        logo.setPixmap(application_icon().pixmap(64, 64))
        logo.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(logo)
        self.text = QTextBrowser(self)  # read-only, selectable, copyable
        self.text.setOpenExternalLinks(True)
        self.text.setHtml(about_html())
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def show_about(parent) -> AboutDialog:
    """Show the About box over ``parent`` (one per window, reused); GUI thread only."""
    dialog = parent.findChild(AboutDialog)
    if dialog is None:
        dialog = AboutDialog(parent)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
