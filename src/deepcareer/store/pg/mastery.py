"""Each learner's mastery per skill on the class server, and the cohort-wide figures the
dashboard needs, each one query (a cohort of 1,000 learners must not replay 100,000 rows)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, select, text

from deepcareer.store.pg.schema import learner_exercises, learner_skills, submissions
from deepcareer.store.pg.submissions import now

Row = dict[str, Any]


def rebuild(engine: Engine, user_id: int,
            skills: Callable[[list[Row]], Mapping[str, Mapping[str, Any]]]) -> None:
    """Recompute one learner's kept figures from their graded submissions: mastery per skill
    (``skills`` turns the rows into estimates) and the tally per exercise. One learner at a
    time: the advisory lock makes two grades finishing together rebuild in turn, so the later
    rebuild (which sees both) is the one kept."""
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 0x64630000 + user_id})
        rows = [dict(r) for r in conn.execute(
            select(submissions.c.id, submissions.c.exercise_id, submissions.c.created_at,
                   submissions.c.status, submissions.c.report, submissions.c.code_sha256)
            .where(and_(submissions.c.user_id == user_id, submissions.c.state == "done"))
            .order_by(submissions.c.created_at, submissions.c.id)).mappings()]
        at = now()
        states = skills(rows)
        conn.execute(delete(learner_skills).where(learner_skills.c.user_id == user_id))
        if states:
            conn.execute(insert(learner_skills), [
                {"user_id": user_id, "skill_id": sid, "p": float(st["p"]),
                 "evidence": int(st["evidence"]), "correct": int(st["correct"]),
                 "verified": bool(st["verified"]), "updated_at": at}
                for sid, st in states.items()])
        tallies: dict[str, Row] = {}
        for r in rows:
            t = tallies.setdefault(r["exercise_id"], {"user_id": user_id,
                                                      "exercise_id": r["exercise_id"],
                                                      "attempts": 0, "fails_in_a_row": 0,
                                                      "first_pass_at": None})
            t["attempts"] += 1
            t["last_at"] = r["created_at"]
            if r["status"] == "pass":
                t["fails_in_a_row"] = 0
                t["first_pass_at"] = t["first_pass_at"] or r["created_at"]
            elif r["status"] in FAILED:
                t["fails_in_a_row"] += 1
        conn.execute(delete(learner_exercises).where(learner_exercises.c.user_id == user_id))
        if tallies:
            conn.execute(insert(learner_exercises), list(tallies.values()))


#: Statuses that count as a failure in a row (an untouched starter does not).
FAILED = ("fail", "error", "timeout")


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
    ``since``: id, title, n (submissions), learners, exercises."""
    query = text("""
        SELECT f.misconception AS id, max(f.title) AS title, count(*) AS n,
               count(DISTINCT f.user_id) AS learners,
               array_agg(DISTINCT f.exercise_id) AS exercises
        FROM findings f
        JOIN memberships m ON m.user_id = f.user_id AND m.cohort_id = :c
                          AND m.role = 'learner'
        WHERE f.created_at >= :since
        GROUP BY f.misconception
        ORDER BY n DESC, id LIMIT :top""")
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query, {"c": cohort_id, "since": since,
                                                      "top": top}).mappings()]


def stuck(engine: Engine, cohort_id: int, after: int) -> list[Row]:
    """(user_id, exercise_id, failures) where a learner has failed an exercise ``after``
    times or more in a row, with no pass since."""
    query = text("""
        SELECT e.user_id, e.exercise_id, e.fails_in_a_row AS failures
        FROM learner_exercises e
        JOIN memberships m ON m.user_id = e.user_id AND m.cohort_id = :c
                          AND m.role = 'learner'
        WHERE e.fails_in_a_row >= :after
        ORDER BY failures DESC, e.user_id""")
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query, {"c": cohort_id, "after": after})
                .mappings()]


def last_activity(engine: Engine, cohort_id: int) -> dict[int, datetime]:
    query = text("""
        SELECT e.user_id, max(e.last_at) AS last FROM learner_exercises e
        JOIN memberships m ON m.user_id = e.user_id AND m.cohort_id = :c
                          AND m.role = 'learner'
        GROUP BY e.user_id""")
    with engine.connect() as conn:
        return {int(r["user_id"]): r["last"] for r in conn.execute(query, {"c": cohort_id})
                .mappings()}


def bands(engine: Engine, cohort_id: int, edges: Sequence[float], top: float
          ) -> dict[str, dict[int, int]]:
    """skill -> band -> learners, for learners with evidence on the skill: band k + 1 for
    the k-th interval of ``edges`` (p < edges[0] is band 1), and the last band for verified
    skills at ``top`` or above."""
    query = text("""
        SELECT s.skill_id,
               CASE WHEN s.verified AND s.p >= :top THEN :last
                    ELSE 1 + (s.p >= :e0)::int + (s.p >= :e1)::int END AS band,
               count(*) AS n
        FROM learner_skills s
        JOIN memberships m ON m.user_id = s.user_id AND m.cohort_id = :c
                          AND m.role = 'learner'
        WHERE s.evidence > 0
        GROUP BY 1, 2""")
    out: dict[str, dict[int, int]] = {}
    with engine.connect() as conn:
        for r in conn.execute(query, {"c": cohort_id, "top": top, "last": len(edges) + 2,
                                      "e0": edges[0], "e1": edges[1]}).mappings():
            out.setdefault(str(r["skill_id"]), {})[int(r["band"])] = int(r["n"])
    return out


def passes_by_deadline(engine: Engine, cohort_id: int) -> set[tuple[int, int]]:
    """(assignment id, user id) for every learner of the cohort who passed an assignment's
    exercise by its deadline."""
    query = text("""
        SELECT a.id AS assignment_id, e.user_id
        FROM assignments a
        JOIN memberships m ON m.cohort_id = a.cohort_id AND m.role = 'learner'
        JOIN learner_exercises e ON e.user_id = m.user_id AND e.exercise_id = a.item_id
        WHERE a.cohort_id = :c AND e.first_pass_at IS NOT NULL
          AND (a.due_at IS NULL OR e.first_pass_at <= a.due_at)""")
    with engine.connect() as conn:
        return {(int(r[0]), int(r[1])) for r in conn.execute(query, {"c": cohort_id})}


def count_graded(engine: Engine, cohort_id: int) -> int:
    query = text("""
        SELECT coalesce(sum(e.attempts), 0) FROM learner_exercises e
        JOIN memberships m ON m.user_id = e.user_id AND m.cohort_id = :c
                          AND m.role = 'learner'""")
    with engine.connect() as conn:
        return int(conn.execute(query, {"c": cohort_id}).scalar_one())
