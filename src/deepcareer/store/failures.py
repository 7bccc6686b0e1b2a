"""What went wrong with the progress database, told apart, each with its own advice.

Only a file SQLite itself calls damaged (``SQLITE_CORRUPT``, ``SQLITE_NOTADB``), a file that
is not SQLite, and an empty ``progress.db`` in a home that was set up are "damaged": only
those are copied aside, and only then is a backup mentioned. Everything else leaves the
file alone: a busy database (other writers), a read-only file or folder, a full disk, an
I/O error and a mistake in deepcareer's own SQL each say what happened and that nothing was
lost. Calling all of these "damaged" used to send learners to a backup that held none of
the day's attempts.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from deepcareer.errors import (
    StoreBugError,
    StoreBusyError,
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreIOError,
    StoreReadOnlyError,
)

# SQLite's primary result codes (the low byte of an extended code).
SQLITE_ERROR = 1
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_CONSTRAINT = 19
SQLITE_MISMATCH = 20
SQLITE_MISUSE = 21
SQLITE_AUTH = 23
SQLITE_RANGE = 25
SQLITE_NOTADB = 26

_BUG_CODES = {SQLITE_ERROR, SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_MISUSE, SQLITE_RANGE}


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of an error (``sqlite_errorcode``, Python 3.11), or
    None for errors the ``sqlite3`` module raises itself (a closed connection...)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_busy(exc: BaseException) -> bool:
    """Another connection holds a lock: waiting and trying again may succeed."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    code = sqlite_code(exc)
    if code is not None:
        return code in (SQLITE_BUSY, SQLITE_LOCKED)
    text = str(exc)
    return "database is locked" in text or "database is busy" in text


def classify(path: Path, exc: BaseException, *, waited_s: float | None = None) -> StoreError:
    """The StoreError for ``exc`` raised while using the database at ``path``. Only a
    damaged file is copied aside (by ``damaged``)."""
    if isinstance(exc, StoreError):
        return exc
    detail = str(exc) or type(exc).__name__
    name = getattr(exc, "sqlite_errorname", None)
    if name and name not in ("SQLITE_ERROR", "SQLITE_BUSY", "SQLITE_CORRUPT"):
        detail = f"{detail}, {name}"  # the extended code says which step failed
    if isinstance(exc, sqlite3.Error):
        code = sqlite_code(exc)
        if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
            return damaged(path, detail)
        if is_busy(exc):
            return busy(path, detail, waited_s)
        if code in (SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH):
            return read_only(path, detail)
        if code == SQLITE_CANTOPEN:
            return read_only(path, detail) if not _writable(path) else cannot_open(path, detail)
        if code == SQLITE_FULL:
            return full(path, detail)
        if code == SQLITE_IOERR:
            return io_error(path, detail)
        if (isinstance(exc, sqlite3.ProgrammingError | sqlite3.IntegrityError
                       | sqlite3.InterfaceError) or code in _BUG_CODES):
            return bug(path, exc)
        return StoreError(f"The progress database {path} could not be used ({detail}). "
                          "Nothing was changed or reset.")
    if isinstance(exc, OSError):
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return read_only(path, detail)
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return full(path, detail)
        return io_error(path, detail)
    return bug(path, exc)


def busy(path: Path, detail: str, waited_s: float | None = None) -> StoreBusyError:
    waited = f" for {waited_s:.0f} s" if waited_s and waited_s >= 1 else ""
    return StoreBusyError(
        f"The progress database {path} stayed locked by another program{waited} ({detail}): "
        "another deepcareer (a check, the web app) or a file-sync tool holding it. "
        "Nothing was lost or changed; try again. If it keeps happening, close other "
        "deepcareer windows and any tool syncing the home folder.")


def read_only(path: Path, detail: str) -> StoreReadOnlyError:
    return StoreReadOnlyError(
        f"deepcareer cannot write to the progress database {path} ({detail}). The file or "
        f"its folder {path.parent} is read-only for you (permissions, or a read-only disk); "
        "SQLite also needs to create files next to it. Nothing was changed. Make both "
        f"writable (e.g. `ls -l '{path.parent}'` to see the owner), or use another home "
        "with --home.")


def cannot_open(path: Path, detail: str) -> StoreError:
    return StoreError(
        f"The progress database {path} could not be opened ({detail}). Check that its "
        "folder exists and is on a mounted disk. Nothing was changed or reset.")


def full(path: Path, detail: str) -> StoreFullError:
    return StoreFullError(
        f"The disk holding {path} is full ({detail}). The last change was not saved; "
        "everything saved before it is safe. Free some space and try again.")


def io_error(path: Path, detail: str) -> StoreIOError:
    return StoreIOError(
        f"The operating system reported an input/output error on {path} ({detail}). This "
        "usually means a failing disk or a network folder that went away; the file itself "
        "was not changed or reset. Copy the whole home folder somewhere safe, then run "
        f"`deepcareer doctor --home '{path.parent}'` to check it.")


def bug(path: Path, exc: BaseException) -> StoreBugError:
    return StoreBugError(
        f"The progress database {path} refused a statement ({type(exc).__name__}: {exc}): "
        "this is a bug in deepcareer; your data is unchanged (a write is rolled back whole). "
        "Please report it with the command you ran.")


def damaged(path: Path, detail: str) -> StoreCorruptError:
    """Keep a copy of the damaged file and say how to get the most progress back: what the
    newest backup holds against what the damaged file still yields, and ``doctor``."""
    kept = keep_copy(path)
    kept_text = (f"A copy of the damaged file is kept at {kept}." if kept
                 else "The damaged file was left where it is.")
    from deepcareer.store import doctor

    home = path.parent
    yields = doctor.readable_count(path, "attempts")
    newest = doctor.newest_backup_summary(path)
    from deepcareer.words import plural

    still = (f"The damaged file still yields {plural(yields, 'attempt')}" if yields is not None
             else "Nothing can be read from the damaged file")
    if newest is not None:
        held = newest["counts"].get("attempts")
        count = "an unknown number of attempts" if held is None else plural(held, "attempt")
        compare = (f"{still}; the newest backup ({newest['name']}, {newest['label']}) holds "
                   f"{count}.")
    else:
        compare = f"{still}; there is no automatic backup yet."
    return StoreCorruptError(
        f"The progress database {path} is damaged ({detail}). Nothing was reset. "
        f"{kept_text}\n{compare}\n"
        f"Run `deepcareer doctor --home '{home}'` to see what can be recovered (it combines "
        "what the damaged file still yields with the newest backup), then `deepcareer doctor "
        f"--apply --home '{home}'` to put the recovered database in place (the damaged file "
        "is kept). If you exported your progress, `deepcareer import FILE` adds it back too.")


def keep_copy(path: Path) -> Path | None:
    """Copy the damaged file (and its WAL, which holds the newest writes) aside once: an
    identical copy from an earlier run (same size and time) is reused, not duplicated."""
    try:
        st = path.stat()
    except OSError:
        return None
    for old in sorted(path.parent.glob(f"{path.name}.corrupt-*")):
        if old.name.endswith("-wal"):
            continue
        try:
            ost = old.stat()
        except OSError:
            continue
        if (ost.st_size, ost.st_mtime_ns) == (st.st_size, st.st_mtime_ns):
            return old
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    copy = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        copy_file(path, copy)
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size:
            copy_file(wal, copy.with_name(copy.name + "-wal"))
    except OSError:
        return None
    return copy


def copy_file(src: Path, dst: Path) -> None:
    """Copy a database file (or its WAL) byte for byte, from a child process on POSIX.

    Opening and closing a descriptor of the database here would drop every SQLite lock
    this process holds on it (POSIX locks belong to the process, not the descriptor), and
    in the web app other threads' connections may be open (see ``db._check_file``).
    """
    if os.name != "posix":  # pragma: no cover - Windows locks are per handle
        shutil.copy2(src, dst)
        return
    done = subprocess.run([sys.executable, "-I", "-S", "-c",
                           "import shutil, sys; shutil.copy2(sys.argv[1], sys.argv[2])",
                           str(src), str(dst)], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise OSError(f"cannot copy {src} to {dst}: {done.stderr.strip()[-300:]}")


def _writable(path: Path) -> bool:
    target = path if path.exists() else path.parent
    return os.access(target, os.W_OK) and os.access(path.parent, os.W_OK)
