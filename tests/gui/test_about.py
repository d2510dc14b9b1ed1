"""Issue 16, part 4: the About box (Help menu) and the app's identity (icon, desktop
file name), in a real window offscreen."""

from __future__ import annotations

import json

import pytest


def _open_about(qtbot, window):
    from gui.about import AboutDialog

    (action,) = [a for top in window.menuBar().actions() if top.menu() is not None
                 for a in top.menu().actions() if a.text() == "&About Twintrack"]
    action.trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_help_about_shows_version_and_licences_as_selectable_text(qtbot, window):
    from PySide6.QtCore import Qt

    from core import __version__
    from core.resources import resource_path

    dialog = _open_about(qtbot, window)
    text = dialog.text.toPlainText()
    assert f"Twintrack {__version__}" in text
    # the bundled tagger models: their licence and authors, from the provenance file
    prov = json.loads(resource_path("models", "musicnn.provenance.json").read_text())
    assert "musicnn 0.1.0 models" in text and "Licence: ISC" in text
    assert prov["source"]["authors"] in text
    assert "models/musicnn-msd.onnx, models/musicnn-mtt.onnx" in text
    # the demo recording: its attribution and licence, from the file beside it
    assert "Let's Go Fishin' by Karissa Hobbs" in text
    assert "demo/karissa_hobbs-lets_go_fishin.ogg" in text
    assert "CC-BY https://creativecommons.org/licenses/by/3.0/" in text
    assert "models/default.skops" in text  # Twintrack's own
    for library, licence in (("librosa", "ISC"), ("Qt 6 / PySide6", "LGPL-3.0-only"),
                             ("ONNX Runtime", "MIT"), ("scikit-learn", "BSD-3-Clause")):
        assert any(line.startswith(library) and licence in line
                   for line in text.splitlines()), library
    flags = dialog.text.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    assert dialog.text.isReadOnly()
    dialog.text.selectAll()
    assert f"Twintrack {__version__}" in dialog.text.textCursor().selectedText()


def test_about_is_reused_not_stacked(qtbot, window):
    from gui.about import AboutDialog

    first = _open_about(qtbot, window)
    first.reject()
    assert _open_about(qtbot, window) is first
    assert len(window.findChildren(AboutDialog)) == 1


def test_every_third_party_file_in_resources_has_its_licence_listed():
    """A recording or a converted model added to resources/ without a licence file
    (``NAME.license.txt`` or a provenance file) would ship uncredited."""
    from core.resources import resource_dir
    from gui.about import bundled_data

    credited = {f.strip() for item in bundled_data() for f in item["files"].split(",")}
    shipped = {str(p.relative_to(resource_dir())) for ext in ("ogg", "onnx", "wav", "flac",
                                                              "mp3", "sf2")
               for p in resource_dir().rglob(f"*.{ext}")}
    assert shipped and shipped <= credited, shipped - credited


@pytest.mark.parametrize("size", [16, 32, 48, 256, 512])
def test_the_application_has_the_icon_and_desktop_file_name(qapp, size):
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QGuiApplication

    from gui.about import identify_application

    identify_application(qapp)
    assert QGuiApplication.desktopFileName() == "twintrack"
    icon = qapp.windowIcon()
    assert QSize(size, size) in icon.availableSizes()
    image = icon.pixmap(size, size).toImage()
    assert image.width() == size and not image.isNull()
    # the top-left corner is transparent (rounded), the middle is drawn
    assert image.pixelColor(0, 0).alpha() == 0
    assert image.pixelColor(size // 2, size // 2).alpha() == 255


def test_the_committed_png_sizes_are_drawn_from_the_svg(qapp, tmp_path):
    """``python -m tools.make_icons --check``: every size is there and matches the SVG;
    and the check does notice a PNG that is not the SVG's drawing."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    from tools import make_icons

    assert make_icons.main(["--check"]) == 0
    image = make_icons.render(32)
    assert make_icons._differs(image, make_icons.png_path(32)) is None
    other = QImage(32, 32, QImage.Format.Format_ARGB32_Premultiplied)
    other.fill(Qt.GlobalColor.white)
    other.save(str(tmp_path / "white.png"))
    assert "pixels differ" in make_icons._differs(image, tmp_path / "white.png")
    assert make_icons._differs(image, tmp_path / "none.png") == "missing"
