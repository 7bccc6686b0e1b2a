"""What a cohort's pages read: members, assignments, and each learner's graded submissions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, insert, select

from deepcareer.store.pg.schema import assignments, cohorts, memberships, submissions, users

Row = dict[str, Any]


def cohort(engine: Engine, cohort_id: int) -> Row | None:
    with engine.connect() as conn:
        row = conn.execute(select(cohorts).where(cohorts.c.id == cohort_id)).mappings().first()
    return dict(row) if row else None


def cohorts_of(engine: Engine, user_id: int) -> list[Row]:
    """The cohorts a user belongs to, with their role in each, newest first."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(cohorts.c.id, cohorts.c.name, memberships.c.role)
            .join(memberships, memberships.c.cohort_id == cohorts.c.id)
            .where(memberships.c.user_id == user_id)
            .order_by(cohorts.c.created_at.desc())).mappings()]


def members(engine: Engine, cohort_id: int, role: str = "learner") -> list[Row]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(users.c.id, users.c.email, users.c.name)
            .join(memberships, memberships.c.user_id == users.c.id)
            .where(and_(memberships.c.cohort_id == cohort_id, memberships.c.role == role))
            .order_by(users.c.name, users.c.id)).mappings()]


def add_assignment(engine: Engine, cohort_id: int, kind: str, item_id: str,
                   due_at: datetime | None) -> int:
    with engine.begin() as conn:
        return int(conn.execute(insert(assignments).values(
            cohort_id=cohort_id, kind=kind, item_id=item_id, due_at=due_at)
            .returning(assignments.c.id)).scalar_one())


def assignments_of(engine: Engine, cohort_id: int) -> list[Row]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(assignments).where(assignments.c.cohort_id == cohort_id)
            .order_by(assignments.c.due_at.nulls_last(), assignments.c.id)).mappings()]


def graded(engine: Engine, user_ids: list[int]) -> list[Row]:
    """Graded submissions of these learners, oldest first (without code: the pages that
    list them never show it)."""
    if not user_ids:
        return []
    cond = [submissions.c.user_id.in_(user_ids), submissions.c.state == "done"]
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(submissions.c.id, submissions.c.user_id, submissions.c.exercise_id,
                   submissions.c.created_at, submissions.c.status, submissions.c.report,
                   submissions.c.code_sha256)
            .where(and_(*cond)).order_by(submissions.c.created_at, submissions.c.id)).mappings()]


def submissions_of(engine: Engine, user_id: int, limit: int = 50) -> list[Row]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(submissions.c.id, submissions.c.exercise_id, submissions.c.created_at,
                   submissions.c.state, submissions.c.status)
            .where(submissions.c.user_id == user_id)
            .order_by(submissions.c.created_at.desc()).limit(limit)).mappings()]
