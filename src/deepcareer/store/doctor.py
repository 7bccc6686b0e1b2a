"""``deepcareer doctor``: check the progress database and recover what a damaged one holds.

Recovery never loses more than the damage did. It reads what SQLite can still read of the
damaged file (on a copy, so the file itself is never touched): each table in one scan,
and where a scan fails, row by row, with the row ids taken from the parts of the table
still readable from both ends and from every index (an index holds the ids of its rows
even when the table pages holding them are gone), then every id up to the largest seen.
The rows the newest backup holds and the damaged file no longer yields are added (matched
on what identifies a row, as ``import`` does, so nothing is doubled). The result is written
to a new file at the current schema, with derived caches left to be recomputed. Only with
``apply`` is the damaged file moved aside (kept, never deleted) and the recovered one put
in its place. Python's ``sqlite3`` has no ``.recover``, and the ``sqlite3`` program may be
absent, so this is done here with plain queries: a table whose schema page is gone cannot
be read this way, and the newest backup is then all there is.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deepcareer.errors import UsageError
from deepcareer.store import backup as backups
from deepcareer.store.db import (
    DB_NAME,
    INTEGRITY_STAMP,
    MARKER,
    SQLITE_HEADER_BYTES,
    TALLY_KEY,
    home_lock,
    migrate,
    open_store,
)
from deepcareer.store.failures import (
    SQLITE_CORRUPT,
    SQLITE_NOTADB,
    classify,
    copy_file,
    sqlite_code,
)

COUNTED = ("attempts", "events", "reviews", "runs", "cards")
# What identifies a row of the append-only tables (as in ``store/exchange.py``).
_IDENTITY: dict[str, tuple[str, ...]] = {
    "attempts": ("exercise_id", "created_at", "status", "code_sha256"),
    "events": ("exercise_id", "created_at", "kind", "data"),
    "reviews": ("card_id", "reviewed_at", "rating", "source"),
    "runs": ("project_id", "created_at", "seed", "code_sha256"),
    "cards": ("id",),  # state tables: the damaged file's version wins over the backup's
    "settings": ("key",),
}
TABLES = ("attempts", "events", "reviews", "runs", "cards", "settings")  # skill_state: a cache
_LOG_TABLES = {"attempts", "events", "reviews", "runs"}  # integer ids, append-only
_DERIVED_SETTINGS = {"mastery_cursor", "time_cursor", TALLY_KEY}
_PROBE_SLACK = 100_000  # ids probed past what is known, at most


# --- reading what is left ------------------------------------------------------------


def salvage_table(con: sqlite3.Connection, table: str) -> tuple[dict[int, dict[str, Any]], int]:
    """The readable rows of ``table`` by rowid, and how many rows known to exist (their ids
    seen in an index or a partial scan) could not be read."""
    try:
        if not con.execute(f"PRAGMA table_info({table})").fetchall():
            return {}, 0
    except sqlite3.Error:
        return {}, 0
    rows: dict[int, dict[str, Any]] = {}
    select = f"SELECT rowid AS rowid_, * FROM {table}"
    if _scan(con, f"{select} ORDER BY rowid", rows):
        return rows, 0
    _scan(con, f"{select} ORDER BY rowid DESC", rows)
    known = set(rows)
    try:
        indexes = [r[1] for r in con.execute(f"PRAGMA index_list({table})")]
    except sqlite3.Error:
        indexes = []
    for index in indexes:
        _scan_ids(con, f'SELECT rowid FROM {table} INDEXED BY "{index}"', known)
    top = max(known, default=0)
    probe = set(range(1, min(top, len(known) * 4 + _PROBE_SLACK) + 1)) | known
    lost = 0
    for rid in sorted(probe - set(rows)):
        try:
            cur = con.execute(f"{select} WHERE rowid = ?", (rid,))
            names = [d[0] for d in cur.description]
            row = cur.fetchone()
        except sqlite3.Error:
            lost += rid in known
            continue
        if row is not None:
            rows[rid] = dict(zip(names[1:], row[1:], strict=True))
        elif rid in known:
            lost += 1
    return rows, lost


def _scan(con: sqlite3.Connection, sql: str, rows: dict[int, dict[str, Any]]) -> bool:
    """Add the rows of ``sql`` to ``rows`` until an error; True if it read to the end."""
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        for row in cur:
            rows[row[0]] = dict(zip(names[1:], row[1:], strict=True))
    except sqlite3.Error:
        return False
    return True


def _scan_ids(con: sqlite3.Connection, sql: str, ids: set[int]) -> None:
    with contextlib.suppress(sqlite3.Error):
        for (rid,) in con.execute(sql):
            if isinstance(rid, int):
                ids.add(rid)


def _working_copy(db: Path, folder: Path, name: str) -> Path | None:
    """Copy ``db`` and its WAL (the newest writes) into ``folder``; queries then never
    touch the original (opening a WAL database may write to it)."""
    if not db.exists():
        return None
    copy = folder / name
    copy_file(db, copy)
    wal = db.with_name(db.name + "-wal")
    if wal.exists():
        copy_file(wal, copy.with_name(copy.name + "-wal"))
    return copy


def salvage_file(db: Path, work: Path, name: str) -> dict[str, tuple[dict[int, dict[str, Any]],
                                                                     int]]:
    """Every table's readable rows (and unreadable count) of ``db``, read from a copy."""
    copy = _working_copy(db, work, name)
    if copy is None:
        return {}
    con = sqlite3.connect(copy, timeout=10)
    try:
        return {t: salvage_table(con, t) for t in TABLES}
    finally:
        con.close()


def readable_count(db: Path, table: str) -> int | None:
    """How many rows of ``table`` can still be read from ``db`` (None if none at all)."""
    try:
        with tempfile.TemporaryDirectory(prefix="deepcareer-count-") as work:
            copy = _working_copy(db, Path(work), "count.db")
            if copy is None:
                return None
            con = sqlite3.connect(copy, timeout=10)
            try:
                rows, _ = salvage_table(con, table)
            finally:
                con.close()
    except (OSError, sqlite3.Error):
        return None
    return len(rows) or None


def _counts(db: Path) -> dict[str, int | None]:
    """Rows per counted table of a healthy file (read-only)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        out: dict[str, int | None] = {}
        for table in COUNTED:
            try:
                out[table] = int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            except sqlite3.OperationalError:
                out[table] = None  # an older revision without that table
        return out
    finally:
        con.close()


def newest_backup_summary(db: Path) -> dict[str, Any] | None:
    """The newest backup's name, time and row counts (read from a copy)."""
    newest = backups.newest_backup(db)
    if newest is None:
        return None
    counts: dict[str, int | None] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="deepcareer-backup-") as work:
            copy = _working_copy(newest.path, Path(work), "backup.db")
            if copy is not None:
                counts = _counts(copy)
    except (OSError, sqlite3.Error):
        counts = {}
    return {"name": newest.path.name, "path": str(newest.path),
            "time": newest.time.isoformat(), "label": newest.label, "counts": counts}


# --- checking ---------------------------------------------------------------------------


def check(db: Path, *, initialised: bool) -> dict[str, Any]:
    """``state``: healthy, damaged, missing or unusable (busy, read-only, I/O: not damage),
    with ``detail`` and, when healthy, ``counts``."""
    try:
        size = db.stat().st_size  # never open(): see db._check_file
    except FileNotFoundError:
        return {"state": "missing" if initialised else "absent", "detail": "no file"}
    except OSError as exc:
        return {"state": "unusable", "detail": classify(db, exc).message}
    if size == 0:
        if initialised:
            return {"state": "damaged", "detail": "the file is empty (0 bytes)"}
        return {"state": "healthy", "detail": "empty (set up on first use)",
                "counts": dict.fromkeys(COUNTED, 0)}
    if size < SQLITE_HEADER_BYTES:
        return {"state": "damaged", "detail": f"the file is cut short ({size} bytes)"}
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
        try:
            found = [r[0] for r in con.execute("PRAGMA integrity_check(20)")]
        finally:
            con.close()
    except sqlite3.Error as exc:
        if sqlite_code(exc) == SQLITE_NOTADB:
            return {"state": "damaged", "detail": "it is not a SQLite database"}
        if sqlite_code(exc) == SQLITE_CORRUPT:
            return {"state": "damaged", "detail": str(exc)}
        return {"state": "unusable", "detail": classify(db, exc).message}
    if found != ["ok"]:
        return {"state": "damaged", "detail": "integrity check: " + "; ".join(found[:3])}
    try:
        counts = _counts(db)
    except sqlite3.Error as exc:
        return {"state": "unusable", "detail": classify(db, exc).message}
    return {"state": "healthy", "detail": "integrity check ok", "counts": counts}


# --- recovering -------------------------------------------------------------------------


def _key(table: str, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row.get(k) for k in _IDENTITY[table])


def merge(file_rows: dict[int, dict[str, Any]], backup_rows: dict[int, dict[str, Any]],
          table: str) -> tuple[list[dict[str, Any]], int]:
    """Rows to write: all the file's, plus the backup's it lacks (by identity). The log
    tables keep a backup row's id when it is free (runs refer to runs by id) and get a new
    one otherwise. Returns (rows in id order, rows added from the backup)."""
    have = {_key(table, r) for r in file_rows.values()}
    taken = set(file_rows)
    keyed = [(rid, r) for rid, r in file_rows.items()]
    fresh: list[dict[str, Any]] = []
    for rid in sorted(backup_rows):
        row = backup_rows[rid]
        if _key(table, row) in have:
            continue
        have.add(_key(table, row))
        if table in _LOG_TABLES and rid in taken:
            fresh.append({k: v for k, v in row.items() if k != "id"})
        else:
            taken.add(rid)
            keyed.append((rid, row))
    keyed.sort(key=lambda pair: pair[0])
    return [r for _, r in keyed] + fresh, len(keyed) + len(fresh) - len(file_rows)


def _write(con: sqlite3.Connection, table: str, rows: Iterable[dict[str, Any]]) -> int:
    """Insert rows one by one; a row the schema refuses (garbage that read as a row) is
    skipped. Returns how many were skipped."""
    columns = {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
    skipped = 0
    for row in rows:
        if table == "settings" and row.get("key") in _DERIVED_SETTINGS:
            continue
        names = [k for k in row if k in columns]
        try:
            con.execute(f"INSERT INTO {table} ({', '.join(names)}) "
                        f"VALUES ({', '.join('?' * len(names))})", [row[n] for n in names])
        except sqlite3.Error:
            skipped += 1
    return skipped


def build_recovered(db: Path, work: Path) -> tuple[Path, dict[str, dict[str, int | None]]]:
    """Write ``work/recovered.db`` from what ``db`` still yields plus the newest backup;
    returns it and per-table counts."""
    damaged = salvage_file(db, work, "damaged.db")
    newest = backups.newest_backup(db)
    from_backup = salvage_file(newest.path, work, "backup.db") if newest else {}
    target = work / "recovered.db"
    con = sqlite3.connect(target, isolation_level=None)
    try:
        migrate(target, con)
        con.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to move in
        tables: dict[str, dict[str, int | None]] = {}
        con.execute("BEGIN")
        for table in TABLES:
            rows, lost = damaged.get(table, ({}, 0))
            brows = from_backup.get(table, ({}, 0))[0]
            merged, added = merge(rows, brows, table)
            skipped = _write(con, table, merged)
            tables[table] = {"from_file": len(rows), "unreadable": lost,
                             "from_backup": added, "refused": skipped,
                             "total": len(merged) - skipped,
                             "backup": len(brows) if newest else None}
        con.execute("COMMIT")
    finally:
        con.close()
    return target, tables


def examine(home: Path, *, apply: bool = False) -> dict[str, Any]:
    """Check ``home``'s database; when damaged (or missing), build a recovered one and,
    with ``apply``, put it in place. Returns what ``deepcareer doctor`` prints."""
    home = Path(home)
    db = home / DB_NAME
    initialised = (home / MARKER).exists()
    result: dict[str, Any] = {"home": str(home), "path": str(db), **check(db, initialised=
                                                                        initialised)}
    if result["state"] == "absent":
        raise UsageError(f"There is no progress database at {db}, and {home} is not a "
                         "deepcareer home: nothing to check.")
    result["backup"] = newest_backup_summary(db)
    result.update(recovered=None, applied=False, kept=None)
    if result["state"] not in ("damaged", "missing"):
        return result
    work = Path(tempfile.mkdtemp(prefix=".doctor-", dir=home))
    try:
        recovered, tables = build_recovered(db, work)
        result["recovered"] = tables
        if apply:
            result["kept"] = _put_in_place(home, recovered)
            result["applied"] = True
            open_store(home).close()  # proves it opens (and backs it up)
            result["counts"] = _counts(db)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _put_in_place(home: Path, recovered: Path) -> str | None:
    """Move the damaged file (with its WAL and index) aside and the recovered one in."""
    db = home / DB_NAME
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = home / f"{DB_NAME}.damaged-{stamp}"
    with home_lock(home):
        kept = None
        if db.exists():
            db.replace(aside)
            kept = str(aside)
        for suffix in ("-wal", "-shm"):
            extra = db.with_name(db.name + suffix)
            if extra.exists():
                extra.replace(aside.with_name(aside.name + suffix))
        recovered.replace(db)
        (home / INTEGRITY_STAMP).unlink(missing_ok=True)
    return kept
