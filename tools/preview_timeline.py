"""Preview the timeline on one track, without the rest of the window.

Usage: ``python -m tools.preview_timeline [AUDIO]`` (default: the bundled demo).
"""

from __future__ import annotations

import sys


def main() -> int:
    from PySide6.QtWidgets import QApplication

    from core.app.tagging import analyze_then_tag
    from core.app.tracks import load_track
    from gui.document import Document
    from gui.timeline_view import TimelineView

    app = QApplication(sys.argv)
    path = sys.argv[1] if len(sys.argv) > 1 else "resources/demo/karissa_hobbs-lets_go_fishin.ogg"
    document = Document(path)
    document.set_loaded(load_track(path))
    document.set_analysis(analyze_then_tag(path))
    view = TimelineView()
    view.set_document(document)
    view.resize(1400, 700)
    view.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
