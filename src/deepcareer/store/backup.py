"""Online backups of the progress database, often enough that the newest is never a day
behind the log.

A backup is due when the newest one is older than ``BACKUP_EVERY`` and the log has been
written since. The check runs on every ``open_store`` (the web app opens one per request,
so a server left running for days backs up too) and after writes of a long-lived store
(``check --watch``), so it must be cheap: the ``backups`` folder's modification time is
set to the time of the last backup (or of the last look that found nothing new to back
up), and the usual answer ("not due") costs one ``stat`` of the folder. Only past
``BACKUP_EVERY`` is the folder listed and the database's time compared with the newest
backup's. A write is thus in a backup at most about ``BACKUP_EVERY`` later, as soon as
any deepcareer opens the home.

A backup is SQLite's online backup (a consistent snapshot while others keep writing) into a
uniquely named temp file, checked with ``PRAGMA quick_check`` before it is renamed in, so a
damaged database never pushes a good backup out.

Kept: the newest ``RECENT_KEPT`` (about a day at one per four hours, for "what I did this
morning") plus the newest of each of the ``DAYS_KEPT`` latest days (a week, for damage
noticed late). Keeping only seven at one per four hours would cover barely a day. At most
13 files; a learner's database is a few megabytes.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

BACKUPS = "backups"
BACKUP_EVERY = timedelta(hours=4)
RECENT_KEPT = 6
DAYS_KEPT = 7
_NAME = re.compile(r"^progress-(\d{4}-\d{2}-\d{2})(?:T(\d{6})Z)?\.db$")
_STALE_TMP_S = 3600  # a temp file this old was left by a killed process


@dataclass(frozen=True)
class Backup:
    path: Path
    time: datetime  # from the name (UTC)

    @property
    def label(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} UTC"


def backup_time(path: Path) -> datetime | None:
    """The time in a backup's name (``progress-2026-05-01T100000Z.db``, or the daily
    ``progress-2026-05-01.db`` of earlier versions); None for any other file."""
    m = _NAME.match(path.name)
    if not m:
        return None
    stamp = m.group(1) + (m.group(2) or "000000")
    try:
        return datetime.strptime(stamp, "%Y-%m-%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def backups(folder: Path) -> list[Backup]:
    """The backups in ``folder``, oldest first."""
    try:
        names = list(folder.iterdir())
    except OSError:
        return []
    found = [Backup(p, t) for p in names if (t := backup_time(p)) is not None]
    return sorted(found, key=lambda b: (b.time, b.path.name))


def newest_backup(db: Path) -> Backup | None:
    found = backups(db.parent / BACKUPS)
    return found[-1] if found else None


def backup_if_due(db: Path, now: datetime, *, every: timedelta = BACKUP_EVERY) -> Path | None:
    """Back up ``db`` if the newest backup is older than ``every`` and the log has grown
    since; returns the new backup or None. Never raises for a reason the learner cannot
    act on: the caller suppresses OSError and sqlite3.Error."""
    folder = db.parent / BACKUPS
    try:
        last = datetime.fromtimestamp(folder.stat().st_mtime, UTC)
    except FileNotFoundError:
        last = None
    if last is not None and timedelta(0) <= now - last < every:
        return None  # the common case: one stat
    newest = newest_backup(db)
    if newest is not None and not _written_since(db, newest.path):
        # Nothing new to keep: look again in ``every`` (a write in between is backed up
        # at most ``every`` later), so an idle log is not re-examined on every call.
        stamp = now.timestamp()
        os.utime(folder, (stamp, stamp))
        return None
    return make_backup(db, now)


def _written_since(db: Path, backup: Path) -> bool:
    """Whether the database (or its WAL) changed after the backup's snapshot began
    (``make_backup`` dates the file to that moment)."""
    try:
        taken = backup.stat().st_mtime_ns
    except OSError:
        return True
    changed = 0
    for path in (db, db.with_name(db.name + "-wal")):
        with contextlib.suppress(OSError):
            changed = max(changed, path.stat().st_mtime_ns)
    return changed > taken


def make_backup(db: Path, now: datetime) -> Path | None:
    """One backup now, unless another process is making one (then None)."""
    if not db.exists():
        return None
    folder = db.parent / BACKUPS
    folder.mkdir(exist_ok=True)
    with _exclusive(folder / ".lock") as got:
        if not got:
            return None
        target = folder / f"progress-{now.astimezone(UTC):%Y-%m-%dT%H%M%SZ}.db"
        if target.exists():
            return None
        fd, name = tempfile.mkstemp(dir=folder, prefix=".progress-", suffix=".tmp")
        os.close(fd)
        tmp = Path(name)
        try:
            started = time.time_ns()
            if not _snapshot(db, tmp):
                return None
            os.utime(tmp, ns=(started, started))
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        prune(folder)
        stamp = now.timestamp()
        os.utime(folder, (stamp, stamp))  # "newest backup at" for the one-stat check
        return target


def _snapshot(db: Path, tmp: Path) -> bool:
    """Copy a consistent snapshot of ``db`` into ``tmp``; False if the copy fails its
    quick check (the database is damaged: keep the older backups as they are)."""
    src = sqlite3.connect(db, timeout=10)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            ok = dst.execute("PRAGMA quick_check").fetchone()
        finally:
            dst.close()
    finally:
        src.close()
    return bool(ok) and ok[0] == "ok"


def prune(folder: Path) -> list[Path]:
    """Delete backups beyond the newest ``RECENT_KEPT`` and the newest of each of the
    ``DAYS_KEPT`` latest days; also temp files left by killed processes."""
    found = backups(folder)
    keep = {b.path for b in found[-RECENT_KEPT:]}
    days: dict[str, Path] = {}
    for b in found:
        days[f"{b.time:%Y-%m-%d}"] = b.path  # oldest first: the newest of a day wins
    keep |= {days[d] for d in sorted(days)[-DAYS_KEPT:]}
    gone = [b.path for b in found if b.path not in keep]
    for path in gone:
        path.unlink(missing_ok=True)
    now = time.time()
    for tmp in folder.glob(".progress-*.tmp"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > _STALE_TMP_S:
                tmp.unlink()
    return gone


@contextmanager
def _exclusive(lock: Path) -> Iterator[bool]:
    """A non-blocking inter-process lock (``flock``); yields whether it was taken. Where
    ``fcntl`` is missing, yields True: unique temp names keep it safe, at worst two
    backups are made at once."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield True
        return
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
