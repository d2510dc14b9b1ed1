"""Run ``twintrack gui TRACK --render RENDER`` until the window shows both, then report.

Usage: ``python -m tests.gui.open_window_check TRACK RENDER OUT.json [TIMEOUT]``.

Goes through the real command line (``core.cli.main``), with the platform Qt picks
(``xcb`` under Xvfb).  A timer checks the main window; once the track is analysed and
the render is its B lane it writes what it saw to OUT.json (and a screenshot next to
it) and closes the window, so the application exits the usual way.  On timeout it
writes what it saw so far and exits with status 3.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> int:
    track, render, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 120.0
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from core.cli import main as twintrack
    from gui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    seen: dict = {}

    def look() -> bool:
        window = next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow)), None)
        if window is None:
            return False
        doc = window.session.current
        handle = window.windowHandle()
        seen.update(platform=app.platformName(), visible=window.isVisible(),
                    exposed=bool(handle and handle.isExposed()), title=window.windowTitle(),
                    track=doc.path if doc else None, status=doc.status if doc else None,
                    render=bool(doc and doc.render is not None),
                    b_lane=window.timeline.has_b_lane(),
                    segments=window.timeline.segment_count())
        if doc is None or doc.status != "analysed" or doc.render is None:
            return False
        seen["render_duration"] = doc.render.render.duration
        seen["render_regions"] = len(doc.render.render.timeline.regions())
        window.timeline.finish_drawing()
        window.grab().save(str(out.with_suffix(".png")))
        out.write_text(json.dumps(seen))
        window.close()
        return True

    poll = QTimer()
    poll.setInterval(200)
    poll.timeout.connect(lambda: look() and poll.stop())
    poll.start()

    def give_up() -> None:
        out.write_text(json.dumps(dict(seen, timeout=True)))
        app.exit(3)

    QTimer.singleShot(int(timeout * 1000), give_up)
    return twintrack(["gui", track, "--render", render])


if __name__ == "__main__":
    sys.exit(main())
