"""One learner's record on the class server: the store interface (``store/learner.py``)
over PostgreSQL, for one user.

Attempts are that user's graded submissions: the grade the server's own workers wrote
(``submissions.finish``), never one a learner sent. Nothing here writes an attempt. The
rest of the record (events such as hints shown, solutions revealed and quiz answers; review
cards and reviews; settings; the mastery cache) lives in the ``learner_*`` tables of
revision 0004. Every query is scoped by ``user_id``: one learner's store cannot read or
write another's rows.

Ids count 1, 2, 3... per learner, as in a local record (so "attempt #2" or "quiz #3" means
the same on both), and grow in commit order, as the mastery cache's cursor needs (it reads
"rows after id N"): events and reviews are inserted under a per-learner advisory lock, and
a graded submission gets its attempt number (``submissions.seq``) the first time the record
is read after grading, under the same lock, so a row committed late can never be numbered
below a cursor that was already saved.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from deepcareer.store.db import iso, utcnow
from deepcareer.store.pg.schema import (
    learner_cards,
    learner_events,
    learner_reviews,
    learner_settings,
    learner_skill_states,
    submissions,
)
from deepcareer.store.rows import (
    AttemptRow,
    AttemptSummary,
    CardRow,
    EventRow,
    RecentAttempt,
    ReviewRow,
    RunSummary,
)

LOCK_SPACE = 0x64634C << 40  # advisory lock keys of learner records (mastery.py uses others)
ISOLATIONS = ("os", "guard")


class PgLearnerStore:
    """The record of user ``user_id`` in the server's PostgreSQL (satisfies
    :class:`deepcareer.store.learner.LearnerRecord`). Cheap: one per request is fine."""

    def __init__(self, engine: Engine, user_id: int,
                 clock: Callable[[], datetime] = utcnow, *,
                 before: tuple[int, datetime] | None = None) -> None:
        """``before`` (attempt number, its time): a read-only view of the record as it was
        when that attempt was submitted (earlier attempts, earlier events), with which the
        server replays what a local check does at that moment (scheduling reviews)."""
        self.engine = engine
        self.user_id = int(user_id)
        self.clock = clock
        self.before = before

    # --- plumbing -----------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[Connection]:
        """A transaction holding this learner's advisory lock (released at commit)."""
        with self.engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                         {"k": LOCK_SPACE + self.user_id})
            yield conn

    def _numbered(self) -> Connection:
        """Give graded submissions without an attempt number one (oldest first), then
        return a connection for reading. Called before every read of attempts."""
        mine = and_(submissions.c.user_id == self.user_id, submissions.c.state == "done",
                    submissions.c.kind == "exercise", submissions.c.seq.is_(None))
        with self.engine.connect() as conn:
            waiting = conn.execute(select(func.count()).where(mine)).scalar_one()
        if waiting:  # one statement, oldest first, after this learner's highest number
            with self._locked() as conn:
                conn.execute(text(
                    "UPDATE submissions s SET seq = n.base + n.rn FROM (SELECT id, "
                    "row_number() OVER (ORDER BY created_at, id) AS rn, (SELECT "
                    "COALESCE(max(seq), 0) FROM submissions WHERE user_id = :u) AS base "
                    "FROM submissions WHERE user_id = :u AND state = 'done' "
                    "AND kind = 'exercise' AND seq IS NULL"
                    ") n WHERE s.id = n.id"), {"u": self.user_id})
        return self.engine.connect()

    def _done(self) -> Any:
        cond = and_(submissions.c.user_id == self.user_id, submissions.c.state == "done",
                    submissions.c.kind == "exercise", submissions.c.seq.is_not(None))
        return cond if self.before is None else and_(cond, submissions.c.seq < self.before[0])

    # --- the log ------------------------------------------------------------------------

    def add_event(self, exercise_id: str, kind: str, data: dict[str, Any] | None = None
                  ) -> int:
        with self._locked() as conn:
            new_id = self._next_id(conn, learner_events)
            conn.execute(insert(learner_events).values(
                user_id=self.user_id, id=new_id, exercise_id=exercise_id, kind=kind,
                created_at=self.clock(), data=json.dumps(data or {})))
        return new_id

    def _next_id(self, conn: Connection, table: Any) -> int:
        """The next id of this learner's rows in ``table`` (under the learner's lock)."""
        return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0) + 1)
                                .where(table.c.user_id == self.user_id)).scalar_one())

    def attempts(self, exercise_id: str | None = None) -> list[AttemptRow]:
        s = submissions.c
        query = select(s.seq, s.exercise_id, s.created_at, s.status, s.report, s.duration_s,
                       s.code_sha256, s.code, s.isolation, self._hint_level()
                       ).where(self._done())
        if exercise_id is not None:
            query = query.where(s.exercise_id == exercise_id)
        with self._numbered() as conn:
            rows = conn.execute(query.order_by(s.seq)).all()
        out = []
        for r in rows:
            report = r.report if isinstance(r.report, dict) else {}
            out.append({
                "id": int(r.seq), "exercise_id": r.exercise_id, "content_version": 0,
                "created_at": iso(r.created_at), "status": r.status,
                "message": str(report.get("message") or ""),
                "findings": list(report.get("findings") or []),
                "hint_level": int(r.hint_level), "duration_s": float(r.duration_s or 0.0),
                "code_sha256": r.code_sha256, "code": r.code, "report": json.dumps(report),
                "isolation": _isolation(r.isolation), "origin": "learner"})
        return cast("list[AttemptRow]", out)

    def _hint_level(self) -> Any:
        """Hints shown for the exercise before the submission (what a local check records
        as ``hint_level`` when it runs)."""
        e = learner_events.c
        return (select(func.count()).where(and_(
            e.user_id == self.user_id, e.exercise_id == submissions.c.exercise_id,
            e.kind == "hint", e.created_at < submissions.c.created_at))
            .scalar_subquery().label("hint_level"))

    def events(self, exercise_id: str | None = None, kind: str | None = None,
               after_id: int = 0, conn: Connection | None = None) -> list[EventRow]:
        """``conn``: a connection to read on (a grade's own transaction), else a new one."""
        e = learner_events.c
        query = select(e.id, e.exercise_id, e.kind, e.created_at, e.data).where(
            and_(e.user_id == self.user_id, e.id > after_id))
        if self.before is not None:
            query = query.where(e.created_at < self.before[1])
        if exercise_id is not None:
            query = query.where(e.exercise_id == exercise_id)
        if kind is not None:
            query = query.where(e.kind == kind)
        with contextlib.nullcontext(conn) if conn is not None else self.engine.connect() \
                as reader:
            rows = reader.execute(query.order_by(e.id)).all()
        return cast("list[EventRow]", [
            {"id": int(r.id), "exercise_id": r.exercise_id, "kind": r.kind,
             "created_at": iso(r.created_at), "data": json.loads(r.data or "{}")}
            for r in rows])

    def attempt_summaries(self, after_id: int = 0) -> list[AttemptSummary]:
        s = submissions.c
        first = func.row_number().over(partition_by=(s.exercise_id, s.code_sha256),
                                       order_by=s.seq)
        query = (select(s.seq, s.exercise_id, s.created_at, s.status, s.report,
                        s.duration_s, s.code_sha256, s.isolation, self._hint_level(),
                        first.label("nth"))
                 .where(self._done()).order_by(s.seq))
        with self._numbered() as conn:
            rows = [r for r in conn.execute(query).all() if r.seq > after_id]
        out = []
        for r in rows:
            report = r.report if isinstance(r.report, dict) else {}
            out.append({
                "id": int(r.seq), "exercise_id": r.exercise_id,
                "created_at": iso(r.created_at), "status": r.status,
                "findings": list(report.get("findings") or []),
                "hint_level": int(r.hint_level), "duration_s": float(r.duration_s or 0.0),
                "code_sha256": r.code_sha256, "isolation": _isolation(r.isolation),
                "origin": "learner", "repeat": int(bool(r.code_sha256) and r.nth > 1)})
        return cast("list[AttemptSummary]", out)

    def tally(self) -> dict[str, Any]:
        """The same totals as the local store's running tally, computed from the graded
        submissions (a learner's history is small; the cohort dashboard has its own)."""
        s = submissions.c
        with self._numbered() as conn:
            rows = conn.execute(select(s.seq, s.exercise_id, s.created_at, s.status, s.report)
                                .where(self._done()).order_by(s.seq)).all()
        exercises: dict[str, dict[str, Any]] = {}
        misconceptions: dict[str, dict[str, Any]] = {}
        days: set[str] = set()
        for r in rows:
            at = iso(r.created_at)
            ex = exercises.setdefault(r.exercise_id, {
                "rows": 0, "real": 0, "passed": 0, "last_id": 0, "last_at": "",
                "last_status": None})
            ex["rows"] += 1
            ex["real"] += r.status != "not_attempted"
            ex["passed"] = max(ex["passed"], int(r.status == "pass"))
            ex["last_id"], ex["last_status"] = int(r.seq), r.status
            ex["last_at"] = max(ex["last_at"], at)
            days.add(at[:10])
            report = r.report if isinstance(r.report, dict) else {}
            named: dict[str, str] = {}
            for f in report.get("findings") or []:
                if isinstance(f, dict) and f.get("misconception"):
                    named[str(f["misconception"])] = str(f.get("title") or "")
            for mid, title in named.items():
                m = misconceptions.setdefault(mid, {"title": title, "n": 0, "exercises": {}})
                m["title"] = title or m["title"]
                m["n"] += 1
                m["exercises"][r.exercise_id] = m["exercises"].get(r.exercise_id, 0) + 1
        return {"attempt": int(rows[-1].seq) if rows else 0, "exercises": exercises,
                "misconceptions": misconceptions, "days": sorted(days)}

    def exercise_summary(self) -> dict[str, dict[str, Any]]:
        return dict(self.tally()["exercises"])

    def recent_attempts(self, n: int) -> list[RecentAttempt]:
        s = submissions.c
        with self._numbered() as conn:
            rows = conn.execute(select(s.exercise_id, s.status, s.created_at)
                                .where(self._done()).order_by(s.seq.desc()).limit(n)).all()
        return cast("list[RecentAttempt]", [
            {"exercise_id": r.exercise_id, "status": r.status, "created_at": iso(r.created_at)}
            for r in rows])

    def change_stamp(self) -> tuple[Any, ...]:
        u = self.user_id
        with self.engine.connect() as conn:
            row = conn.execute(text(
                "SELECT (SELECT count(*) FROM submissions WHERE user_id = :u AND state = 'done')"
                " AS a, (SELECT max(id) FROM learner_events WHERE user_id = :u) AS e, "
                "(SELECT max(id) FROM learner_reviews WHERE user_id = :u) AS r, "
                "(SELECT max(due) FROM learner_cards WHERE user_id = :u) AS c, "
                "(SELECT value FROM learner_settings WHERE user_id = :u AND key = 'goal') AS g"
            ), {"u": u}).one()
        return tuple(row)

    def started_ids(self) -> set[str]:
        e = learner_events.c
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(select(e.exercise_id).distinct().where(
                and_(e.user_id == self.user_id, e.kind == "start")))}

    def count_misconception(self, misconception_id: str) -> int:
        found = self.tally()["misconceptions"].get(misconception_id)
        return int(found["n"]) if found else 0

    # --- spaced review ------------------------------------------------------------------

    def card(self, card_id: str) -> CardRow | None:
        c = learner_cards.c
        with self.engine.connect() as conn:
            row = conn.execute(select(learner_cards).where(
                and_(c.user_id == self.user_id, c.id == card_id))).first()
        return _card(row) if row is not None else None

    def cards(self, due_before: str | None = None) -> list[CardRow]:
        c = learner_cards.c
        query = select(learner_cards).where(c.user_id == self.user_id)
        if due_before is not None:
            query = query.where(c.due <= _moment(due_before))
        with self.engine.connect() as conn:
            return [_card(r) for r in conn.execute(query.order_by(c.due, c.id))]

    def count_due(self, before: str) -> int:
        c = learner_cards.c
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).where(
                and_(c.user_id == self.user_id, c.due <= _moment(before)))).scalar_one())

    def save_review(self, card: dict[str, Any], review: dict[str, Any]) -> None:
        values = {"user_id": self.user_id, "id": card["id"], "kind": card["kind"],
                  "ref": card["ref"], "created_at": _moment(card["created_at"]),
                  "due": _moment(card["due"]), "card": _text(card["card"])}
        with self._locked() as conn:
            stmt = pg_insert(learner_cards).values(**values)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=[learner_cards.c.user_id, learner_cards.c.id],
                set_={k: stmt.excluded[k] for k in ("kind", "ref", "created_at", "due",
                                                     "card")}))
            conn.execute(insert(learner_reviews).values(
                user_id=self.user_id, id=self._next_id(conn, learner_reviews),
                card_id=review["card_id"], rating=int(review["rating"]),
                reviewed_at=_moment(review["reviewed_at"]), source=review["source"],
                log=_text(review.get("log", "{}"))))

    def reviews(self, card_id: str | None = None, kind: str | None = None
                ) -> list[ReviewRow]:
        r = learner_reviews.c
        query = select(learner_reviews).where(r.user_id == self.user_id)
        if card_id is not None:
            query = query.where(r.card_id == card_id)
        if kind is not None:
            query = query.where(func.substr(r.card_id, 1, len(kind) + 1) == f"{kind}:")
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(r.id)).all()
        return cast("list[ReviewRow]", [
            {"id": int(x.id), "card_id": x.card_id, "rating": int(x.rating),
             "reviewed_at": iso(x.reviewed_at), "source": x.source, "log": x.log}
            for x in rows])

    # --- project runs -------------------------------------------------------------------

    def run_summaries(self) -> list[RunSummary]:
        """The learner's project submissions as runs, oldest first: each one trained by a
        worker with a seed the server drew and, when it passed, once more with another
        (``app/class_projects.py``); a verified one is its own reproduction."""
        s = submissions.c
        query = (select(s.id, s.exercise_id, s.created_at, s.status, s.report, s.code_sha256,
                        s.isolation)
                 .where(and_(s.user_id == self.user_id, s.kind == "project",
                             s.state == "done"))
                 .order_by(s.created_at, s.id))
        if self.before is not None:
            query = query.where(s.created_at < self.before[1])
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        out = []
        for n, r in enumerate(rows, start=1):
            report = r.report if isinstance(r.report, dict) else {}
            seeds = report.get("seeds") or [0]
            verified = bool(report.get("verified")) and r.status == "pass"
            metric = report.get("metric")
            out.append({
                "id": n, "project_id": r.exercise_id, "created_at": iso(r.created_at),
                "seed": int(seeds[0]), "status": _run_status(r.status, report),
                "metric": float(metric) if isinstance(metric, int | float) else None,
                "passed": int(bool(report.get("passed")) or verified), "reproduces": None,
                "verified_by": n if verified else None, "isolation": _isolation(r.isolation),
                "origin": "learner", "code_sha256": r.code_sha256})
        return cast("list[RunSummary]", out)

    # --- derived caches and settings ----------------------------------------------------

    def skill_states(self) -> dict[str, dict[str, Any]]:
        k = learner_skill_states.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(k.skill, k.p, k.evidence, k.correct)
                                .where(k.user_id == self.user_id)).all()
        return {r.skill: {"skill": r.skill, "p": float(r.p), "evidence": int(r.evidence),
                          "correct": int(r.correct)} for r in rows}

    def save_skill_states(self, states: dict[str, dict[str, Any]], cursor: dict[str, Any]
                          ) -> None:
        with self._locked() as conn:
            conn.execute(delete(learner_skill_states)
                         .where(learner_skill_states.c.user_id == self.user_id))
            if states:
                conn.execute(insert(learner_skill_states), [
                    {"user_id": self.user_id, "skill": s["skill"], "p": float(s["p"]),
                     "evidence": int(s["evidence"]), "correct": int(s["correct"])}
                    for s in states.values()])
            self._put(conn, "mastery_cursor", cursor)

    def settings(self) -> dict[str, Any]:
        k = learner_settings.c
        with self.engine.connect() as conn:
            return {r.key: json.loads(r.value) for r in conn.execute(
                select(k.key, k.value).where(k.user_id == self.user_id))}

    def setting(self, key: str, default: Any = None) -> Any:
        k = learner_settings.c
        with self.engine.connect() as conn:
            value = conn.execute(select(k.value).where(
                and_(k.user_id == self.user_id, k.key == key))).scalar()
        return json.loads(value) if value is not None else default

    def set_setting(self, key: str, value: Any) -> None:
        with self.engine.begin() as conn:
            self._put(conn, key, value)

    def _put(self, conn: Connection, key: str, value: Any) -> None:
        stmt = pg_insert(learner_settings).values(user_id=self.user_id, key=key,
                                                  value=json.dumps(value))
        conn.execute(stmt.on_conflict_do_update(
            index_elements=[learner_settings.c.user_id, learner_settings.c.key],
            set_={"value": stmt.excluded.value}))

    # --- when the learner was active ----------------------------------------------------

    def _times(self) -> str:
        """The learner's activity times (graded attempts, events, reviews) as SQL."""
        return ("SELECT created_at AS t FROM submissions WHERE user_id = :u AND state = 'done' "
                "UNION ALL SELECT created_at FROM learner_events WHERE user_id = :u "
                "UNION ALL SELECT reviewed_at FROM learner_reviews WHERE user_id = :u")

    def _between(self, lo: str, hi: str = "9999") -> tuple[str, dict[str, Any]]:
        where: list[str] = []
        params: dict[str, Any] = {"u": self.user_id}
        if lo:
            where.append("t >= :lo")
            params["lo"] = _moment(lo)
        if hi and not hi.startswith("9999"):
            where.append("t <= :hi")
            params["hi"] = _moment(hi)
        sql = f"SELECT t FROM ({self._times()}) a"
        return (sql + (" WHERE " + " AND ".join(where) if where else ""), params)

    def activity_stamps(self, since: str = "") -> list[str]:
        sql, params = self._between(since)
        with self.engine.connect() as conn:
            return [iso(r[0]) for r in conn.execute(text(sql), params)]

    def minutes_active(self, lo: str, hi: str, gap_min: float, start_min: float) -> float:
        inner, params = self._between(lo, hi)
        sql = (f"WITH t AS ({inner}), g AS (SELECT EXTRACT(EPOCH FROM t - LAG(t) OVER "
               "(ORDER BY t)) / 60.0 AS gap FROM t) SELECT COALESCE(SUM(CASE WHEN gap IS NOT "
               "NULL AND gap >= 0 AND gap <= :gap THEN gap ELSE :start END), 0) FROM g")
        with self.engine.connect() as conn:
            return float(conn.execute(text(sql), {**params, "gap": gap_min,
                                                  "start": start_min}).scalar_one())

    def activity_latest_and_count(self) -> tuple[str | None, int]:
        with self.engine.connect() as conn:
            latest, n = conn.execute(text(f"SELECT max(t), count(*) FROM ({self._times()}) a "
                                          ), {"u": self.user_id}).one()
        return (iso(latest) if latest is not None else None), int(n)

    def activity_count_since(self, since: str) -> int:
        sql, params = self._between(since)
        with self.engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM ({sql}) b"), params)
                       .scalar_one())

    def active_days(self) -> set[date]:
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(text(
                f"SELECT DISTINCT (t AT TIME ZONE 'UTC')::date FROM ({self._times()}) a"),
                {"u": self.user_id})}


def _moment(value: str | datetime) -> datetime:
    """An ISO time from the domain layer as an aware datetime for PostgreSQL."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _run_status(status: str | None, report: dict[str, Any]) -> str:
    """A project submission's status in a local run's words: ``pass`` when the first run
    passed (verified or not), else what it ended with."""
    if report.get("passed") or status == "pass":
        return "pass"
    return status if status in ("leak", "error", "timeout") else "fail"


def _isolation(value: str | None) -> str:
    """The sandbox a grade ran in; anything unrecorded counts as the weaker one."""
    return value if value in ISOLATIONS else "guard"


def _card(row: Any) -> CardRow:
    return cast("CardRow", {"id": row.id, "kind": row.kind, "ref": row.ref,
                            "created_at": iso(row.created_at), "due": iso(row.due),
                            "card": row.card})


if TYPE_CHECKING:  # mypy checks that this class has every method of the interface
    from deepcareer.store.learner import LearnerRecord

    def _server(store: PgLearnerStore) -> LearnerRecord:
        return store
