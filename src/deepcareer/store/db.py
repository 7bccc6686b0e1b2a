"""Open, migrate, back up and guard the SQLite progress database.

Safety rules: WAL journal and one transaction per write, so a ``kill -9`` loses
at most the attempt in flight; a damaged file is copied aside and reported,
never silently replaced; a home that was initialised but lost its database
is reported, not re-created empty; backups are kept beside it (``backup.py``).

Many writers at once lose nothing: terminal processes and the web app's worker threads
(which may share one ``Store``: every use of its connection holds the store's lock). Each
write is one ``BEGIN IMMEDIATE`` transaction, which takes the write lock up front, so no
statement inside it can meet another writer; waiting for that lock is SQLite's busy
handler (``busy_timeout``) and then a few more tries with backoff (``Patience``). Creating
and migrating the schema happen under a lock file, so two first opens cannot both create
the tables. Errors are told apart in ``failures.py``: only real damage is called damaged.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from deepcareer.atomic import write_text_atomic
from deepcareer.errors import StoreError, StoreMissingError
from deepcareer.store.backup import backup_if_due
from deepcareer.store.failures import SQLITE_NOTADB, classify, damaged, is_busy, sqlite_code
from deepcareer.store.rows import (
    AttemptRow,
    AttemptSummary,
    CardRow,
    EventRow,
    RecentAttempt,
    ReviewRow,
    RunRow,
    RunSummary,
)

DB_NAME = "progress.db"
MARKER = "home.json"
LOCK = ".lock"  # held while a database is created or migrated
HEAD_REVISION = "0005"  # newest Alembic revision; a test keeps it in step
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ISOLATION_LEVELS = ("guard", "os")  # in-process guard only; bubblewrap (the OS) around it
# Who did an attempt or run: the learner here, our reference, or an import (revision 0005).
ORIGINS = ("learner", "reference", "imported")
BACKUP_CHECK_EVERY_S = 600.0  # how often a long-lived store looks at the backups folder

T = TypeVar("T")

Clock = Callable[[], datetime]
Params = Sequence[Any] | dict[str, Any]


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with microseconds: sorts as text in time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware UTC time")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Patience:
    """How long one read or write waits for other writers before giving up.

    SQLite's busy handler waits up to ``busy_s`` per try; a try that still finds the
    database locked sleeps ``backoff_s`` (doubled each time, with jitter, so waiting
    processes do not retry in step) and tries again, ``tries`` times in all. A writer
    holds the lock for milliseconds, so the default budget (about half a minute) is only
    reached when something holds the file for far longer (a sync tool, a stuck process).
    """

    busy_s: float = 5.0
    tries: int = 5
    backoff_s: float = 0.05

    @property
    def budget_s(self) -> float:
        """The longest a call waits: every busy wait and every backoff (at most 1.5x)."""
        return self.tries * self.busy_s + 1.5 * self.backoff_s * (2 ** (self.tries - 1) - 1)


PATIENCE = Patience()


class Store:
    """The progress database of one home. Cheap to open; use as a context manager.

    Reads and writes go through the standard library's ``sqlite3`` with plain SQL:
    importing SQLAlchemy costs about 0.2 s, more than every query of ``deepcareer next``
    together, so SQLAlchemy and Alembic are loaded only when a schema must be created
    or migrated (``schema.py`` stays the declared truth, checked against the migrations
    in a test).
    """

    def __init__(self, home: Path, conn: sqlite3.Connection, clock: Clock = utcnow,
                 patience: Patience = PATIENCE) -> None:
        self.home = home
        self.path = home / DB_NAME
        self.conn = conn
        self.clock = clock
        self.patience = patience
        self._lock = threading.RLock()  # one connection, many threads: one use at a time
        self._backup_check_at = time.monotonic() + BACKUP_CHECK_EVERY_S

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write; a database error becomes a classified StoreError.

        ``BEGIN IMMEDIATE`` and ``COMMIT`` are retried while another writer holds the
        lock (a COMMIT that meets SQLITE_BUSY leaves the transaction open, so it can be
        tried again). ROLLBACK is issued only while a transaction is open: SQLite rolls
        back by itself after some errors (disk full, I/O), and a second ROLLBACK would
        fail with "no transaction is active" and hide the real error.
        """
        with self._lock:
            start = time.monotonic()
            try:
                self._retry(lambda: self.conn.execute("BEGIN IMMEDIATE"))
            except sqlite3.Error as exc:
                raise self._error(exc, start) from exc
            try:
                yield self.conn
                start = time.monotonic()
                self._retry(lambda: self.conn.execute("COMMIT"))
            except BaseException as exc:
                if self.conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._error(exc, start) from exc
                raise

    def read(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """Rows of one SELECT as dicts."""

        def run() -> list[dict[str, Any]]:
            cur = self.conn.execute(sql, params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

        with self._lock:
            start = time.monotonic()
            try:
                return self._retry(run)
            except sqlite3.Error as exc:
                raise self._error(exc, start) from exc

    def _retry(self, step: Callable[[], T]) -> T:
        return retry_busy(step, self.patience)

    def _error(self, exc: BaseException, since: float) -> StoreError:
        return classify(self.path, exc, waited_s=time.monotonic() - since)

    def maybe_backup(self) -> None:
        """A long-lived store (``check --watch``, a server) backs up too; looked at once
        every ``BACKUP_CHECK_EVERY_S``, and a failed backup never fails a write."""
        now = time.monotonic()
        if now < self._backup_check_at:
            return
        self._backup_check_at = now + BACKUP_CHECK_EVERY_S
        with contextlib.suppress(OSError, sqlite3.Error):
            backup_if_due(self.path, self.clock())

    def columns(self, table: str) -> dict[str, bool]:
        """Column name -> required (NOT NULL without a default), read from the file."""
        rows = self.read(f"PRAGMA table_info({_name(table)})")
        return {r["name"]: bool(r["notnull"]) and r["dflt_value"] is None for r in rows}

    # --- the append-only log -------------------------------------------------

    def add_attempt(self, **row: Any) -> int:
        row.setdefault("created_at", iso(self.clock()))
        for key in ("findings", "report"):
            if not isinstance(row.get(key, ""), str):
                row[key] = json.dumps(row[key])
        for key, default in _ATTEMPT_DEFAULTS.items():
            row.setdefault(key, default)
        _check_isolation(row)
        with self.transaction() as conn:
            rid = insert_rows(conn, "attempts", [row])
        self.maybe_backup()
        return rid

    def add_event(self, exercise_id: str, kind: str, data: dict[str, Any] | None = None) -> int:
        row = {"exercise_id": exercise_id, "kind": kind, "created_at": iso(self.clock()),
               "data": json.dumps(data or {})}
        with self.transaction() as conn:
            return insert_rows(conn, "events", [row])

    def attempts(self, exercise_id: str | None = None) -> list[AttemptRow]:
        if exercise_id is None:
            rows = self.read("SELECT * FROM attempts ORDER BY id")
        else:
            rows = self.read("SELECT * FROM attempts WHERE exercise_id = ? ORDER BY id",
                             (exercise_id,))
        for row in rows:
            row["findings"] = json.loads(row["findings"] or "[]")
        return cast("list[AttemptRow]", rows)

    def events(self, exercise_id: str | None = None, kind: str | None = None,
               after_id: int = 0) -> list[EventRow]:
        sql, params = "SELECT * FROM events WHERE id > ?", list[Any]([after_id])
        if exercise_id is not None:
            sql, params = sql + " AND exercise_id = ?", [*params, exercise_id]
        if kind is not None:
            sql, params = sql + " AND kind = ?", [*params, kind]
        rows = self.read(sql + " ORDER BY id", params)
        for row in rows:
            row["data"] = json.loads(row["data"] or "{}")
        return cast("list[EventRow]", rows)

    def attempt_summaries(self, after_id: int = 0) -> list[AttemptSummary]:
        """Attempts without their code and report (what mastery and progress need).

        ``repeat`` is 1 when an earlier attempt of the same exercise had the same code:
        resubmitting is not new evidence (an empty hash, from old rows, is never a repeat).
        """
        columns = ("a.id, a.exercise_id, a.created_at, a.status, a.findings, a.hint_level, "
                   "a.duration_s, a.code_sha256, a.isolation, a.origin")
        if after_id <= 0:  # the whole log: one pass with a window (no per-row lookup)
            rows = self.read(
                f"SELECT {columns}, (a.code_sha256 != '' AND ROW_NUMBER() OVER ("
                "PARTITION BY a.exercise_id, a.code_sha256 ORDER BY a.id) > 1) AS repeat "
                "FROM attempts a ORDER BY a.id")
        else:  # a few new rows (mastery's cursor): look each one up
            rows = self.read(
                f"SELECT {columns}, (a.code_sha256 != '' AND EXISTS (SELECT 1 FROM attempts "
                "b WHERE b.exercise_id = a.exercise_id AND b.code_sha256 = a.code_sha256 "
                "AND b.id < a.id)) AS repeat FROM attempts a WHERE a.id > ? ORDER BY a.id",
                (after_id,))
        for row in rows:
            row["findings"] = json.loads(row["findings"] or "[]")
        return cast("list[AttemptSummary]", rows)

    def tally(self) -> dict[str, Any]:
        """Running totals of the attempt log, brought up to date by reading only the rows
        logged since the last call (the log is append-only, so totals only grow).

        ``exercises``: per exercise id as logged, ``rows``, ``real`` (not "not attempted"),
        ``passed``, ``last_id``, ``last_at`` and ``last_status``. ``misconceptions``: per
        misconception id, its ``title``, ``n`` diagnosed attempts and ``exercises`` (id ->
        count). ``days``: the UTC dates with an attempt. Kept in settings under
        ``TALLY_KEY``, dropped on import, recomputable.
        """
        tally = self.setting(TALLY_KEY)
        if not (isinstance(tally, dict) and {"attempt", "exercises", "misconceptions", "days"}
                <= set(tally)):
            tally = {"attempt": 0, "exercises": {}, "misconceptions": {}, "days": []}
        days = set(tally["days"])
        rows = self.read("SELECT id, exercise_id, created_at, status, findings FROM attempts "
                         "WHERE id > ? ORDER BY id", (tally["attempt"],))
        for row in rows:
            ex = tally["exercises"].setdefault(row["exercise_id"], {
                "rows": 0, "real": 0, "passed": 0, "last_id": 0, "last_at": "",
                "last_status": None})
            ex["rows"] += 1
            ex["real"] += row["status"] != "not_attempted"
            ex["passed"] = max(ex["passed"], int(row["status"] == "pass"))
            ex["last_id"], ex["last_status"] = row["id"], row["status"]
            ex["last_at"] = max(ex["last_at"], row["created_at"])
            days.add(row["created_at"][:10])
            if row["findings"] in ("", "[]"):
                continue
            for mid, title in _misconceptions_in(row["findings"]).items():
                m = tally["misconceptions"].setdefault(mid, {"title": title, "n": 0,
                                                             "exercises": {}})
                m["title"] = title or m["title"]
                m["n"] += 1
                m["exercises"][row["exercise_id"]] = m["exercises"].get(row["exercise_id"],
                                                                         0) + 1
        if rows:
            tally["attempt"] = rows[-1]["id"]
            tally["days"] = sorted(days)
            self.set_setting(TALLY_KEY, tally)
        return tally

    def exercise_summary(self) -> dict[str, dict[str, Any]]:
        """Per exercise id as logged: attempts (real ones), passed, last status and time."""
        return dict(self.tally()["exercises"])

    def recent_attempts(self, n: int) -> list[RecentAttempt]:
        """The ``n`` newest attempts, newest first: id, status and time only."""
        return cast("list[RecentAttempt]", self.read(
            "SELECT exercise_id, status, created_at FROM attempts ORDER BY id DESC LIMIT ?",
            (n,)))

    def change_stamp(self) -> tuple[Any, ...]:
        """Changes whenever anything a learner did could have changed (a few index
        lookups), so a page can reuse what it computed when nothing is new."""
        row = self.read(
            "SELECT (SELECT max(id) FROM attempts) AS a, (SELECT max(id) FROM events) AS e, "
            "(SELECT max(id) FROM reviews) AS r, (SELECT max(id) FROM runs) AS u, "
            "(SELECT max(due) FROM cards) AS c, "
            "(SELECT value FROM settings WHERE key = 'goal') AS g")[0]
        return tuple(row.values())

    def started_ids(self) -> set[str]:
        return {r["exercise_id"] for r in self.read(
            "SELECT DISTINCT exercise_id FROM events WHERE kind = 'start'")}

    def count_misconception(self, misconception_id: str) -> int:
        """How many logged attempts were diagnosed with this misconception."""
        found = self.tally()["misconceptions"].get(misconception_id)
        return int(found["n"]) if found else 0

    # --- spaced review -------------------------------------------------------

    def card(self, card_id: str) -> CardRow | None:
        rows = cast("list[CardRow]", self.read("SELECT * FROM cards WHERE id = ?", (card_id,)))
        return rows[0] if rows else None

    def cards(self, due_before: str | None = None) -> list[CardRow]:
        if due_before is None:
            return cast("list[CardRow]", self.read("SELECT * FROM cards ORDER BY due"))
        return cast("list[CardRow]", self.read(
            "SELECT * FROM cards WHERE due <= ? ORDER BY due", (due_before,)))

    def count_due(self, before: str) -> int:
        """How many cards are due at ``before`` (ISO time)."""
        return int(self.read("SELECT count(*) AS n FROM cards WHERE due <= ?",
                             (before,))[0]["n"])

    def save_review(self, card: dict[str, Any], review: dict[str, Any]) -> None:
        """Write a card's new state and the review that produced it, atomically."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM cards WHERE id = ?", (card["id"],))
            insert_rows(conn, "cards", [card])
            insert_rows(conn, "reviews", [review])

    def reviews(self, card_id: str | None = None, kind: str | None = None
                ) -> list[ReviewRow]:
        """Ratings in order, for one card or for every card of a kind (``drill``...)."""
        sql, params = "SELECT * FROM reviews WHERE 1", list[Any]()
        if card_id is not None:
            sql, params = sql + " AND card_id = ?", [*params, card_id]
        if kind is not None:
            sql, params = sql + " AND substr(card_id, 1, ?) = ?", [
                *params, len(kind) + 1, f"{kind}:"]
        return cast("list[ReviewRow]", self.read(sql + " ORDER BY id", params))

    # --- project runs --------------------------------------------------------

    def add_run(self, **row: Any) -> int:
        """Log a project run; ``isolation`` is the sandbox it ran under ('os' or 'guard')."""
        row.setdefault("created_at", iso(self.clock()))
        row.setdefault("isolation", "guard")
        row.setdefault("origin", "learner")
        _check_isolation(row)
        if not isinstance(row.get("result", ""), str):
            row["result"] = json.dumps(row["result"])
        with self.transaction() as conn:
            return insert_rows(conn, "runs", [row])

    def runs(self, project_id: str | None = None) -> list[RunRow]:
        """Runs oldest first, with ``result`` parsed."""
        if project_id is None:
            rows = self.read("SELECT * FROM runs ORDER BY id")
        else:
            rows = self.read("SELECT * FROM runs WHERE project_id = ? ORDER BY id",
                             (project_id,))
        for row in rows:
            row["result"] = json.loads(row["result"] or "{}")
        return cast("list[RunRow]", rows)

    def run_summaries(self) -> list[RunSummary]:
        """Every run without its code and detail: what the planner and lists need."""
        return cast("list[RunSummary]", self.read(
            "SELECT id, project_id, created_at, seed, status, metric, passed, reproduces, "
            "verified_by, isolation, origin, code_sha256 FROM runs ORDER BY id"))

    def run_code(self, run_id: int) -> str:
        """The code a run ran (kept out of the summaries: it can be large)."""
        rows = self.read("SELECT code FROM runs WHERE id = ?", (run_id,))
        return str(rows[0]["code"]) if rows else ""

    def mark_verified(self, run_id: int, by_run: int) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE runs SET verified_by = ? WHERE id = ?", (by_run, run_id))

    # --- derived caches --------------------------------------------------------

    def skill_states(self) -> dict[str, dict[str, Any]]:
        return {r["skill"]: r for r in self.read("SELECT * FROM skill_state")}

    def save_skill_states(self, states: dict[str, dict[str, Any]], cursor: dict[str, Any]
                          ) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM skill_state")
            insert_rows(conn, "skill_state", list(states.values()))
            _put_setting(conn, "mastery_cursor", cursor)

    def settings(self) -> dict[str, Any]:
        return {r["key"]: json.loads(r["value"])
                for r in self.read("SELECT key, value FROM settings")}

    def setting(self, key: str, default: Any = None) -> Any:
        """One setting (reading them all would parse the large running tally too)."""
        rows = self.read("SELECT value FROM settings WHERE key = ?", (key,))
        return json.loads(rows[0]["value"]) if rows else default

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction() as conn:
            _put_setting(conn, key, value)

    # --- when the learner was active (the queries live in activity.py) ------------------

    def activity_stamps(self, since: str = "") -> list[str]:
        from deepcareer.store import activity

        return activity.stamps(self, since)

    def minutes_active(self, lo: str, hi: str, gap_min: float, start_min: float) -> float:
        from deepcareer.store import activity

        return activity.minutes_active(self, lo, hi, gap_min, start_min)

    def activity_latest_and_count(self) -> tuple[str | None, int]:
        from deepcareer.store import activity

        return activity.latest_and_count(self)

    def activity_count_since(self, since: str) -> int:
        from deepcareer.store import activity

        return activity.count_since(self, since)

    def active_days(self) -> set[date]:
        from deepcareer.store import activity

        return activity.active_days(self)


TALLY_KEY = "attempt_tally"


def _misconceptions_in(findings: str) -> dict[str, str]:
    """Misconception id -> title of one attempt's findings (JSON), each counted once."""
    try:
        parsed = json.loads(findings)
    except ValueError:
        return {}
    return {f["misconception"]: str(f.get("title") or "") for f in parsed
            if isinstance(f, dict) and f.get("misconception")} if isinstance(parsed, list) else {}


_ATTEMPT_DEFAULTS: dict[str, Any] = {
    "message": "", "findings": "[]", "hint_level": 0, "duration_s": 0.0, "code_sha256": "",
    "code": "", "report": "{}", "isolation": "guard",
    "origin": "learner"}


def _check_isolation(row: dict[str, Any]) -> None:
    """The two labels evidence depends on, checked before a row is written."""
    if row["isolation"] not in ISOLATION_LEVELS:
        raise ValueError(f"isolation must be one of {ISOLATION_LEVELS}, not "
                         f"{row['isolation']!r}")
    if row["origin"] not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, not {row['origin']!r}")


def retry_busy(step: Callable[[], T], patience: Patience = PATIENCE) -> T:
    """Run ``step``; while it fails because another connection holds the lock, sleep with
    jittered exponential backoff and try again, ``patience.tries`` times in all."""
    delay = patience.backoff_s
    for attempt in range(patience.tries):
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or attempt == patience.tries - 1:
                raise
        time.sleep(delay * (0.5 + random.random()))
        delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def _name(identifier: str) -> str:
    """A table or column name from our own code, checked before it goes into SQL."""
    if not identifier.replace("_", "").isalnum():
        raise ValueError(f"not an identifier: {identifier!r}")
    return identifier


def insert_rows(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> int:
    """INSERT every row (all with the keys of the first); returns the last row id."""
    if not rows:
        return 0
    names = [_name(k) for k in rows[0]]
    sql = (f"INSERT INTO {_name(table)} ({', '.join(names)}) "
           f"VALUES ({', '.join('?' * len(names))})")
    if len(rows) == 1:
        return int(conn.execute(sql, [rows[0][k] for k in names]).lastrowid or 0)
    conn.executemany(sql, ([row[k] for k in names] for row in rows))
    return 0


def _put_setting(conn: sqlite3.Connection, key: str, value: Any) -> None:
    conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                 (key, json.dumps(value)))


def _connect(path: Path, patience: Patience = PATIENCE) -> sqlite3.Connection:
    """A connection in autocommit mode (``transaction()`` opens its own) with a busy timeout
    set first (so the pragmas after it wait too), WAL, foreign keys and fsync at
    checkpoints. Shared across threads only under ``Store``'s lock."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                           timeout=patience.busy_s)
    try:
        for pragma in (f"busy_timeout={int(patience.busy_s * 1000)}", "journal_mode=WAL",
                       "foreign_keys=ON", "synchronous=NORMAL"):
            retry_busy(functools.partial(conn.execute, f"PRAGMA {pragma}"), patience)
    except BaseException:
        conn.close()
        raise
    return conn


def _current_revision(conn: sqlite3.Connection) -> str | None:
    if not conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                        "AND name='alembic_version'").fetchone():
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else None


def migrate(path: Path, conn: sqlite3.Connection) -> None:
    """Bring the schema to the newest revision; SQLAlchemy and Alembic load only then."""
    if _current_revision(conn) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as sa_conn:
            cfg.attributes["connection"] = sa_conn
            command.upgrade(cfg, "head")
    except DBAPIError as exc:  # report the driver's error like every other read
        raise (exc.orig if isinstance(exc.orig, sqlite3.Error) else exc) from exc
    finally:
        engine.dispose()


@contextmanager
def home_lock(home: Path) -> Iterator[None]:
    """An inter-process lock on the home (``flock`` on ``.lock``), held while a database
    is created, migrated or swapped by ``doctor --apply``. Without it two first opens
    both created the tables ("table attempts already exists", then called damaged).
    Where ``fcntl`` is missing (Windows) it is a no-op."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(home / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


INTEGRITY_STAMP = ".integrity-checked"
SQLITE_HEADER_BYTES = 100  # a shorter file cannot be a SQLite database


def _check_file(path: Path, size: int, patience: Patience = PATIENCE, *,
                deep: bool = True) -> None:
    """Refuse a file that is not a SQLite database, before anything writes to it.

    The file is read through SQLite only, never opened with ``open()``: closing any other
    descriptor of the file drops every POSIX lock this process holds on it, those of the
    web app's other threads' connections included. Another process then believed it had
    the last connection, checkpointed and deleted the WAL those connections were still
    writing to: attempts vanished after their reports were shown, and reads failed with
    "disk I/O error" (SQLITE_IOERR_SHORT_READ).

    ``PRAGMA quick_check`` reads the whole file (tens of milliseconds on a long history),
    so it runs only when the file changed since the last clean check; with WAL the main
    file changes at checkpoints, not on every read. Only damage found here is called
    damaged; a lock, a permission or an I/O error is reported as what it is.
    """
    if size < SQLITE_HEADER_BYTES:
        raise damaged(path, f"the file is cut short: {size} bytes, smaller than a SQLite "
                      "header")
    if not deep:
        return
    stamp = _file_stamp(path)  # before the check: a change during it is checked next time

    def quick_check() -> Any:
        con = sqlite3.connect(path, timeout=patience.busy_s)
        try:
            return con.execute("PRAGMA quick_check").fetchone()
        finally:
            con.close()

    try:
        status = retry_busy(quick_check, patience)
    except sqlite3.Error as exc:
        if sqlite_code(exc) == SQLITE_NOTADB:
            raise damaged(path, "it is not a SQLite database") from exc
        raise classify(path, exc, waited_s=patience.budget_s) from exc
    if not status or status[0] != "ok":
        raise damaged(path, f"integrity check says {status[0] if status else 'nothing'}")
    with contextlib.suppress(OSError):
        write_text_atomic(path.parent / INTEGRITY_STAMP, stamp)


def _file_stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def _checked_since_change(path: Path) -> bool:
    try:
        return (path.parent / INTEGRITY_STAMP).read_text() == _file_stamp(path)
    except OSError:
        return False


def _open_at_head(path: Path, patience: Patience, *, fresh: bool) -> sqlite3.Connection:
    """Connect and bring the schema to the newest revision. Creating (``fresh``) or
    migrating happens under the home lock, and the revision is read again under it:
    another process may have done the work while this one waited."""
    if not fresh:
        conn = _connect(path, patience)
        try:
            if retry_busy(lambda: _current_revision(conn), patience) == HEAD_REVISION:
                return conn
        except BaseException:
            conn.close()
            raise
        conn.close()
    with home_lock(path.parent):
        conn = _connect(path, patience)
        try:
            retry_busy(lambda: migrate(path, conn), patience)
        except BaseException:
            conn.close()
            raise
        return conn


def open_store(home: Path, *, clock: Clock = utcnow, create: bool = True,
               patience: Patience = PATIENCE) -> Store:
    """Open (and if needed create and migrate) the database of ``home``.

    ``create=False`` refuses to create a new database (used by ``import``). ``patience``
    bounds how long reads and writes wait for other writers.
    """
    home = Path(home)
    path = home / DB_NAME
    marker = home / MARKER
    try:
        size: int | None = path.stat().st_size
    except FileNotFoundError:
        size = None
    except OSError as exc:
        raise classify(path, exc) from exc
    if size is None and marker.exists():
        raise StoreMissingError(
            f"The progress database {path} is missing, but this home was set up on "
            f"{_created(marker)}. Nothing was re-created, so nothing is overwritten. Run "
            f"`deepcareer doctor --home '{home}'` to see what the newest backup in "
            f"{home / 'backups'} holds (`--apply` puts it in place), or import an export "
            "with `deepcareer import FILE`; to start over on purpose, run "
            "`deepcareer init --fresh`."
        )
    if size is None and not create:
        raise StoreMissingError(f"There is no progress database at {path}.")
    if size == 0 and marker.exists():  # SQLite would take it for a new, empty database
        raise _emptied(path, marker)
    if size:
        _check_file(path, size, patience, deep=not _checked_since_change(path))
    try:
        home.mkdir(parents=True, exist_ok=True)
        conn = _open_at_head(path, patience, fresh=not size)
    except (OSError, sqlite3.Error) as exc:
        raise classify(path, exc, waited_s=patience.budget_s) from exc
    if not marker.exists():
        try:
            write_text_atomic(marker, json.dumps({"created_at": iso(clock())}) + "\n",
                              overwrite=False)
        except OSError as exc:
            conn.close()
            raise classify(marker, exc) from exc
    with contextlib.suppress(OSError, sqlite3.Error):  # a courtesy: never block the learner
        backup_if_due(path, clock())
    return Store(home, conn, clock, patience)


def _emptied(path: Path, marker: Path) -> StoreMissingError:
    """A zero-length file where a database was: its content is gone, but it is not a damaged
    SQLite file (there is nothing to copy aside or salvage), so it gets its own message."""
    from deepcareer.store import doctor

    newest = doctor.newest_backup_summary(path)
    held = (f"The newest backup ({newest['name']}, {newest['label']}) holds "
            f"{_attempts_text(newest['counts'].get('attempts'))}."
            if newest is not None else "There is no automatic backup yet.")
    home = path.parent
    return StoreMissingError(
        f"The progress database {path} is empty (0 bytes), but this home was set up on "
        f"{_created(marker)}: its content was lost outside deepcareer (an interrupted copy or "
        "a full disk can do this). Nothing was created over it. "
        f"{held} Run `deepcareer doctor --home '{home}'` to see it, and `--apply` to put it "
        "in place; or import an export with `deepcareer import FILE`.")


def _created(marker: Path) -> str:
    try:
        return str(json.loads(marker.read_text(encoding="utf-8"))["created_at"])[:10]
    except (OSError, ValueError, KeyError):
        return "an earlier day"


def _attempts_text(n: int | None) -> str:
    from deepcareer.words import plural

    return "an unknown number of attempts" if n is None else plural(n, "attempt")
