"""Regenerate the GUI screenshots in docs/screenshots under a private Xvfb server.

A real window (Qt's xcb platform, not offscreen) with the shipped descriptor model and
default preferences (kept in a temporary settings file, never the user's):

* ``01-empty.png``     the window before anything is dropped;
* ``02-analysed.png``  the demo track analysed: form, descriptor lanes, tempo and key;
* ``03-render-ab.png`` with its render as lane B, the spectrograms of A and B on (with
  their colour scales; the lanes' legends show too), B selected and segment C looped
  (playback through a private PulseAudio null sink);
* ``04-playback-unavailable.png`` the same with an audio output that cannot be opened:
  the app runs on and the transport says why it is disabled;
* ``05-compare.png``   Analysis > Compare original and renders on the demo and its render;
* ``06-descriptor-map.png`` Analysis > Descriptor map: the demo's path among the
  descriptors, its render beside it.

Usage: ``.venv/bin/python -m docs.make_screenshots`` (needs Xvfb and PulseAudio: make
system-deps-test).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
DEMO = ROOT / "resources" / "demo" / "karissa_hobbs-lets_go_fishin.ogg"


def _wait(app, done, timeout: float = 180.0) -> None:
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise SystemExit("timed out waiting for the window")
        app.processEvents()
        time.sleep(0.02)


def shoot(display: str, *, device: str = "pulse", only: str | None = None) -> None:
    os.environ["DISPLAY"] = display
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gui.app import create_window
    from gui.settings import AppSettings

    app = QApplication.instance() or QApplication([])
    tmp = tempfile.mkdtemp(prefix="twintrack-shots-")
    settings = AppSettings(QSettings(os.path.join(tmp, "s.ini"), QSettings.Format.IniFormat))
    settings.device = device  # "pulse": PortAudio's ALSA device for the PulseAudio server
    window = create_window(settings=settings)
    window.resize(1600, 1000)
    window.show()
    window.open_player()  # as gui.app.main does once the window is up
    _wait(app, lambda: window.isExposed() if hasattr(window, "isExposed") else True, 10)
    settle = time.monotonic() + 1.0
    _wait(app, lambda: time.monotonic() > settle)
    OUT.mkdir(parents=True, exist_ok=True)
    names = {"01": "01-empty.png", "02": "02-analysed.png", "03": "03-render-ab.png"}
    if only:
        names = {k: only for k in names}

    def save(key: str) -> None:
        if not only or key == "03":
            window.grab().save(str(OUT / names[key]))

    save("01")

    window.open_paths([str(DEMO)])
    _wait(app, lambda: window.session.current is not None
          and window.session.current.status == "analysed")
    settle = time.monotonic() + 1.5
    _wait(app, lambda: time.monotonic() > settle)
    save("02")

    doc = window.session.current
    window.session.render(doc)
    _wait(app, lambda: doc.status == "analysed" and window.timeline.has_b_lane())
    try:
        _wait(app, lambda: window.transport.play_button.isEnabled(), 30.0)
    except SystemExit:
        if not only:  # the unavailable-output shot expects this
            print("playback did not become ready: the shot shows why", file=sys.stderr)
    window.spectrogram_action.setChecked(True)
    feed = window.timeline.spectrograms
    _wait(app, lambda: not feed.busy("A") and not feed.busy("B"), 60.0)
    letters = [s.label for s in doc.analysis.segments]
    index = letters.index("C") if "C" in letters else min(1, len(letters) - 1)
    doc.select_segment(index)
    window.transport.set_mode("B")
    window.transport.set_loop_enabled(True, quiet=True)
    seg = doc.analysis.segments[index]
    window.timeline.set_playhead((seg.start + seg.end) / 2)
    settle = time.monotonic() + 1.5
    _wait(app, lambda: time.monotonic() > settle)
    save("03")
    if not only:
        _shoot_analysis_windows(app, window, seg.start)
    window.ask_before_closing = False  # its render is not to be kept
    window.close()
    app.processEvents()


def _shoot_analysis_windows(app, window, playhead: float) -> None:
    """``05-compare.png`` and ``06-descriptor-map.png``: the Analysis menu's windows."""
    for name, open_window in (("05-compare.png", window.compare.open_compare),
                              ("06-descriptor-map.png", window.compare.open_map)):
        shown = open_window()
        if name.startswith("06"):
            shown.set_playhead(playhead)
        settle = time.monotonic() + 1.5
        _wait(app, lambda: time.monotonic() > settle)
        shown.grab().save(str(OUT / name))
        shown.close()


def main() -> int:
    from tests.fixtures.pulse import missing as no_pulse, pulse_server
    from tests.fixtures.xvfb import missing, xvfb_display

    why = missing() or no_pulse()
    if why:
        print(f"skipped: {why}")
        return 0
    with pulse_server(), xvfb_display("1600x1000x24") as display:
        shoot(display)
        shoot(display, device="no such output", only="04-playback-unavailable.png")
    print(f"wrote {', '.join(sorted(p.name for p in OUT.glob('0[1-6]-*.png')))} to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
