"""Each learner's mastery per skill on the class server, and the cohort-wide figures the
dashboard needs, each one query (a cohort of 1,000 learners must not replay 100,000 rows)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.dialects.postgresql import insert

from deepcareer.store.pg.schema import learner_skills
from deepcareer.store.pg.submissions import now

Row = dict[str, Any]


def replace_for(engine: Engine, user_id: int,
                compute: Callable[[], Mapping[str, Mapping[str, Any]]]) -> None:
    """Recompute one learner's mastery and store it, one learner at a time: the advisory
    lock makes two grades finishing together replay in turn, so the later replay (which
    sees both) is the one kept."""
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 0x64630000 + user_id})
        states = compute()
        if not states:
            return
        at = now()
        rows = [{"user_id": user_id, "skill_id": sid, "p": float(s["p"]),
                 "evidence": int(s["evidence"]), "correct": int(s["correct"]),
                 "verified": bool(s["verified"]), "updated_at": at}
                for sid, s in states.items()]
        stmt = insert(learner_skills).values(rows)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["user_id", "skill_id"],
            set_={c: stmt.excluded[c] for c in ("p", "evidence", "correct", "verified",
                                                 "updated_at")}))


def of_users(engine: Engine, user_ids: Sequence[int]) -> dict[int, dict[str, Row]]:
    if not user_ids:
        return {}
    out: dict[int, dict[str, Row]] = {}
    with engine.connect() as conn:
        for r in conn.execute(select(learner_skills).where(
                learner_skills.c.user_id.in_(list(user_ids)))).mappings():
            out.setdefault(int(r["user_id"]), {})[str(r["skill_id"])] = dict(r)
    return out


def misconceptions(engine: Engine, cohort_id: int, since: datetime, top: int = 8
                   ) -> list[Row]:
    """The misconceptions most often named in the cohort's failed submissions since
    ``since``: id, title, submissions, learners, exercises."""
    query = text("""
        SELECT f->>'misconception' AS id, max(f->>'title') AS title, count(*) AS n,
               count(DISTINCT s.user_id) AS learners,
               array_agg(DISTINCT s.exercise_id) AS exercises
        FROM submissions s
        JOIN memberships m ON m.user_id = s.user_id AND m.cohort_id = :c
                          AND m.role = 'learner'
        CROSS JOIN LATERAL jsonb_array_elements(
            COALESCE((s.report::jsonb)->'findings', '[]'::jsonb)) AS f
        WHERE s.state = 'done' AND s.status = 'fail' AND s.created_at >= :since
          AND coalesce(f->>'misconception', '') <> ''
        GROUP BY f->>'misconception'
        ORDER BY n DESC, id LIMIT :top""")
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query, {"c": cohort_id, "since": since,
                                                      "top": top}).mappings()]


def stuck(engine: Engine, cohort_id: int, after: int) -> list[Row]:
    """(user_id, exercise_id, failures) where a learner has failed an exercise ``after``
    times or more since their last pass on it (or ever)."""
    query = text("""
        SELECT s.user_id, s.exercise_id, count(*) AS failures
        FROM submissions s
        JOIN memberships m ON m.user_id = s.user_id AND m.cohort_id = :c
                          AND m.role = 'learner'
        WHERE s.state = 'done' AND s.status <> 'pass'
          AND s.created_at > COALESCE((
              SELECT max(p.created_at) FROM submissions p
              WHERE p.user_id = s.user_id AND p.exercise_id = s.exercise_id
                AND p.status = 'pass'), '-infinity'::timestamptz)
        GROUP BY s.user_id, s.exercise_id
        HAVING count(*) >= :after
        ORDER BY failures DESC""")
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query, {"c": cohort_id, "after": after})
                .mappings()]


def last_activity(engine: Engine, cohort_id: int) -> dict[int, datetime]:
    query = text("""
        SELECT s.user_id, max(s.created_at) AS last FROM submissions s
        JOIN memberships m ON m.user_id = s.user_id AND m.cohort_id = :c
                          AND m.role = 'learner'
        GROUP BY s.user_id""")
    with engine.connect() as conn:
        return {int(r["user_id"]): r["last"] for r in conn.execute(query, {"c": cohort_id})
                .mappings()}


def passes_by_deadline(engine: Engine, cohort_id: int) -> set[tuple[int, int]]:
    """(assignment id, user id) for every learner of the cohort who passed an assignment's
    exercise by its deadline."""
    query = text("""
        SELECT DISTINCT a.id AS assignment_id, s.user_id
        FROM assignments a
        JOIN memberships m ON m.cohort_id = a.cohort_id AND m.role = 'learner'
        JOIN submissions s ON s.user_id = m.user_id AND s.exercise_id = a.item_id
                          AND s.status = 'pass'
                          AND (a.due_at IS NULL OR s.created_at <= a.due_at)
        WHERE a.cohort_id = :c""")
    with engine.connect() as conn:
        return {(int(r[0]), int(r[1])) for r in conn.execute(query, {"c": cohort_id})}


def count_graded(engine: Engine, cohort_id: int) -> int:
    query = text("""
        SELECT count(*) FROM submissions s
        JOIN memberships m ON m.user_id = s.user_id AND m.cohort_id = :c
                          AND m.role = 'learner'
        WHERE s.state = 'done'""")
    with engine.connect() as conn:
        return int(conn.execute(query, {"c": cohort_id}).scalar_one())


__all__ = ["count_graded", "last_activity", "misconceptions", "of_users",
           "passes_by_deadline", "replace_for", "stuck"]
