"""numba's on-disk cache of compiled kernels, built by one process at a time.

librosa compiles its numba kernels on first use (15-35 s); numba can keep the compiled
code on disk (``NUMBA_CACHE_DIR``) so that later processes load it in about 2 s.  But
numba's cache is not safe when two processes compile the same functions into it at once:
on a fresh machine, two analyses (or the GUI's two warm workers) started together leave
a cache that makes every later process die with a segmentation fault.

So the shared cache is only ever *read* by ordinary processes, and only once complete:

* the shared cache lives in ``<cache>/numba/<fingerprint>/`` (the fingerprint names the
  Python, numba, librosa and numpy versions, so an upgrade builds a new one);
* it is built by :func:`prepare`, under an exclusive file lock, in a child process that
  compiles into a fresh staging folder, checked by a second child that loads and runs
  every kernel from it; only then is the folder renamed into place (one atomic step), so
  a reader never sees a half-built cache.  Processes that want it meanwhile wait on the
  lock, then read the finished cache;
* a process that starts before the cache exists compiles into a private folder of its
  own (:func:`configure`, called when :mod:`core` is imported);
* :func:`invalidate` moves a cache that proved bad (a worker killed by a signal) aside,
  and the next :func:`prepare` builds it again; :func:`prepare` with ``verify=True``
  (``twintrack warmup``) checks an existing cache the same way first.

numba reads ``NUMBA_CACHE_DIR`` once, when it is imported: both functions only change
where the current process looks while numba is not imported yet, and always set it for
the child processes started afterwards.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterator

__all__ = ["cache_root", "shared_cache", "is_ready", "configure", "prepare", "invalidate",
           "fingerprint", "JitCacheError", "BUILDING"]

logger = logging.getLogger(__name__)

ENV = "NUMBA_CACHE_DIR"
#: Set in the environment of the child that builds (and the one that checks) a cache.
BUILDING = "TWINTRACK_JIT_BUILD"
_COMPLETE = ".complete"
_LOCK = ".lock"
#: How long a process waits for another one's build before compiling privately.
WAIT_SECONDS = 900.0


class JitCacheError(Exception):
    """Building or checking the shared cache failed (the message says how)."""


def cache_root() -> Path:
    """Twintrack's persistent, writable cache folder.

    ``$TWINTRACK_CACHE``, else ``$XDG_CACHE_HOME/twintrack``, else ``~/.cache/twintrack``;
    a temporary folder only if none of those can be created.
    """
    env = os.environ.get("TWINTRACK_CACHE")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME") or
                                      Path.home() / ".cache") / "twintrack"
    try:
        base.mkdir(parents=True, exist_ok=True)
        (base / ".writable").touch()
        return base
    except OSError:
        fallback = Path(tempfile.gettempdir()) / f"twintrack-cache-{os.getuid()}"
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "none"


def fingerprint() -> str:
    """What the compiled code depends on: interpreter, machine and the kernels' packages."""
    parts = [sys.version, platform.machine(), sys.prefix,
             *(f"{d}={_version(d)}" for d in ("numba", "llvmlite", "librosa", "numpy"))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def shared_cache() -> Path:
    """The folder of the shared cache for this environment (it may not exist yet)."""
    return cache_root() / "numba" / fingerprint()


def is_ready() -> bool:
    """True when the shared cache is complete: analyses start in seconds, not half a minute."""
    return (shared_cache() / _COMPLETE).is_file()


def _numba_loaded() -> bool:
    return "numba" in sys.modules


def _point_at(folder: Path) -> None:
    if _numba_loaded() and os.environ.get(ENV) != str(folder):
        # Too late for this process (numba has read its setting); children still follow.
        logger.debug("numba already imported; %s applies to child processes only", folder)
    os.environ[ENV] = str(folder)


_external = False  # NUMBA_CACHE_DIR was set by the user: prepare() leaves it alone
_PRIVATE = "TWINTRACK_JIT_PRIVATE"  # names the private folder NUMBA_CACHE_DIR points at
_private: tuple[int, Path] | None = None  # (pid, folder): a forked child needs its own


def _private_cache() -> Path:
    """A folder of this process's own, removed at exit."""
    global _private
    if _private is None or _private[0] != os.getpid():
        folder = Path(tempfile.mkdtemp(prefix="twintrack-numba-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _private = (os.getpid(), folder)
    return _private[1]


def configure() -> None:
    """Point numba at the shared cache if it is complete, else at a private folder.

    A ``NUMBA_CACHE_DIR`` that the user (or a parent process that prepared the shared
    cache) set is left alone; a private folder inherited from another process is
    replaced, since two processes must never compile into one folder.  Cheap: call it
    at the start of every process that may compile (:mod:`core` does on import, pool
    workers again after a fork).
    """
    global _external
    current = os.environ.get(ENV)
    if current and os.environ.get(_PRIVATE) != current:
        # the user's folder, or the shared cache a parent process prepared
        _external = Path(current) != shared_cache()
        return
    if is_ready():
        _point_at(shared_cache())
        os.environ.pop(_PRIVATE, None)
    else:
        folder = _private_cache()
        _point_at(folder)
        os.environ[_PRIVATE] = str(folder)


@contextlib.contextmanager
def _locked(path: Path, *, timeout: float,
            on_wait: Callable[[], None] | None = None) -> Iterator[bool]:
    """Hold an exclusive lock on ``path``; yields False if ``timeout`` passed first.

    ``on_wait`` is called once if the lock is held by another process."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if on_wait is not None:
                    on_wait()
                    on_wait = None
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.2)
        try:
            yield True
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _child(folder: Path, action: str) -> subprocess.CompletedProcess:
    """Run ``python -m core.app.warmup ACTION`` with numba pointed at ``folder``."""
    env = {**os.environ, ENV: str(folder), BUILDING: "1"}
    env.pop(_PRIVATE, None)
    return subprocess.run([sys.executable, "-m", "core.app.warmup", action], env=env,
                          capture_output=True, text=True, preexec_fn=_die_with_parent)


def _die_with_parent() -> None:
    """In the child, before it starts: end it if the process that waits for it is killed
    (a cancelled GUI worker), instead of compiling on for nobody (Linux only)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _failure(result: subprocess.CompletedProcess) -> str:
    how = (f"killed by signal {-result.returncode}" if result.returncode < 0
           else f"exit status {result.returncode}")
    tail = (result.stderr or "").strip().splitlines()[-3:]
    return how + (": " + " | ".join(tail) if tail else "")


def _move_aside(folder: Path) -> None:
    if folder.exists():
        aside = folder.with_name(f"{folder.name}.broken-{os.getpid()}-{time.time_ns()}")
        with contextlib.suppress(OSError):
            folder.rename(aside)
            logger.warning("numba cache %s was damaged; moved aside and rebuilt", folder)
        shutil.rmtree(aside, ignore_errors=True)


def _remove_stale_staging(target: Path) -> None:
    """Staging folders of builds whose process is gone (killed mid-build); lock held."""
    for folder in target.parent.glob(f"{target.name}.building-*"):
        pid = folder.name.rsplit("-", 1)[-1]
        try:
            os.kill(int(pid), 0)
        except (ValueError, ProcessLookupError):
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # another user's process: alive


def _build(target: Path, progress: Callable[[str], None] | None) -> None:
    """Compile into a staging folder, check it in a fresh process, rename it into place."""
    staging = target.with_name(f"{target.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        if progress:
            progress("compiling the analysis kernels")
        built = _child(staging, "build")
        if built.returncode != 0:
            raise JitCacheError(f"compiling the analysis kernels failed ({_failure(built)})")
        if progress:
            progress("checking the compiled kernels")
        checked = _child(staging, "check")
        if checked.returncode != 0:
            raise JitCacheError(f"the compiled kernels do not load ({_failure(checked)})")
        (staging / _COMPLETE).write_text(f"built by pid {os.getpid()} at {time.ctime()}\n")
        _move_aside(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def prepare(*, verify: bool = False, timeout: float = WAIT_SECONDS,
            progress: Callable[[str], None] | None = None) -> bool:
    """Make sure the shared cache is complete, building it if needed; point numba at it.

    Parameters
    ----------
    verify : bool
        Also check an existing cache by loading and running every kernel from it in a
        child process (about 3 s); a cache that fails is moved aside and built again.
    timeout : float
        Seconds to wait for another process's build before compiling privately.
    progress : callable, optional
        ``progress(message)`` before each slow step (only called when there is one).

    Returns
    -------
    bool
        True if this process now uses the complete shared cache; False if it compiles
        privately (the build failed or another process held the lock too long) or uses
        a ``NUMBA_CACHE_DIR`` the user set (which it leaves alone).
    """
    if os.environ.get(BUILDING) or _external:
        return False
    target = shared_cache()
    if is_ready() and not verify:
        _point_at(target)
        return True
    try:
        wait = (lambda: progress("waiting for another process to compile the analysis "
                                 "kernels")) if progress else None
        with _locked(target.parent / _LOCK, timeout=timeout, on_wait=wait) as got:
            if not got:
                logger.warning("another process is still building the numba cache; "
                               "compiling privately")
                configure()
                return False
            if is_ready() and verify:
                if progress:
                    progress("checking the compiled kernels")
                checked = _child(target, "check")
                if checked.returncode != 0:
                    logger.warning("numba cache failed its check (%s)", _failure(checked))
                    _move_aside(target)
            if not is_ready():
                _move_aside(target)  # a cache without its mark is partial or damaged
                _remove_stale_staging(target)
                _build(target, progress)
    except (OSError, JitCacheError) as exc:
        logger.warning("cannot build the shared numba cache (%s); compiling privately", exc)
        configure()
        return False
    _point_at(target)
    os.environ.pop(_PRIVATE, None)
    return True


def invalidate() -> None:
    """Move the shared cache aside (it made a process crash); the next prepare rebuilds it."""
    target = shared_cache()
    with contextlib.suppress(OSError), _locked(target.parent / _LOCK, timeout=60.0) as got:
        if got:
            _move_aside(target)
