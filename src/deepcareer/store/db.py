"""Open, migrate, back up and guard the SQLite progress database.

Safety rules: WAL journal and one transaction per write, so a ``kill -9`` loses
at most the attempt in flight; a damaged file is copied aside and reported,
never silently replaced; a home that was initialised but lost its database
is reported, not re-created empty; a daily backup is kept beside it.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deepcareer.errors import StoreCorruptError, StoreError, StoreMissingError

DB_NAME = "progress.db"
MARKER = "home.json"
HEAD_REVISION = "0003"  # newest Alembic revision; a test keeps it in step
BACKUPS_KEPT = 7
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

Clock = Callable[[], datetime]
Params = Sequence[Any] | dict[str, Any]


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with microseconds: sorts as text in time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware UTC time")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class Store:
    """The progress database of one home. Cheap to open; use as a context manager.

    Reads and writes go through the standard library's ``sqlite3`` with plain SQL:
    importing SQLAlchemy costs about 0.2 s, more than every query of ``deepcareer next``
    together, so SQLAlchemy and Alembic are loaded only when a schema must be created
    or migrated (``schema.py`` stays the declared truth, checked against the migrations
    in a test).
    """

    def __init__(self, home: Path, conn: sqlite3.Connection, clock: Clock = utcnow) -> None:
        self.home = home
        self.path = home / DB_NAME
        self.conn = conn
        self.clock = clock
        self._lock = threading.RLock()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write; a database error becomes a StoreError with advice."""
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
                self.conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                raise _as_store_error(self.path, exc) from exc

    def read(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """Rows of one SELECT as dicts."""
        with self._lock:
            try:
                cur = self.conn.execute(sql, params)
                names = [d[0] for d in cur.description]
                return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
            except sqlite3.DatabaseError as exc:
                raise _as_store_error(self.path, exc) from exc

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
        with self.transaction() as conn:
            return insert_rows(conn, "attempts", [row])

    def add_event(self, exercise_id: str, kind: str, data: dict[str, Any] | None = None) -> int:
        row = {"exercise_id": exercise_id, "kind": kind, "created_at": iso(self.clock()),
               "data": json.dumps(data or {})}
        with self.transaction() as conn:
            return insert_rows(conn, "events", [row])

    def attempts(self, exercise_id: str | None = None) -> list[dict[str, Any]]:
        if exercise_id is None:
            rows = self.read("SELECT * FROM attempts ORDER BY id")
        else:
            rows = self.read("SELECT * FROM attempts WHERE exercise_id = ? ORDER BY id",
                             (exercise_id,))
        for row in rows:
            row["findings"] = json.loads(row["findings"] or "[]")
        return rows

    def events(self, exercise_id: str | None = None, kind: str | None = None,
               after_id: int = 0) -> list[dict[str, Any]]:
        sql, params = "SELECT * FROM events WHERE id > ?", list[Any]([after_id])
        if exercise_id is not None:
            sql, params = sql + " AND exercise_id = ?", [*params, exercise_id]
        if kind is not None:
            sql, params = sql + " AND kind = ?", [*params, kind]
        rows = self.read(sql + " ORDER BY id", params)
        for row in rows:
            row["data"] = json.loads(row["data"] or "{}")
        return rows

    def attempt_summaries(self, after_id: int = 0) -> list[dict[str, Any]]:
        """Attempts without their code and report (what mastery and progress need)."""
        rows = self.read("SELECT id, exercise_id, created_at, status, findings, hint_level, "
                         "duration_s FROM attempts WHERE id > ? ORDER BY id", (after_id,))
        for row in rows:
            row["findings"] = json.loads(row["findings"] or "[]")
        return rows

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

    def started_ids(self) -> set[str]:
        return {r["exercise_id"] for r in self.read(
            "SELECT DISTINCT exercise_id FROM events WHERE kind = 'start'")}

    def count_misconception(self, misconception_id: str) -> int:
        """How many logged attempts were diagnosed with this misconception."""
        found = self.tally()["misconceptions"].get(misconception_id)
        return int(found["n"]) if found else 0

    # --- spaced review -------------------------------------------------------

    def card(self, card_id: str) -> dict[str, Any] | None:
        rows = self.read("SELECT * FROM cards WHERE id = ?", (card_id,))
        return rows[0] if rows else None

    def cards(self, due_before: str | None = None) -> list[dict[str, Any]]:
        if due_before is None:
            return self.read("SELECT * FROM cards ORDER BY due")
        return self.read("SELECT * FROM cards WHERE due <= ? ORDER BY due", (due_before,))

    def save_review(self, card: dict[str, Any], review: dict[str, Any]) -> None:
        """Write a card's new state and the review that produced it, atomically."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM cards WHERE id = ?", (card["id"],))
            insert_rows(conn, "cards", [card])
            insert_rows(conn, "reviews", [review])

    def reviews(self, card_id: str | None = None, kind: str | None = None
                ) -> list[dict[str, Any]]:
        """Ratings in order, for one card or for every card of a kind (``drill``...)."""
        sql, params = "SELECT * FROM reviews WHERE 1", list[Any]()
        if card_id is not None:
            sql, params = sql + " AND card_id = ?", [*params, card_id]
        if kind is not None:
            sql, params = sql + " AND substr(card_id, 1, ?) = ?", [
                *params, len(kind) + 1, f"{kind}:"]
        return self.read(sql + " ORDER BY id", params)

    # --- project runs --------------------------------------------------------

    def add_run(self, **row: Any) -> int:
        row.setdefault("created_at", iso(self.clock()))
        if not isinstance(row.get("result", ""), str):
            row["result"] = json.dumps(row["result"])
        with self.transaction() as conn:
            return insert_rows(conn, "runs", [row])

    def runs(self, project_id: str | None = None) -> list[dict[str, Any]]:
        """Runs oldest first, with ``result`` parsed."""
        if project_id is None:
            rows = self.read("SELECT * FROM runs ORDER BY id")
        else:
            rows = self.read("SELECT * FROM runs WHERE project_id = ? ORDER BY id",
                             (project_id,))
        for row in rows:
            row["result"] = json.loads(row["result"] or "{}")
        return rows

    def run_summaries(self) -> list[dict[str, Any]]:
        """Every run without its code and detail: what the planner and lists need."""
        return self.read("SELECT id, project_id, created_at, seed, status, metric, passed, "
                         "reproduces, verified_by FROM runs ORDER BY id")

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
    "code": "", "report": "{}"}


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


def _as_store_error(path: Path, exc: Exception) -> StoreError:
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return StoreError(f"The progress database {path} is busy (another deepcareer is "
                          "writing). Try again in a moment.")
    return _corrupt(path, str(exc))


def _corrupt(path: Path, detail: str) -> StoreCorruptError:
    """Keep a copy of the damaged file and explain how to get progress back."""
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    copy = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        shutil.copy2(path, copy)
        kept = f"A copy of the damaged file is kept at {copy}."
    except OSError:
        kept = "The damaged file was left where it is."
    backups = sorted((path.parent / "backups").glob("progress-*.db"))
    if backups:
        advice = (f"To go back to the newest automatic backup ({backups[-1].name}), run:\n"
                  f"  cp '{backups[-1]}' '{path}'")
    else:
        advice = ("No automatic backup exists yet. If you exported your progress, move the "
                  "damaged file away and run `deepcareer import FILE`.")
    return StoreCorruptError(
        f"The progress database {path} is damaged ({detail}). Nothing was reset. {kept}\n"
        f"{advice}"
    )


def _connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (``transaction()`` opens its own) with WAL, foreign
    keys, a busy timeout instead of an instant "locked" error, and fsync at checkpoints."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=5000",
                   "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
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


INTEGRITY_STAMP = ".integrity-checked"


def _check_file(path: Path, *, deep: bool = True) -> None:
    """Refuse a file that is not a SQLite database, before anything writes to it.

    ``PRAGMA quick_check`` reads the whole file (tens of milliseconds on a long history),
    so it runs only when the file changed since the last clean check; with WAL the main
    file changes at checkpoints, not on every read.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise StoreError(f"Cannot read the progress database {path}: {exc.strerror}") from exc
    if head and head != b"SQLite format 3\x00":
        raise _corrupt(path, "it is not a SQLite database")
    if not deep:
        return
    try:
        con = sqlite3.connect(path)
        try:
            status = con.execute("PRAGMA quick_check").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise _corrupt(path, str(exc)) from exc
    if not status or status[0] != "ok":
        raise _corrupt(path, f"integrity check says {status[0] if status else 'nothing'}")
    with contextlib.suppress(OSError):
        (path.parent / INTEGRITY_STAMP).write_text(_file_stamp(path))


def _file_stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def _checked_since_change(path: Path) -> bool:
    try:
        return (path.parent / INTEGRITY_STAMP).read_text() == _file_stamp(path)
    except OSError:
        return False


def daily_backup(path: Path, now: datetime) -> Path | None:
    """Copy the database to backups/ once a day (SQLite's online backup), keep 7."""
    folder = path.parent / "backups"
    target = folder / f"progress-{now.astimezone(UTC):%Y-%m-%d}.db"
    if target.exists() or not path.exists():
        return None
    folder.mkdir(exist_ok=True)
    tmp = target.with_suffix(".tmp")
    src = sqlite3.connect(path)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    tmp.replace(target)
    for old in sorted(folder.glob("progress-*.db"))[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    return target


def open_store(home: Path, *, clock: Clock = utcnow, create: bool = True) -> Store:
    """Open (and if needed create and migrate) the database of ``home``.

    ``create=False`` refuses to create a new database (used by ``import``).
    """
    home = Path(home)
    path = home / DB_NAME
    marker = home / MARKER
    if path.exists():
        _check_file(path, deep=not _checked_since_change(path))
    elif marker.exists():
        raise StoreMissingError(
            f"The progress database {path} is missing, but this home was set up on "
            f"{_created(marker)}. Nothing was re-created, so nothing is overwritten. Restore it "
            f"from {home / 'backups'} (copy the newest file to {path}) or from an export with "
            "`deepcareer import FILE`; to start over on purpose, run `deepcareer init --fresh`."
        )
    elif not create:
        raise StoreMissingError(f"There is no progress database at {path}.")
    home.mkdir(parents=True, exist_ok=True)
    try:
        conn = _connect(path)
    except sqlite3.DatabaseError as exc:
        raise _as_store_error(path, exc) from exc
    try:
        migrate(path, conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _as_store_error(path, exc) from exc
    if not marker.exists():
        marker.write_text(json.dumps({"created_at": iso(clock())}) + "\n", encoding="utf-8")
    with contextlib.suppress(OSError, sqlite3.Error):  # a courtesy: never block the learner
        daily_backup(path, clock())
    return Store(home, conn, clock)


def _created(marker: Path) -> str:
    try:
        return str(json.loads(marker.read_text(encoding="utf-8"))["created_at"])[:10]
    except (OSError, ValueError, KeyError):
        return "an earlier day"
