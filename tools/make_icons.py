"""Draw the icon's PNG sizes from ``resources/icons/twintrack.svg`` (committed results).

Run from the repository root::

    .venv/bin/python -m tools.make_icons           # rewrite resources/icons/twintrack-N.png
    .venv/bin/python -m tools.make_icons --check   # exit 1 if a PNG differs from the SVG

The desktop entry (``packaging/twintrack.desktop``) names the icon ``twintrack``;
``make install-desktop`` copies each size into ``icons/hicolor/NxN/apps`` and the SVG
into ``icons/hicolor/scalable/apps``.  Rendering uses Qt's :class:`QSvgRenderer`
on a transparent ARGB image (the offscreen platform, so no display is needed).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["SIZES", "ICON_DIR", "render", "png_path", "main"]

#: The sizes of the hicolor theme's fixed-size folders that desktops look in.
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICON_DIR = Path(__file__).resolve().parents[1] / "resources" / "icons"
SVG = ICON_DIR / "twintrack.svg"
#: --check tolerates this much per channel (another Qt version antialiases differently).
TOLERANCE = 48


def png_path(size: int) -> Path:
    """Where the PNG of ``size`` pixels is kept."""
    return ICON_DIR / f"twintrack-{size}.png"


def _app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication(sys.argv[:1])


def render(size: int, *, svg: Path = SVG):
    """The icon drawn at ``size`` x ``size`` pixels, as a QImage (ARGB32, premultiplied)."""
    _app()
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def _differs(image, path: Path) -> str | None:
    """Why the PNG at ``path`` is not ``image`` (None when it is, within TOLERANCE)."""
    from PySide6.QtGui import QImage

    if not path.is_file():
        return "missing"
    saved = QImage(str(path)).convertToFormat(image.format())
    if saved.size() != image.size():
        return f"{saved.width()}x{saved.height()} instead of {image.width()}x{image.height()}"
    worst = max(abs(a - b) for a, b in zip(bytes(saved.constBits()), bytes(image.constBits())))
    return f"pixels differ by up to {worst}" if worst > TOLERANCE else None


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) every PNG size; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m tools.make_icons", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="compare the committed PNGs with the SVG instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for size in SIZES:
        image = render(size)
        if args.check:
            why = _differs(image, png_path(size))
            if why:
                stale.append(f"{png_path(size).name}: {why}")
        elif not image.save(str(png_path(size)), "PNG"):
            print(f"cannot write {png_path(size)}", file=sys.stderr)
            return 1
    if stale:
        print("out of date with twintrack.svg (run python -m tools.make_icons):\n  "
              + "\n  ".join(stale), file=sys.stderr)
        return 1
    print(f"{'checked' if args.check else 'wrote'} {len(SIZES)} sizes in {ICON_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
