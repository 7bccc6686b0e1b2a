"""Rows written in bulk for benchmarks and demos: graded submissions without grading them."""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Engine, insert

from deepcareer.store.pg.schema import findings, submissions
from deepcareer.store.pg.submissions import finding_rows, now

_REPORTS = {
    "pass": {"status": "pass", "message": "All checks pass.", "checks": [], "findings": []},
    "fail": {"status": "fail", "message": "Wrong on 6 of 16 cases.", "checks": [],
             "findings": [{"misconception": "softmax.no-max-shift",
                           "title": "exponentiating the logits without subtracting the "
                           "maximum first", "confidence": "diagnosed", "evidence": "",
                           "hint": ""}]},
}
_EXERCISES = ("softmax", "mse", "cross-entropy", "dense-layer", "adam", "conv2d")


def add_graded(engine: Engine, user_ids: Sequence[int], n: int, seed: int = 0,
               batch: int = 5000) -> None:
    """``n`` done submissions spread over ``user_ids`` and the last 30 days."""
    rng = random.Random(seed)
    at = now()
    rows = []
    for i in range(n):
        status = "pass" if rng.random() < 0.6 else "fail"
        code = f"# submission {i}\n"
        when = at - timedelta(minutes=rng.randrange(30 * 24 * 60))
        rows.append({"id": str(uuid.UUID(int=rng.getrandbits(128))),
                     "user_id": user_ids[i % len(user_ids)],
                     "exercise_id": rng.choice(_EXERCISES), "code": code,
                     "code_sha256": hashlib.sha256(code.encode()).hexdigest(),
                     "created_at": when, "state": "done", "enqueued_at": when,
                     "started_at": when, "graded_at": when, "deliveries": 1,
                     "status": status, "report": _REPORTS[status], "duration_s": 0.2,
                     "worker": "bulk", "isolation": "os"})
        if len(rows) >= batch:
            _flush(engine, rows)
    _flush(engine, rows)


def _flush(engine: Engine, rows: list[dict[str, object]]) -> None:
    if rows:
        named = [f for r in rows if r["status"] == "fail"
                 for f in finding_rows(str(r["id"]), int(r["user_id"]),  # type: ignore[call-overload]
                                       str(r["exercise_id"]), r["created_at"],  # type: ignore[arg-type]
                                       r["report"])]  # type: ignore[arg-type]
        with engine.begin() as conn:
            conn.execute(insert(submissions), rows)
            if named:
                conn.execute(insert(findings), named)
        rows.clear()


def add_learners(engine: Engine, cohort_id: int, n: int) -> list[int]:
    """``n`` learner accounts in a cohort, without passwords anyone could use (a benchmark's
    cohort; the hash is not a valid Argon2 string, so no sign-in can succeed)."""
    from deepcareer.store.pg.schema import memberships, users

    at = now()
    tag = uuid.uuid4().hex[:8]
    with engine.begin() as conn:
        ids = [int(r[0]) for r in conn.execute(insert(users).returning(users.c.id), [
            {"email": f"bench-{tag}-{i}@example.org", "name": f"Learner {i}",
             "role": "learner", "password_hash": "!", "created_at": at} for i in range(n)])]
        conn.execute(insert(memberships), [{"cohort_id": cohort_id, "user_id": u,
                                            "role": "learner", "joined_at": at} for u in ids])
    return ids
