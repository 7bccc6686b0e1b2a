"""Per-exercise state and per-skill mastery, computed from the attempt log.

Mastery per skill (Bayesian knowledge tracing) lives in ``mentor/mastery.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from deepcareer.curriculum.catalog import Catalog
from deepcareer.store.db import Store

State = Literal["passed", "attempted", "started", "new"]


@dataclass(frozen=True)
class ExerciseProgress:
    id: str
    title: str
    state: State
    attempts: int
    last_status: str | None


def exercise_progress(store: Store, catalog: Catalog) -> list[ExerciseProgress]:
    by_id: dict[str, list[dict[str, Any]]] = {}
    for a in store.attempts():
        by_id.setdefault(catalog.canonical_id(a["exercise_id"]), []).append(a)
    started = {catalog.canonical_id(e["exercise_id"]) for e in store.events(kind="start")}
    out = []
    for ex in catalog:
        rows = by_id.get(ex.id, [])
        real = [r for r in rows if r["status"] != "not_attempted"]
        state: State
        if any(r["status"] == "pass" for r in rows):
            state = "passed"
        elif real:
            state = "attempted"
        elif rows or ex.id in started:
            state = "started"
        else:
            state = "new"
        out.append(ExerciseProgress(ex.id, ex.meta.title, state, len(real),
                                    rows[-1]["status"] if rows else None))
    return out


@dataclass(frozen=True)
class Step:
    kind: str  # exercise | done
    id: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "reason": self.reason}


def next_step(store: Store, catalog: Catalog) -> Step:
    """The first unfinished exercise, in curriculum order, whose prerequisites are passed."""
    progress = exercise_progress(store, catalog)
    passed = {p.id for p in progress if p.state == "passed"}
    for p in progress:
        if p.state == "passed":
            continue
        ex = catalog.get(p.id)
        missing = [q for q in ex.meta.prerequisites if q in catalog.exercises and q not in passed]
        if missing:
            continue
        if p.state == "new":
            reason = ("it is the first exercise of the curriculum" if not passed else
                      "it is the next exercise whose prerequisites you have passed")
        else:
            reason = f"you have started it ({p.attempts} attempts so far) and not passed it yet"
        return Step("exercise", p.id, reason)
    return Step("done", None, "every exercise is passed: well done")
