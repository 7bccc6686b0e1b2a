"""Each way the progress database can fail has its own message; only damage is "damaged".

Only a file SQLite calls damaged, a non-SQLite file, a truncated one and an empty one in a
home that was set up are copied aside and sent to ``deepcareer doctor``. A read-only file,
a lock held too long, a full disk, an I/O error and a bug in our SQL leave the file alone.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deepcareer.errors import (
    StoreBugError,
    StoreBusyError,
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreIOError,
    StoreMissingError,
    StoreReadOnlyError,
)
from deepcareer.store.db import DB_NAME, MARKER, Patience, Store, open_store
from deepcareer.store.failures import classify

QUICK = Patience(busy_s=0.05, tries=3, backoff_s=0.01)  # a retry budget of about 0.2 s


def _attempt(store: Store, **extra: object) -> int:
    return store.add_attempt(exercise_id="softmax", content_version=1, status="fail", **extra)


def _copies(home: Path) -> list[Path]:
    return sorted(p for p in home.glob(f"{DB_NAME}.corrupt-*") if not p.name.endswith("-wal"))


def _not_called_damaged(exc: StoreError, home: Path) -> None:
    assert not isinstance(exc, StoreCorruptError)
    assert "damaged" not in exc.message and "backup" not in exc.message
    assert _copies(home) == []


# --- read-only ----------------------------------------------------------------------


def test_a_read_only_connection_is_reported_as_read_only(home: Path) -> None:
    """The real SQLITE_READONLY error (from a ``mode=ro`` connection, which binds root too)
    through the same write path a check uses."""
    open_store(home).close()
    conn = sqlite3.connect(f"file:{home / DB_NAME}?mode=ro", uri=True,
                           isolation_level=None, check_same_thread=False)
    store = Store(home, conn)
    with pytest.raises(StoreReadOnlyError) as info:
        _attempt(store)
    store.close()
    assert "cannot write" in info.value.message and "Nothing was changed" in info.value.message
    _not_called_damaged(info.value, home)


def _as_another_user(action: Callable[[], object]) -> tuple[str, str]:
    """Run ``action`` in a forked child and return (exception class, message). Run as
    root, the child first becomes ``nobody``, since root ignores file permissions."""
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()

    def child() -> None:
        if os.geteuid() == 0:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
        try:
            action()
            results.put(("ok", ""))
        except BaseException as exc:
            results.put((type(exc).__name__, getattr(exc, "message", str(exc))))

    proc = ctx.Process(target=child)
    proc.start()
    found = results.get(timeout=60)
    proc.join(timeout=60)
    return found


@pytest.fixture
def open_home() -> Iterator[Path]:
    """A home another user can reach (pytest's tmp_path is private to its owner)."""
    base = Path(tempfile.mkdtemp(prefix="deepcareer-ro-"))
    os.chmod(base, 0o755)
    yield base / "home"
    for folder in (base, *base.rglob("*")):
        if folder.is_dir():
            os.chmod(folder, 0o755)
    shutil.rmtree(base)


@pytest.mark.parametrize(("file_mode", "folder_mode"), [(0o444, 0o777), (0o644, 0o555)],
                         ids=["read-only file", "read-only folder"])
def test_permissions_are_reported_as_read_only(open_home: Path, file_mode: int,
                                               folder_mode: int) -> None:
    home = open_home
    with open_store(home) as s:
        _attempt(s)
    os.chmod(home / DB_NAME, file_mode)
    os.chmod(home, folder_mode)

    def check() -> None:
        with open_store(home) as s:
            _attempt(s)

    name, message = _as_another_user(check)
    assert name == "StoreReadOnlyError", message
    assert "cannot write" in message and "damaged" not in message
    assert _copies(home) == []
    os.chmod(home, 0o755)
    with open_store(home) as s:  # the owner still has every attempt
        assert len(s.attempts()) == 1


# --- locked -------------------------------------------------------------------------


def test_a_lock_held_past_the_retry_budget_is_busy_not_damaged(home: Path) -> None:
    with open_store(home) as s:
        _attempt(s)
    blocker = sqlite3.connect(home / DB_NAME, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # held for the whole test: longer than QUICK's budget
    try:
        with open_store(home, patience=QUICK) as s:
            assert len(s.attempts()) == 1  # WAL: reading goes on while another writes
            with pytest.raises(StoreBusyError) as info:
                _attempt(s)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert "locked by another program" in info.value.message
    assert "Nothing was lost" in info.value.message
    _not_called_damaged(info.value, home)


def test_a_locking_mode_exclusive_holder_is_busy_on_open_too(home: Path) -> None:
    """A connection in exclusive locking mode blocks readers as well: open_store itself
    waits, then reports busy (the quick check is retried, never called damage)."""
    open_store(home).close()
    (home / ".integrity-checked").unlink(missing_ok=True)  # make open run the quick check
    blocker = sqlite3.connect(home / DB_NAME, isolation_level=None, check_same_thread=False)
    blocker.execute("PRAGMA locking_mode=EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    blocker.execute("INSERT INTO settings (key, value) VALUES ('x', '1')")
    blocker.execute("COMMIT")  # exclusive mode keeps the lock after the commit
    try:
        with pytest.raises(StoreBusyError) as info:
            open_store(home, patience=QUICK)
    finally:
        blocker.close()
    _not_called_damaged(info.value, home)


# --- damaged, and what is not ----------------------------------------------------------


def _real_db(home: Path, n: int = 200) -> Path:
    with open_store(home) as s:
        for i in range(n):
            _attempt(s, code=f"x = {i}\n" * 20)
    db = home / DB_NAME
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def test_a_zero_length_file_in_a_set_up_home_has_its_own_message(home: Path) -> None:
    """Emptied, not damaged: nothing to copy aside, the backup is named, nothing re-created."""
    db = _real_db(home, 3)
    db.write_bytes(b"")
    for extra in ("-wal", "-shm"):
        db.with_name(db.name + extra).unlink(missing_ok=True)
    with pytest.raises(StoreMissingError) as info:
        open_store(home)
    message = info.value.message
    assert not isinstance(info.value, StoreCorruptError) and "damaged" not in message
    assert "empty (0 bytes)" in message and "doctor" in message and "backup" in message
    assert _copies(home) == []
    assert db.stat().st_size == 0  # not silently used as a new, empty database


def test_a_zero_length_file_without_a_marker_is_a_new_database(home: Path) -> None:
    home.mkdir()
    (home / DB_NAME).write_bytes(b"")
    with open_store(home) as s:
        assert s.attempts() == []
    assert (home / MARKER).exists() and _copies(home) == []


def test_a_truncated_file_is_damaged(home: Path) -> None:
    db = _real_db(home)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreCorruptError) as info:
        open_store(home)
    assert "damaged" in info.value.message and "Nothing was reset" in info.value.message
    assert len(_copies(home)) == 1


def test_a_file_shorter_than_a_header_is_damaged(home: Path) -> None:
    db = _real_db(home, 1)
    db.write_bytes(db.read_bytes()[:10])
    with pytest.raises(StoreCorruptError, match="cut short"):
        open_store(home)


def test_a_garbage_file_is_damaged_once_copied(home: Path) -> None:
    db = _real_db(home, 1)
    db.write_bytes(b"not a database at all " * 100)
    for _ in range(3):  # the same damaged file is copied aside once, not on every command
        with pytest.raises(StoreCorruptError) as info:
            open_store(home)
    assert "not a SQLite database" in info.value.message
    assert len(_copies(home)) == 1
    assert db.read_bytes().startswith(b"not a database")  # left where it is


def test_the_damaged_message_weighs_the_backup_against_the_file(home: Path) -> None:
    db = _real_db(home, 50)  # the backup made on creation holds no attempt
    data = bytearray(db.read_bytes())
    data[5 * 4096:6 * 4096] = os.urandom(4096)  # one page of the attempts table
    db.write_bytes(bytes(data))
    with pytest.raises(StoreCorruptError) as info, open_store(home) as s:
        s.attempts()
    message = info.value.message
    assert "the newest backup (progress-" in message and "holds 0 attempts" in message
    assert "still yields" in message and "deepcareer doctor" in message
    assert "cp " not in message  # no advice that would throw the day's attempts away


def test_distinct_messages(home: Path) -> None:
    """One failure of each kind: five different messages, one class each."""
    path = home / DB_NAME
    errors = [
        classify(path, sqlite3.OperationalError("database is locked")),
        classify(path, PermissionError(errno.EACCES, "Permission denied")),
        classify(path, OSError(errno.ENOSPC, "No space left on device")),
        classify(path, OSError(errno.EIO, "Input/output error")),
        classify(path, sqlite3.ProgrammingError("Cannot operate on a closed database.")),
    ]
    kinds = [StoreBusyError, StoreReadOnlyError, StoreFullError, StoreIOError, StoreBugError]
    assert [type(e) for e in errors] == kinds
    assert len({e.message.split(" (")[0] for e in errors}) == len(errors)
    for e in errors:
        _not_called_damaged(e, home)


def test_sqlite_result_codes_decide(home: Path) -> None:
    path = home / DB_NAME

    def error(code: int, text: str) -> sqlite3.Error:
        exc = sqlite3.OperationalError(text)
        exc.sqlite_errorcode = code  # as SQLite sets it (Python 3.11)
        return exc

    assert isinstance(classify(path, error(10 | (13 << 8), "disk I/O error")), StoreIOError)
    assert isinstance(classify(path, error(13, "database or disk is full")), StoreFullError)
    assert isinstance(classify(path, error(8, "readonly")), StoreReadOnlyError)
    assert isinstance(classify(path, error(5 | (2 << 8), "database is locked")),
                      StoreBusyError)
    assert _copies(home) == []


# --- our own bugs ---------------------------------------------------------------------


@pytest.mark.parametrize("mistake", ["column", "unique", "bindings"])
def test_a_programming_error_is_our_bug_and_changes_nothing(store: Store,
                                                            mistake: str) -> None:
    _attempt(store)
    card = {"id": "exercise:softmax", "kind": "exercise", "ref": "softmax",
            "created_at": "2026-01-01T00:00:00+00:00", "due": "2026-01-02T00:00:00+00:00",
            "card": "{}"}
    with pytest.raises(StoreBugError) as info:
        if mistake == "column":
            store.read("SELECT no_such_column FROM attempts")
        elif mistake == "unique":
            with store.transaction() as conn:
                conn.execute("INSERT INTO attempts (exercise_id, content_version, created_at, "
                             "status) VALUES ('softmax', 1, 'now', 'pass')")
                for _ in range(2):
                    conn.execute("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?)",
                                 list(card.values()))
        else:
            store.read("SELECT * FROM attempts WHERE id = ?", (1, 2))
    assert "this is a bug in deepcareer; your data is unchanged" in info.value.message
    _not_called_damaged(info.value, store.home)
    assert len(store.attempts()) == 1 and store.cards() == []  # the whole write rolled back
