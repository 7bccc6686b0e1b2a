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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError, OperationalError

from deepcareer.errors import StoreCorruptError, StoreError, StoreMissingError
from deepcareer.store import schema

DB_NAME = "progress.db"
MARKER = "home.json"
HEAD_REVISION = "0002"  # newest Alembic revision; a test keeps it in step
BACKUPS_KEPT = 7
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with microseconds: sorts as text in time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware UTC time")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class Store:
    """The progress database of one home. Cheap to open; use as a context manager."""

    def __init__(self, home: Path, engine: Engine, clock: Clock = utcnow) -> None:
        self.home = home
        self.path = home / DB_NAME
        self.engine = engine
        self.clock = clock

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One atomic write; a database error becomes a StoreError with advice."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except DatabaseError as exc:
            raise _as_store_error(self.path, exc) from exc

    def read(self, statement: Any) -> list[dict[str, Any]]:
        try:
            with self.engine.connect() as conn:
                return [dict(row._mapping) for row in conn.execute(statement)]
        except DatabaseError as exc:
            raise _as_store_error(self.path, exc) from exc

    # --- the append-only log -------------------------------------------------

    def add_attempt(self, **row: Any) -> int:
        row.setdefault("created_at", iso(self.clock()))
        for key in ("findings", "report"):
            if not isinstance(row.get(key, ""), str):
                row[key] = json.dumps(row[key])
        with self.transaction() as conn:
            result = conn.execute(insert(schema.attempts).values(**row))
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def add_event(self, exercise_id: str, kind: str, data: dict[str, Any] | None = None) -> int:
        row = {"exercise_id": exercise_id, "kind": kind, "created_at": iso(self.clock()),
               "data": json.dumps(data or {})}
        with self.transaction() as conn:
            result = conn.execute(insert(schema.events).values(**row))
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def attempts(self, exercise_id: str | None = None) -> list[dict[str, Any]]:
        stmt = select(schema.attempts).order_by(schema.attempts.c.id)
        if exercise_id is not None:
            stmt = stmt.where(schema.attempts.c.exercise_id == exercise_id)
        rows = self.read(stmt)
        for row in rows:
            row["findings"] = json.loads(row["findings"] or "[]")
        return rows

    def events(self, exercise_id: str | None = None, kind: str | None = None,
               after_id: int = 0) -> list[dict[str, Any]]:
        stmt = select(schema.events).where(schema.events.c.id > after_id).order_by(
            schema.events.c.id)
        if exercise_id is not None:
            stmt = stmt.where(schema.events.c.exercise_id == exercise_id)
        if kind is not None:
            stmt = stmt.where(schema.events.c.kind == kind)
        rows = self.read(stmt)
        for row in rows:
            row["data"] = json.loads(row["data"] or "{}")
        return rows

    def attempt_summaries(self, after_id: int = 0) -> list[dict[str, Any]]:
        """Attempts without their code and report (what mastery and progress need)."""
        a = schema.attempts.c
        stmt = (select(a.id, a.exercise_id, a.created_at, a.status, a.findings, a.hint_level,
                       a.duration_s)
                .where(a.id > after_id).order_by(a.id))
        rows = self.read(stmt)
        for row in rows:
            row["findings"] = json.loads(row["findings"] or "[]")
        return rows

    def exercise_summary(self) -> dict[str, dict[str, Any]]:
        """Per exercise id: attempts (real ones), passed, last status and time: one query."""
        from sqlalchemy import case, func

        a = schema.attempts.c
        stmt = select(
            a.exercise_id,
            func.count().label("rows"),
            func.sum(case((a.status != "not_attempted", 1), else_=0)).label("real"),
            func.max(case((a.status == "pass", 1), else_=0)).label("passed"),
            func.max(a.id).label("last_id"),
            func.max(a.created_at).label("last_at"),
        ).group_by(a.exercise_id)
        rows = {r["exercise_id"]: r for r in self.read(stmt)}
        if rows:
            last = self.read(select(a.id, a.status).where(
                a.id.in_([r["last_id"] for r in rows.values()])))
            status = {r["id"]: r["status"] for r in last}
            for r in rows.values():
                r["last_status"] = status.get(r["last_id"])
        return rows

    def started_ids(self) -> set[str]:
        e = schema.events.c
        return {r["exercise_id"] for r in self.read(
            select(e.exercise_id).where(e.kind == "start").distinct())}

    def count_misconception(self, misconception_id: str) -> int:
        """How many logged attempts were diagnosed with this misconception."""
        from sqlalchemy import func

        needle = json.dumps({"misconception": misconception_id})[1:-1]  # '"misconception": "x"'
        stmt = select(func.count().label("n")).select_from(schema.attempts).where(
            schema.attempts.c.findings.contains(needle, autoescape=True))
        return int(self.read(stmt)[0]["n"])

    # --- spaced review -------------------------------------------------------

    def card(self, card_id: str) -> dict[str, Any] | None:
        rows = self.read(select(schema.cards).where(schema.cards.c.id == card_id))
        return rows[0] if rows else None

    def cards(self, due_before: str | None = None) -> list[dict[str, Any]]:
        stmt = select(schema.cards).order_by(schema.cards.c.due)
        if due_before is not None:
            stmt = stmt.where(schema.cards.c.due <= due_before)
        return self.read(stmt)

    def save_review(self, card: dict[str, Any], review: dict[str, Any]) -> None:
        """Write a card's new state and the review that produced it, atomically."""
        with self.transaction() as conn:
            conn.execute(schema.cards.delete().where(schema.cards.c.id == card["id"]))
            conn.execute(insert(schema.cards).values(**card))
            conn.execute(insert(schema.reviews).values(**review))

    def reviews(self, card_id: str | None = None, kind: str | None = None
                ) -> list[dict[str, Any]]:
        """Ratings in order, for one card or for every card of a kind (``drill``...)."""
        stmt = select(schema.reviews).order_by(schema.reviews.c.id)
        if card_id is not None:
            stmt = stmt.where(schema.reviews.c.card_id == card_id)
        if kind is not None:
            stmt = stmt.where(schema.reviews.c.card_id.startswith(f"{kind}:", autoescape=True))
        return self.read(stmt)

    # --- derived caches --------------------------------------------------------

    def skill_states(self) -> dict[str, dict[str, Any]]:
        return {r["skill"]: r for r in self.read(select(schema.skill_state))}

    def save_skill_states(self, states: dict[str, dict[str, Any]], cursor: dict[str, Any]
                          ) -> None:
        with self.transaction() as conn:
            conn.execute(schema.skill_state.delete())
            if states:
                conn.execute(insert(schema.skill_state), list(states.values()))
            conn.execute(schema.settings.delete().where(
                schema.settings.c.key == "mastery_cursor"))
            conn.execute(insert(schema.settings).values(key="mastery_cursor",
                                                        value=json.dumps(cursor)))

    def settings(self) -> dict[str, Any]:
        return {r["key"]: json.loads(r["value"]) for r in self.read(select(schema.settings))}

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction() as conn:
            conn.execute(schema.settings.delete().where(schema.settings.c.key == key))
            conn.execute(insert(schema.settings).values(key=key, value=json.dumps(value)))


def _as_store_error(path: Path, exc: Exception) -> StoreError:
    if isinstance(exc, OperationalError) and "locked" in str(exc):
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


def _configure(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _current_revision(conn: Connection) -> str | None:
    has_table = conn.execute(text(
        "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
    )).first()
    if not has_table:
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return str(row[0]) if row else None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (Alembic, only when needed)."""
    with engine.connect() as conn:
        if _current_revision(conn) == HEAD_REVISION:
            return  # the fast path: no Alembic import on every command
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


INTEGRITY_STAMP = ".integrity-checked"


def _check_file(path: Path, *, deep: bool = True) -> None:
    """Refuse a file that is not a SQLite database, before SQLAlchemy touches it.

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
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _configure)
    try:
        migrate(engine)
    except DatabaseError as exc:
        engine.dispose()
        raise _as_store_error(path, exc) from exc
    if not marker.exists():
        marker.write_text(json.dumps({"created_at": iso(clock())}) + "\n", encoding="utf-8")
    with contextlib.suppress(OSError, sqlite3.Error):  # a courtesy: never block the learner
        daily_backup(path, clock())
    return Store(home, engine, clock)


def _created(marker: Path) -> str:
    try:
        return str(json.loads(marker.read_text(encoding="utf-8"))["created_at"])[:10]
    except (OSError, ValueError, KeyError):
        return "an earlier day"
