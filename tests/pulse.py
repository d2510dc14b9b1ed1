"""A private, userspace PulseAudio server with a null sink, for real-playback tests.

``pulse_server()`` starts ``pulseaudio`` with its own ``XDG_RUNTIME_DIR``, a null sink
``virt`` as the default sink and its monitor as the default source, so PortAudio's
``"pulse"`` device plays into ``virt`` and records what plays there.  It always kills
the daemon (and its helper) on the way out, on failure too.

Three traps are handled here:

* a fresh null sink renders in 2-second blocks until a client asks for low latency,
  and keeps the timer it already armed: a new stream then stalls for ~1.8 s.  A small
  ``parec`` at 10 ms latency keeps the sink at low latency for the server's life, and
  one suspend/resume re-arms its timer at once;
* the sink's rate is pinned to 44.1 kHz and the helper records at 11025 Hz: a helper at
  8 kHz made PulseAudio move the sink to 48 kHz, and every 44.1 kHz stream was then
  resampled twice (low-passed from ~15 kHz, with a fractional delay);
* PortAudio lists devices when it is initialised; if ``sounddevice`` was imported
  before the server ran, it is re-initialised so that "pulse" can be opened.

The server and its helper run as children of this process, not as daemons, with the
kernel told to kill them if this process dies (``PR_SET_PDEATHSIG``, through
``setpriv``): a crash or a ``kill -9`` of the test run cannot leave them behind.
(The signal follows the thread that started them: start the server from the main
thread.)  ``--exit-idle-time`` is a second line of defence.

Used by ``tests/test_playback.py`` (fixture ``pulse``) and ``bench/playback.py``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

SINK = "virt"
_START = ["pulseaudio", "--daemonize=no", "--exit-idle-time=5", "--system=false", "-n",
          "--disallow-exit", "--use-pid-file=no",
          f"--load=module-null-sink sink_name={SINK} rate=44100",
          "--load=module-native-protocol-unix", "--load=module-always-sink"]


def _spawn(args: list[str], env: dict, **kwargs) -> subprocess.Popen:
    """Start a child that the kernel kills when this process dies (``setpriv`` sets
    PR_SET_PDEATHSIG, so no Python code runs between fork and exec)."""
    if shutil.which("setpriv"):
        args = ["setpriv", "--pdeathsig", "KILL", "--", *args]
    return subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, **kwargs)


def missing() -> str | None:
    """Why a server cannot be started here, or None when it can."""
    for tool in ("pulseaudio", "pactl", "parec"):  # setpriv (util-linux) is optional
        if shutil.which(tool) is None:
            return f"{tool} is not installed (make system-deps-test installs it)"
    return None


def _pactl(*args: str, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["pactl", *args], env=env, capture_output=True, text=True,
                          timeout=10, check=check)


def _rescan_portaudio() -> None:
    sd = sys.modules.get("sounddevice")
    if sd is not None:
        sd._terminate()
        sd._initialize()


@contextlib.contextmanager
def pulse_server(timeout: float = 10.0) -> Iterator[dict]:
    """Run a private PulseAudio server for the duration of the ``with`` block.

    Sets ``XDG_RUNTIME_DIR`` (and ``PULSE_SERVER``) in this process so libpulse (and
    PortAudio through ALSA's pulse plugin) find it; restores them afterwards.

    Yields
    ------
    dict
        ``runtime_dir``, ``server`` (the socket address) and ``pid``.
    """
    runtime = Path(tempfile.mkdtemp(prefix="twintrack-pulse-"))
    runtime.chmod(0o700)
    saved = {k: os.environ.get(k) for k in ("XDG_RUNTIME_DIR", "PULSE_SERVER")}
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime))
    env.pop("PULSE_SERVER", None)
    server = keepalive = None
    try:
        log = runtime / "pulseaudio.log"
        server = _spawn([*_START, f"--log-target=file:{log}"], env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_ready(server, log, env, timeout)
        _pactl("set-default-sink", SINK, env=env)
        _pactl("set-default-source", f"{SINK}.monitor", env=env)
        keepalive = _keep_sink_awake(runtime, env, timeout)
        address = f"unix:{runtime / 'pulse' / 'native'}"
        os.environ.update(XDG_RUNTIME_DIR=str(runtime), PULSE_SERVER=address)
        _rescan_portaudio()
        yield {"runtime_dir": str(runtime), "server": address, "pid": server.pid}
    finally:
        for process in (keepalive, server):  # the client first, then the server
            stop_process(process)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _rescan_portaudio()
        shutil.rmtree(runtime, ignore_errors=True)


def _wait_ready(server: subprocess.Popen, log: Path, env: dict, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _pactl("info", env=env, check=False).returncode != 0:
        if server.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"pulseaudio did not start (exit {server.poll()}):\n{tail}")
        time.sleep(0.05)


def _keep_sink_awake(runtime: Path, env: dict, timeout: float) -> subprocess.Popen:
    """A low-latency monitor reader keeps the null sink at low latency (see above)."""
    sink_log = runtime / "keepalive.raw"
    with open(sink_log, "wb") as out:
        keepalive = _spawn(["parec", "--raw", f"--device={SINK}.monitor", "--latency-msec=10",
                            "--rate=11025", "--channels=1", "--format=u8"],
                           env, stdout=out, stderr=subprocess.DEVNULL)
    _pactl("suspend-sink", SINK, "1", env=env)
    _pactl("suspend-sink", SINK, "0", env=env)
    deadline = time.monotonic() + timeout
    while sink_log.stat().st_size == 0:  # the first data: the sink now runs at low latency
        if time.monotonic() > deadline or keepalive.poll() is not None:
            stop_process(keepalive)
            raise RuntimeError("the null sink did not start running")
        time.sleep(0.01)
    return keepalive


def stop_process(process: subprocess.Popen | None) -> None:
    """Terminate ``process`` (kill it after 5 s); nothing if it is None or has ended."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


try:  # the fixture needs pytest; bench/playback.py uses pulse_server() without it
    import pytest
except ImportError:  # pragma: no cover
    pytest = None

if pytest is not None:
    @pytest.fixture(scope="module")
    def pulse() -> Iterator[dict]:
        """A running private PulseAudio server for one test module (skips without it)."""
        reason = missing()
        if reason:
            pytest.skip(f"real playback needs PulseAudio: {reason}")
        with pulse_server() as info:
            yield info
