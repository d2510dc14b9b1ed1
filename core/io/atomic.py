"""Atomic file writing: a reader never sees a half-written file.

Everything Twintrack writes goes through :func:`atomic_path`: the content is written
to a temporary file in the destination folder, flushed, and renamed over the target
in one step.  If writing fails, the temporary file is removed and any earlier file at
the target is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

__all__ = ["atomic_path", "atomic_write_text", "atomic_write_bytes"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` on success.

    The temporary name keeps the target's suffix so libraries that infer the format
    from the extension (soundfile, matplotlib) still do the right thing.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}",
                               dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp_path, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (``\\n`` line ends)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def read_json(path: str | os.PathLike):
    """Parse a JSON file; unreadable or malformed files raise :class:`FormatError`."""
    import json

    from core.errors import FormatError

    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path.name}: cannot read the file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise FormatError(f"{path.name}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
