"""Each learner's mastery per skill on the class server, and the cohort-wide figures the
dashboard needs, each one query (a cohort of 1,000 learners must not replay 100,000 rows).

The kept figures follow each grade by folding the new row into what is kept (``update``),
so a grade costs the same on a learner's first day and their hundredth; ``rebuild`` replays
the learner's whole history and is the repair path, taken whenever a fold could differ
from it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, insert, select, text

from deepcareer.store.pg.schema import learner_exercises, learner_skills, submissions
from deepcareer.store.pg.submissions import HELD_LOCK, LOCK_BASE, now

Row = dict[str, Any]


#: ``skills(rows)``: a learner's mastery per skill from all their graded rows, in order.
Skills = Callable[[list[Row]], Mapping[str, Mapping[str, Any]]]
#: ``fold(row, repeat, kept)``: the kept skill rows (skill id -> p, evidence, correct,
#: verified) updated by one more graded row, which is later than every row they hold;
#: only the skills it changes. None when the kept figures cannot be folded exactly.
Fold = Callable[[Row, bool, dict[str, Row]], Mapping[str, Mapping[str, Any]] | None]


def rebuild(bind: Engine | Connection, user_id: int, skills: Skills) -> None:
    """Recompute one learner's kept figures from their graded submissions: mastery per skill
    (``skills`` turns the rows into estimates) and the tally per exercise. One learner at a
    time: the advisory lock makes two grades finishing together rebuild in turn, so the later
    rebuild (which sees both) is the one kept."""
    with _transaction(bind) as conn:
        _lock(conn, user_id)
        _rebuild(conn, user_id, skills)


def update(bind: Engine | Connection, user_id: int, sub_id: str, fold: Fold,
           skills: Skills) -> str:
    """Bring one learner's kept figures up to date after ``sub_id`` was graded: fold that
    one row in when the figures hold exactly every other graded row and it is the latest
    (the usual case: a few rows read and written, whatever the learner's history), else
    rebuild from every row (a grade that finished out of order, a fold that was lost with
    its worker, figures written by an older version). Returns ``folded`` or ``rebuilt``.

    The kept tallies say which rows they hold: their attempts add up to the number of rows
    folded in, and their last activity is the latest row's time. So the fold is exact when
    the tallies count every graded row but this one, none of them is as late as this one,
    and no other graded row is either (ties go to the rebuild, which orders them by id).
    """
    with _transaction(bind) as conn:
        _lock(conn, user_id)
        row = conn.execute(_STATE, {"u": user_id, "id": sub_id}).mappings().first()
        exact = (row is not None and int(row["as_late"]) == 0
                 and int(row["attempts"]) == int(row["done"]) - 1
                 and (row["last"] is None or row["last"] < row["created_at"]))
        states = None
        if exact:
            assert row is not None
            held = {str(k["skill_id"]): k for k in row["skills"]}
            states = fold({k: row[k] for k in ("id", "exercise_id", "created_at", "status",
                                               "report", "code_sha256")},
                          bool(row["repeat"]), held)
        if states is None:
            _rebuild(conn, user_id, skills)
            return "rebuilt"
        assert row is not None
        status = str(row["status"])
        ordered = list(states.items())
        conn.execute(_FOLD, {
            "u": user_id, "at": now(), "ex": row["exercise_id"], "when": row["created_at"],
            "kind": "pass" if status == "pass" else "failed" if status in FAILED else "other",
            "sids": [sid for sid, _ in ordered],
            "ps": [float(st["p"]) for _, st in ordered],
            "evidence": [int(st["evidence"]) for _, st in ordered],
            "correct": [int(st["correct"]) for _, st in ordered],
            "verified": [bool(st["verified"]) for _, st in ordered]})
        return "folded"


# The graded row, what the fold must check (how many graded rows there are and whether any
# is as late as this one, whether its code was graded before for the same exercise, what
# the kept tallies hold) and the kept skills: one statement, one round trip.
_STATE = text("""
    SELECT s.id, s.exercise_id, s.created_at, s.status, s.report, s.code_sha256,
      (SELECT count(*) FROM submissions o
       WHERE o.user_id = :u AND o.state = 'done') AS done,
      (SELECT count(*) FROM submissions o
       WHERE o.user_id = :u AND o.state = 'done' AND o.created_at >= s.created_at
             AND o.id <> s.id) AS as_late,
      EXISTS (SELECT 1 FROM submissions o
              WHERE o.user_id = :u AND o.state = 'done' AND o.exercise_id = s.exercise_id
                    AND o.code_sha256 = s.code_sha256 AND o.id <> s.id) AS repeat,
      (SELECT coalesce(sum(e.attempts), 0) FROM learner_exercises e
       WHERE e.user_id = :u) AS attempts,
      (SELECT max(e.last_at) FROM learner_exercises e WHERE e.user_id = :u) AS last,
      (SELECT coalesce(json_agg(json_build_object(
                'skill_id', k.skill_id, 'p', k.p, 'evidence', k.evidence,
                'correct', k.correct, 'verified', k.verified)), '[]')
       FROM learner_skills k WHERE k.user_id = :u) AS skills
    FROM submissions s WHERE s.id = :id AND s.user_id = :u AND s.state = 'done'""")

# The folded skills and the exercise's tally, written in one statement.
_FOLD = text("""
    WITH kept AS (
        INSERT INTO learner_skills (user_id, skill_id, p, evidence, correct, verified,
                                    updated_at)
        SELECT :u, f.skill_id, f.p, f.evidence, f.correct, f.verified, :at
        FROM unnest(CAST(:sids AS text[]), CAST(:ps AS float8[]), CAST(:evidence AS int[]),
                    CAST(:correct AS int[]), CAST(:verified AS boolean[]))
             AS f(skill_id, p, evidence, correct, verified)
        ON CONFLICT (user_id, skill_id) DO UPDATE SET
            p = excluded.p, evidence = excluded.evidence, correct = excluded.correct,
            verified = excluded.verified, updated_at = excluded.updated_at
        RETURNING 1)
    INSERT INTO learner_exercises AS t (user_id, exercise_id, attempts, fails_in_a_row,
                                        first_pass_at, last_at)
    VALUES (:u, :ex, 1, CASE WHEN :kind = 'failed' THEN 1 ELSE 0 END,
            CASE WHEN :kind = 'pass' THEN CAST(:when AS timestamptz) END, :when)
    ON CONFLICT (user_id, exercise_id) DO UPDATE SET
        attempts = t.attempts + 1, last_at = excluded.last_at,
        fails_in_a_row = CASE :kind WHEN 'pass' THEN 0
                                    WHEN 'failed' THEN t.fails_in_a_row + 1
                                    ELSE t.fails_in_a_row END,
        first_pass_at = coalesce(t.first_pass_at, excluded.first_pass_at)""")


def _transaction(bind: Engine | Connection) -> contextlib.AbstractContextManager[Connection]:
    """A transaction of its own on an engine; on a connection, the caller's."""
    return bind.begin() if isinstance(bind, Engine) else contextlib.nullcontext(bind)


def _lock(conn: Connection, user_id: int) -> None:
    """One learner's kept figures change in turn (held to the end of the transaction; a
    grade's own transaction took it already when it wrote the grade)."""
    if conn.info.get(HELD_LOCK) != user_id:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_BASE + user_id})


def _rebuild(conn: Connection, user_id: int, skills: Skills) -> None:
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


def kept(bind: Engine | Connection, user_id: int) -> tuple[dict[str, Row], dict[str, Row]]:
    """One learner's kept figures as stored: (skill id -> p, evidence, correct, verified),
    (exercise id -> attempts, fails_in_a_row, first_pass_at, last_at)."""
    with bind.connect() if isinstance(bind, Engine) else contextlib.nullcontext(bind) as conn:
        skill_rows = {str(r["skill_id"]): {k: r[k] for k in ("p", "evidence", "correct",
                                                              "verified")}
                      for r in conn.execute(select(learner_skills).where(
                          learner_skills.c.user_id == user_id)).mappings()}
        tally_rows = {str(r["exercise_id"]): {k: r[k] for k in ("attempts", "fails_in_a_row",
                                                                "first_pass_at", "last_at")}
                      for r in conn.execute(select(learner_exercises).where(
                          learner_exercises.c.user_id == user_id)).mappings()}
    return skill_rows, tally_rows


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
