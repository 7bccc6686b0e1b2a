"""Per-exercise state and per-skill mastery, computed from the attempt log.

Mastery per skill (Bayesian knowledge tracing) lives in ``mentor/mastery.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from deepcareer.curriculum.catalog import Catalog
from deepcareer.store.learner import LearnerRecord

State = Literal["passed", "attempted", "started", "new"]


@dataclass(frozen=True)
class ExerciseProgress:
    id: str
    title: str
    state: State
    attempts: int
    last_status: str | None
    last_at: str | None = None  # ISO time of the latest attempt


def exercise_progress(store: LearnerRecord, catalog: Catalog) -> list[ExerciseProgress]:
    """State of every exercise, from one aggregate query (renamed ids follow their alias)."""
    by_id: dict[str, dict[str, Any]] = {}
    for old_id, row in store.exercise_summary().items():
        canonical = catalog.canonical_id(old_id)  # ids no longer in the catalog are ignored below
        have = by_id.get(canonical)
        if have is None:
            by_id[canonical] = dict(row)
        else:  # the same exercise logged under its old and new id
            have["rows"] += row["rows"]
            have["real"] += row["real"]
            have["passed"] = max(have["passed"], row["passed"])
            if row["last_id"] > have["last_id"]:
                have["last_id"], have["last_status"] = row["last_id"], row["last_status"]
            have["last_at"] = max(have["last_at"], row["last_at"])
    started = {catalog.canonical_id(sid) for sid in store.started_ids()}
    out = []
    for ex in catalog:
        summary = by_id.get(ex.id)
        state: State
        if summary and summary["passed"]:
            state = "passed"
        elif summary and summary["real"]:
            state = "attempted"
        elif summary or ex.id in started:
            state = "started"
        else:
            state = "new"
        out.append(ExerciseProgress(ex.id, ex.meta.title, state,
                                    int(summary["real"]) if summary else 0,
                                    summary["last_status"] if summary else None,
                                    summary["last_at"] if summary else None))
    return out
