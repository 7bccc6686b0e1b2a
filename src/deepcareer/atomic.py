"""Write a file so that a reader sees the old content or the new, never a mix, and no
temporary file is ever left behind.

Each writer gets its own temporary name (``tempfile.mkstemp`` in the target's folder, so
that ``os.replace`` is a rename within one file system). A fixed name such as
``softmax.py.tmp`` raced: with two web checks of one exercise at once, the first rename
moved the second writer's temp away and the second failed with ``FileNotFoundError``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_text_atomic(path: Path, text: str, *, encoding: str = "utf-8",
                      overwrite: bool = True) -> bool:
    """Write ``text`` to ``path`` atomically; see ``write_bytes_atomic``."""
    return write_bytes_atomic(path, text.encode(encoding), overwrite=overwrite)


def write_bytes_atomic(path: Path, data: bytes, *, overwrite: bool = True) -> bool:
    """Write ``data`` to ``path`` atomically (temp file, fsync, rename).

    With ``overwrite=False`` an existing file is left as it is (a hard link, which fails
    when the name exists, so two writers cannot both "create" it) and False is returned.
    The temp file is removed on every path out, an error included.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _set_mode(tmp, path)
        if overwrite:
            os.replace(tmp, path)
            written = True
        else:
            written = _link_if_absent(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()  # after a link, or when anything above failed
    _sync_folder(path.parent)
    return written


def _link_if_absent(tmp: Path, path: Path) -> bool:
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: nearly as good
        if path.exists():
            return False
        os.replace(tmp, path)
    return True


def _set_mode(tmp: Path, path: Path) -> None:
    """mkstemp makes the file private (0600); give it the mode a plain write would."""
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode)


def _umask() -> int:
    """The process umask, read without setting it (``os.umask`` would race other threads)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
