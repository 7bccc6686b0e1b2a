"""Each grade folds one row into a learner's kept figures instead of replaying their whole
history; the fold must give exactly what the replay gives, on any history, and fall back to
the replay whenever it could not (grades finishing out of order, a fold lost with its
worker)."""

from __future__ import annotations

import random
import uuid
from typing import Any

from sqlalchemy import Engine

from deepcareer.app import accounts, cohorts
from deepcareer.curriculum.catalog import default_catalog
from deepcareer.store.pg import mastery as mastery_db
from deepcareer.store.pg import submissions
from tests.server.conftest import Stack

CATALOG = default_catalog()
# Exercises whose skills overlap, so one skill's estimate is folded from several exercises.
EXERCISES = ("softmax", "cross-entropy", "softmax-regression", "mse", "dense-layer")
STATUSES = ("pass", "pass", "fail", "fail", "error", "timeout", "not_attempted")


def _report(rng: random.Random, exercise: str, status: str) -> dict[str, Any]:
    findings = []
    if status == "fail" and rng.random() < 0.6:
        findings = [{"misconception": f"{exercise}.bug-{rng.randrange(3)}", "title": "a bug",
                     "confidence": "diagnosed", "evidence": "", "hint": ""}]
    return {"version": 1, "exercise": exercise, "status": status, "message": status,
            "checks": [], "findings": findings, "duration_s": 0.1}


def _code(rng: random.Random, exercise: str, status: str) -> str:
    if status == "pass" and rng.random() < 0.1:
        return CATALOG.get(exercise).solution_source  # our solution: never evidence
    return f"# {exercise} attempt {rng.randrange(4)}\n"  # a few texts: repeats happen


def _learner(engine: Engine) -> int:
    user = accounts.create_user(engine, f"fold-{uuid.uuid4().hex[:8]}@example.org", "F",
                                "correct horse battery")
    return user.id


def _replayed(engine: Engine, user_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the full replay keeps for this learner now, without keeping it."""
    with engine.connect() as conn:
        trans = conn.begin()
        cohorts.learner_mastery(conn, user_id)
        figures = mastery_db.kept(conn, user_id)
        trans.rollback()
    return figures


def _finish(engine: Engine, sub_id: str, report: dict[str, Any], outcomes: list[str],
            fold: bool = True) -> None:
    claimed = submissions.claim(engine, sub_id, "test")
    assert claimed is not None

    def then(conn: Any, user_id: int) -> None:
        outcomes.append(cohorts.learner_mastery(conn, user_id, CATALOG, sub_id))

    assert submissions.finish(engine, sub_id, report, then=then if fold else None)


def test_folding_each_grade_equals_replaying_the_whole_history(stack: Stack) -> None:
    rng = random.Random(18)
    outcomes: list[str] = []
    verified = 0
    for _ in range(6):
        user_id = _learner(stack.engine)
        for _ in range(rng.randrange(15, 30)):
            exercise = rng.choice(EXERCISES)
            status = rng.choice(STATUSES)
            sub_id = submissions.create(stack.engine, user_id, exercise,
                                        _code(rng, exercise, status))
            _finish(stack.engine, sub_id, _report(rng, exercise, status), outcomes)
            # Compared after every grade, never repaired in between: folds accumulate.
            assert mastery_db.kept(stack.engine, user_id) == _replayed(stack.engine, user_id)
        skills, tallies = mastery_db.kept(stack.engine, user_id)
        assert sum(t["attempts"] for t in tallies.values()) >= 15
        verified += sum(s["verified"] for s in skills.values())
    assert outcomes and set(outcomes) == {"folded"}  # in order, every grade folds
    assert verified  # the draw reached verified skills (lifted above the cap) too


def test_grades_out_of_order_or_a_lost_fold_take_the_replay(stack: Stack) -> None:
    rng = random.Random(1818)
    outcomes: list[str] = []
    for _ in range(4):
        user_id = _learner(stack.engine)
        made = []
        for _ in range(20):
            exercise = rng.choice(EXERCISES)
            status = rng.choice(STATUSES)
            made.append((submissions.create(stack.engine, user_id, exercise,
                                            _code(rng, exercise, status)),
                         _report(rng, exercise, status)))
        order = list(range(len(made)))
        for i in range(len(order) - 1):  # neighbours finish the other way round, often
            if rng.random() < 0.3:
                order[i], order[i + 1] = order[i + 1], order[i]
        for n, i in enumerate(order):
            sub_id, report = made[i]
            # A worker lost between the grade and its fold (the last one always folds).
            lost = n < len(order) - 1 and rng.random() < 0.1
            _finish(stack.engine, sub_id, report, outcomes, fold=not lost)
            if not lost:  # the next fold must repair what the lost one left out
                assert mastery_db.kept(stack.engine, user_id) == \
                    _replayed(stack.engine, user_id)
    assert "folded" in outcomes and "rebuilt" in outcomes


def test_a_fold_never_counts_a_grade_the_replay_already_holds(stack: Stack) -> None:
    """A later grade's replay saw this row; its own fold, arriving after, must not add it
    again (the kept tallies say which rows they hold)."""
    user_id = _learner(stack.engine)
    first = submissions.create(stack.engine, user_id, "softmax", "# one\n")
    second = submissions.create(stack.engine, user_id, "softmax", "# two\n")
    third = submissions.create(stack.engine, user_id, "softmax", "# three\n")
    for sub_id in (first, third):
        submissions.claim(stack.engine, sub_id, "test")
        assert submissions.finish(stack.engine, sub_id, _report(random.Random(0), "softmax",
                                                                "fail"))
    # The third's fold comes first and replays (the first was never folded): it holds both.
    assert cohorts.learner_mastery(stack.engine, user_id, CATALOG, third) == "rebuilt"
    # The second finishes now, earlier than the third: replayed again, not folded on top.
    submissions.claim(stack.engine, second, "test")
    submissions.finish(stack.engine, second, _report(random.Random(0), "softmax", "pass"))
    assert cohorts.learner_mastery(stack.engine, user_id, CATALOG, second) == "rebuilt"
    # The first's fold, late: the kept figures already hold it.
    assert cohorts.learner_mastery(stack.engine, user_id, CATALOG, first) == "rebuilt"
    skills, tallies = mastery_db.kept(stack.engine, user_id)
    assert tallies["softmax"]["attempts"] == 3
    assert (skills, tallies) == _replayed(stack.engine, user_id)


def test_a_late_fold_of_the_latest_grade_is_not_counted_twice(stack: Stack) -> None:
    """The latest grade already held (a replay saw it) while an earlier one is not: the
    counts alone would allow a fold; the kept last activity says the row is in."""
    user_id = _learner(stack.engine)
    earlier = submissions.create(stack.engine, user_id, "softmax", "# earlier\n")
    latest = submissions.create(stack.engine, user_id, "softmax", "# latest\n")
    submissions.claim(stack.engine, latest, "test")
    submissions.finish(stack.engine, latest, _report(random.Random(0), "softmax", "pass"))
    cohorts.learner_mastery(stack.engine, user_id, CATALOG)  # a replay: holds the latest
    submissions.claim(stack.engine, earlier, "test")
    submissions.finish(stack.engine, earlier, _report(random.Random(0), "softmax", "fail"))
    assert cohorts.learner_mastery(stack.engine, user_id, CATALOG, latest) == "rebuilt"
    skills, tallies = mastery_db.kept(stack.engine, user_id)
    assert tallies["softmax"]["attempts"] == 2
    assert (skills, tallies) == _replayed(stack.engine, user_id)


def test_a_grade_is_written_even_when_its_figures_cannot_be(
        stack: Stack, monkeypatch: Any) -> None:
    """A fault in the kept figures never holds a grade back; the next grade repairs them."""
    from deepcareer.app import classroom

    user_id = _learner(stack.engine)
    first = submissions.create(stack.engine, user_id, "softmax", "# broken fold\n")
    real = cohorts.learner_mastery

    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("a fault in the figures")

    monkeypatch.setattr(cohorts, "learner_mastery", broken)
    monkeypatch.setattr("deepcareer.grading.grader.grade",
                        lambda ex, code: _Report(_report(random.Random(0), ex.id, "fail")))
    assert classroom.grade(stack.engine, first, "test").outcome == "graded"
    assert submissions.get(stack.engine, first)["state"] == "done"  # type: ignore[index]
    assert mastery_db.kept(stack.engine, user_id) == ({}, {})  # behind by one grade
    monkeypatch.setattr(cohorts, "learner_mastery", real)
    second = submissions.create(stack.engine, user_id, "softmax", "# next\n")
    assert classroom.grade(stack.engine, second, "test").outcome == "graded"
    skills, tallies = mastery_db.kept(stack.engine, user_id)
    assert tallies["softmax"]["attempts"] == 2
    assert (skills, tallies) == _replayed(stack.engine, user_id)


class _Report:
    """A grader's report without running the sandbox (the figures are under test)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)
