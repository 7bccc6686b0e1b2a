"""Progress and the simple planner, computed from the log alone."""

from __future__ import annotations

from deepcareer.curriculum.catalog import Catalog
from deepcareer.mentor.planner import plan as next_step
from deepcareer.mentor.progress import exercise_progress
from deepcareer.store.db import Store


def _log(store: Store, exercise_id: str, status: str) -> None:
    store.add_attempt(exercise_id=exercise_id, content_version=1, status=status, findings=[],
                      report={})


def test_empty_history_starts_at_the_first_exercise(store: Store, catalog: Catalog) -> None:
    step = next_step(store, catalog)
    assert step.kind == "exercise" and step.id == next(iter(catalog)).id
    assert "first" in step.reason


def test_next_skips_passed_and_respects_prerequisites(store: Store, catalog: Catalog) -> None:
    order = [ex.id for ex in catalog]
    _log(store, order[0], "pass")
    step = next_step(store, catalog)
    assert step.id != order[0]
    ex = catalog.get(step.id or "")
    assert all(p == order[0] or p not in catalog.exercises for p in ex.meta.prerequisites)


def test_failed_attempts_keep_an_exercise_current(store: Store, catalog: Catalog) -> None:
    first = next(iter(catalog)).id
    _log(store, first, "fail")
    step = next_step(store, catalog)
    assert step.id == first and "1 attempt so far" in step.reason


def test_everything_passed_is_done(store: Store, catalog: Catalog) -> None:
    for ex in catalog:
        _log(store, ex.id, "pass")
    from tests.mentor.test_planner import _log_verified_project

    while (step := next_step(store, catalog)).kind == "project":  # mastered skills: projects
        _log_verified_project(store, step.id or "")
    assert step.kind == "quiz"  # the concept skills still need their quizzes
    from deepcareer.mentor.quiz import load_quizzes

    for qid in load_quizzes():
        store.add_event(f"quiz:{qid}", "quiz", {"score": 4, "total": 4})
    while (step := next_step(store, catalog)).kind == "project":  # quizzes show more skills
        _log_verified_project(store, step.id or "")
    assert step.kind == "done"


def test_not_attempted_checks_do_not_count_as_attempts(store: Store, catalog: Catalog) -> None:
    first = next(iter(catalog)).id
    _log(store, first, "not_attempted")
    row = next(p for p in exercise_progress(store, catalog) if p.id == first)
    assert row.state == "started" and row.attempts == 0
