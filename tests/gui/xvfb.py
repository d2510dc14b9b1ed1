"""A private Xvfb X server for tests that need a real window (Qt's xcb platform).

``xvfb_display()`` starts ``Xvfb`` on a free display number (``-displayfd``: the
server picks it and says which), yields ``":N"`` and always stops the server.  The
kernel kills it if this process dies (``setpriv --pdeathsig``, as ``tests/pulse.py``).
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
from typing import Iterator

from tests.pulse import stop_process

__all__ = ["missing", "xvfb_display"]


def missing() -> str | None:
    """Why an X server cannot be started here, or None when it can."""
    if shutil.which("Xvfb") is None:
        return "Xvfb is not installed (make system-deps-test installs it)"
    return None


@contextlib.contextmanager
def xvfb_display(size: str = "1600x1000x24", timeout: float = 10.0) -> Iterator[str]:
    """Run Xvfb for the ``with`` block; yields its DISPLAY value (``":N"``)."""
    read, write = os.pipe()
    args = ["Xvfb", "-displayfd", str(write), "-screen", "0", size, "-nolisten", "tcp",
            "-noreset"]
    if shutil.which("setpriv"):
        args = ["setpriv", "--pdeathsig", "KILL", "--", *args]
    server = subprocess.Popen(args, pass_fds=(write,), stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], timeout)
        number = os.read(read, 64).decode().strip() if ready else ""
        if not number:
            raise RuntimeError(f"Xvfb did not start (exit {server.poll()})")
        yield f":{number}"
    finally:
        os.close(read)
        stop_process(server)
