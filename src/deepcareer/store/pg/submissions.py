"""Submissions: the record a grade is written into, once.

A submission is inserted (state ``queued``) and committed before its id is put on the
queue. A worker *claims* it (``running``, one more delivery counted) and *finishes* it
(``done``, the report written) with conditional updates that never leave ``done``: a
message delivered twice, a worker killed after grading but before acknowledging, or a
sweeper re-enqueueing a slow submission all end with one result in one row. The sweeper
re-enqueues what has sat ``running`` past a timeout (a worker lost with its machine) and,
when the queue is empty, what is still ``queued`` (a message lost with Redis).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    and_,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)

from deepcareer.store.pg.notices import GRADED
from deepcareer.store.pg.schema import submissions


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Claimed:
    """What a worker needs to grade one submission."""

    id: str
    exercise_id: str
    code: str
    deliveries: int
    user_id: int
    kind: str = "exercise"


#: The key of a learner's advisory lock (one learner's kept figures change in turn).
LOCK_BASE = 0x64630000
#: ``Connection.info`` key: the learner whose lock this transaction already holds.
HELD_LOCK = "deepcareer_learner_lock"


def _autocommit(engine: Engine) -> Connection:
    """A connection whose single statements commit by themselves: one round trip to the
    server instead of three (BEGIN, the statement, COMMIT) for a write that is one
    statement anyway."""
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def create(engine: Engine, user_id: int, exercise_id: str, code: str, kind: str = "exercise",
           allowed_s: float | None = None) -> str:
    """Write the submission (committed) and return its id; enqueue only after this.
    ``allowed_s``: how long a worker may hold it before the sweeper gives it to another."""
    sub_id = str(uuid.uuid4())
    at = now()
    with _autocommit(engine) as conn:
        conn.execute(insert(submissions).values(
            id=sub_id, user_id=user_id, exercise_id=exercise_id, kind=kind,
            allowed_s=allowed_s, code=code,
            code_sha256=hashlib.sha256(code.encode()).hexdigest(), created_at=at,
            state="queued", enqueued_at=at))
    return sub_id


def claim(engine: Engine, sub_id: str, worker: str) -> Claimed | None:
    """Mark a submission as being graded; None when it is already done (a duplicate
    delivery: nothing to do) or does not exist."""
    with _autocommit(engine) as conn:
        row = conn.execute(
            update(submissions)
            .where(and_(submissions.c.id == sub_id, submissions.c.state != "done"))
            .values(state="running", started_at=now(), worker=worker[:200],
                    deliveries=submissions.c.deliveries + 1)
            .returning(submissions.c.exercise_id, submissions.c.code,
                       submissions.c.deliveries, submissions.c.user_id, submissions.c.kind)
        ).first()
    return Claimed(sub_id, row[0], row[1], int(row[2]), int(row[3]), str(row[4])) \
        if row else None


_FINISH = text("""
    WITH done AS (
        UPDATE submissions SET state = 'done', graded_at = :at, status = :status,
               report = :report, duration_s = :duration, isolation = :isolation
        WHERE id = :id AND state <> 'done'
        RETURNING user_id, exercise_id, created_at),
    named AS (
        INSERT INTO findings (submission_id, misconception, user_id, exercise_id, title,
                              created_at)
        SELECT :id, f.misconception, d.user_id, d.exercise_id, f.title, d.created_at
        FROM done d, unnest(CAST(:misconceptions AS text[]), CAST(:titles AS text[]))
             AS f(misconception, title)
        RETURNING 1)
    SELECT d.user_id, (SELECT count(*) FROM named) AS named,
           pg_advisory_xact_lock(:base + d.user_id) IS NULL AS locked,
           pg_notify(:channel, :id) IS NULL AS told
    FROM done d""").bindparams(bindparam("report", type_=JSON))


def finish(engine: Engine, sub_id: str, report: dict[str, Any],
           then: Callable[[Connection, int], object] | None = None) -> bool:
    """Write the grade; False when another delivery wrote it first (this one is dropped).

    One statement writes the grade and the misconceptions a failed report names, takes the
    learner's lock and announces the grade (``store.pg.notices``: heard at commit by the
    page waiting for it); ``then(conn, user_id)`` runs after it in the same transaction, with
    the lock held (the learner's kept figures): the grade and what follows from it commit
    together or not at all, in a handful of round trips to the server.
    """
    status = str(report.get("status", "error"))
    named = finding_rows(sub_id, 0, "", now(), report) if status == "fail" else []
    with engine.begin() as conn:
        row = conn.execute(_FINISH, {
            "id": sub_id, "at": now(), "status": status, "report": report,
            "duration": float(report.get("duration_s") or 0.0),
            "isolation": str(report.get("isolation") or ""), "base": LOCK_BASE,
            "channel": GRADED,
            "misconceptions": [f["misconception"] for f in named],
            "titles": [f["title"] for f in named]}).first()
        if row is not None and then is not None:
            conn.info[HELD_LOCK] = int(row[0])
            try:
                then(conn, int(row[0]))
            finally:
                conn.info.pop(HELD_LOCK, None)
    return row is not None


def finding_rows(sub_id: str, user_id: int, exercise_id: str, created_at: datetime,
                 report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per misconception a failed report names (for the week's most frequent)."""
    seen: dict[str, dict[str, Any]] = {}
    for f in report.get("findings") or []:
        mid = str(f.get("misconception") or "")[:200]
        if mid and mid not in seen:
            seen[mid] = {"submission_id": sub_id, "misconception": mid, "user_id": user_id,
                         "exercise_id": exercise_id, "title": str(f.get("title") or mid),
                         "created_at": created_at}
    return list(seen.values())


def stuck(engine: Engine, state: str, older_than: timedelta, limit: int = 500
          ) -> list[tuple[str, str]]:
    """(id, kind) in ``state`` (``running``: since the claim, for longer than the row's own
    ``allowed_s`` when it has one, else ``older_than``; ``queued``: since the last enqueue)
    for longer than that. Their ``enqueued_at`` (and ``started_at``) are reset, so one sweep
    takes each at most once and concurrent sweepers skip each other's rows."""
    at = now()
    if state == "running":
        allowed = func.coalesce(submissions.c.allowed_s, older_than.total_seconds())
        late = submissions.c.started_at + allowed * literal_column("interval '1 second'") < at
        since = submissions.c.started_at
    else:
        late = submissions.c.enqueued_at < at - older_than
        since = submissions.c.enqueued_at
    with engine.begin() as conn:
        found = [(str(r[0]), str(r[1])) for r in conn.execute(
            select(submissions.c.id, submissions.c.kind)
            .where(and_(submissions.c.state == state, late))
            .order_by(since).limit(limit)
            .with_for_update(skip_locked=True))]
        if found:
            values = {"enqueued_at": now()}
            if state == "running":
                values["started_at"] = now()
            conn.execute(update(submissions).where(
                submissions.c.id.in_([i for i, _ in found])).values(**values))
    return found


def state_of(engine: Engine, sub_id: str) -> str | None:
    with _autocommit(engine) as conn:
        found = conn.execute(select(submissions.c.state).where(submissions.c.id == sub_id)
                             ).scalar_one_or_none()
    return None if found is None else str(found)


def get(engine: Engine, sub_id: str) -> dict[str, Any] | None:
    """One submission (a learner's page and the terminal poll this while they wait: one
    statement, no transaction around it)."""
    with _autocommit(engine) as conn:
        row = conn.execute(select(submissions).where(submissions.c.id == sub_id)).mappings() \
            .first()
    return dict(row) if row else None


def counts(engine: Engine) -> dict[str, int]:
    """Submissions per state (for the readiness endpoint and the load bench)."""
    from sqlalchemy import func

    with engine.connect() as conn:
        rows = conn.execute(select(submissions.c.state, func.count())
                            .group_by(submissions.c.state)).all()
    return {state: int(n) for state, n in rows}


def statuses_of(engine: Engine, user_id: int, item_id: str, kind: str) -> list[str]:
    """One learner's graded submissions of one item, oldest first: their statuses."""
    with engine.connect() as conn:
        return [str(r[0]) for r in conn.execute(
            select(submissions.c.status)
            .where(and_(submissions.c.user_id == user_id, submissions.c.exercise_id == item_id,
                        submissions.c.kind == kind, submissions.c.state == "done"))
            .order_by(submissions.c.created_at, submissions.c.id))]
