"""Can a real window be shown here?  ``display_available() -> (bool, reason)``.

``make demo`` opens the window on the demo results only when this says yes, so a
fresh machine without a desktop (CI, ssh, a container) stays headless and exits.
A display counts when ``WAYLAND_DISPLAY`` or ``DISPLAY`` is set *and* Qt can connect
to it: a stale ``DISPLAY`` (an ssh session without X forwarding, a stopped Xvfb)
would otherwise make Qt abort.  The connection is tried in a child process, because
a failing Qt platform plugin aborts the process it runs in.

``python -m gui.display`` prints the reason and exits 0 (a display) or 1 (none).
No Qt is imported in this process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Mapping

__all__ = ["display_available", "probe_qt", "HEADLESS_PLATFORMS"]

#: QT_QPA_PLATFORM values that never show a window.
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "vnc", "eglfs"})

_PROBE = ("import sys\n"
          "from PySide6.QtGui import QGuiApplication\n"
          "app = QGuiApplication(sys.argv[:1])\n"
          "print(app.platformName())\n")


def probe_qt(environ: Mapping[str, str], timeout: float = 20.0) -> tuple[bool, str]:
    """Start a QGuiApplication in a child process with ``environ``; (ok, what it said)."""
    try:
        done = subprocess.run([sys.executable, "-c", _PROBE], env=dict(environ),
                              capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"Qt could not be started ({exc})"
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        return False, said[0] if said else f"Qt exited with status {done.returncode}"
    return True, done.stdout.strip()


def display_available(environ: Mapping[str, str] | None = None, *,
                      probe: Callable[[Mapping[str, str]], tuple[bool, str]] = probe_qt
                      ) -> tuple[bool, str]:
    """Whether a window would appear on a screen, and why (or why not).

    Parameters
    ----------
    environ : mapping, optional
        The environment to judge (default ``os.environ``).  ``QT_QPA_PLATFORM`` set to
        a headless platform (``offscreen`` ...) means no; ``WAYLAND_DISPLAY`` needs its
        socket, ``DISPLAY`` a server that answers.
    probe : callable
        ``probe(environ) -> (ok, detail)``: tries Qt for real (tests replace it).
    """
    env = dict(os.environ if environ is None else environ)
    platform = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if platform in HEADLESS_PLATFORMS:
        return False, f"QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']} asks for no window"
    wayland = env.get("WAYLAND_DISPLAY", "")
    if wayland and not _wayland_socket(wayland, env).exists():
        wayland = ""  # a leftover variable without a compositor behind it
    if not wayland and not env.get("DISPLAY"):
        return False, "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    ok, detail = probe(env)
    where = f"WAYLAND_DISPLAY={wayland}" if wayland else f"DISPLAY={env['DISPLAY']}"
    if not ok:
        return False, f"{where} is set but Qt cannot open a window there: {detail}"
    return True, f"{where} (Qt platform {detail or 'default'})"


def _wayland_socket(name: str, env: Mapping[str, str]) -> Path:
    path = Path(name)
    return path if path.is_absolute() else Path(env.get("XDG_RUNTIME_DIR", "/nonexistent")) / name


if __name__ == "__main__":  # python -m gui.display
    available, reason = display_available()
    print(reason)
    sys.exit(0 if available else 1)
