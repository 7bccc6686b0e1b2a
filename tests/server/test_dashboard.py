"""The mentor's dashboard: mastery from graded work, the week's misconceptions, who is stuck or
idle, completion per assignment, the CSV of results; and who may see it."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest

from deepcareer.app import accounts, classroom, cohorts
from deepcareer.curriculum.catalog import default_catalog
from deepcareer.store.pg.submissions import now
from tests.server.conftest import Stack

PASSWORD = "correct horse battery"
SOFTMAX = default_catalog().get("softmax")
# A learner's own correct softmax (the reference's own text is never evidence).
RIGHT = """import numpy as np


def softmax(logits):
    z = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)
"""
NO_SHIFT = RIGHT.replace("logits - logits.max(axis=-1, keepdims=True)", "logits")


def _email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}@example.org"


def _graded(stack: Stack, user: accounts.User, code: str, exercise: str = "softmax") -> str:
    sub = classroom.submit(stack.engine, lambda _id: None, user.id, exercise, code)
    classroom.grade(stack.engine, sub, "inline")
    return sub


@pytest.fixture
def cohort(stack: Stack) -> tuple[accounts.User, int, list[accounts.User]]:
    teacher = accounts.create_user(stack.engine, _email("t"), "Teacher", PASSWORD,
                                   role="instructor")
    cohort_id = accounts.create_cohort(stack.engine, teacher, "Dashboard cohort")
    link = accounts.invite(stack.engine, teacher, cohort_id)
    learners = [accounts.sign_up(stack.engine, link, _email(n), n, PASSWORD)
                for n in ("Ann", "Ben", "Cat")]
    return teacher, cohort_id, learners


def test_the_dashboard_tells_a_mentor_what_to_teach_on_monday(
        stack: Stack, cohort: tuple[accounts.User, int, list[accounts.User]]) -> None:
    teacher, cohort_id, (ann, ben, _cat) = cohort
    assert "no-max-shift" in str(SOFTMAX.checks.misconceptions)
    cohorts.add_assignment(stack.engine, teacher, cohort_id, "exercise", "softmax",
                           due_at=now() + timedelta(days=3))
    _graded(stack, ann, NO_SHIFT)
    _graded(stack, ann, RIGHT)
    for _ in range(3):
        _graded(stack, ben, NO_SHIFT + f"\n# try {uuid.uuid4().hex}\n")
    board = cohorts.dashboard(stack.engine, teacher, cohort_id)
    assert next(m.title for m in board.misconceptions) == next(
        m.title for m in SOFTMAX.checks.misconceptions if m.id.endswith("no-max-shift"))
    top = board.misconceptions[0]
    assert top.count == 4 and top.learners == 2 and top.exercises == (SOFTMAX.meta.title,)
    assert [(s[0].name, s[2]) for s in board.stuck] == [("Ben", 3)]
    assert [i[0].name for i in board.idle] == ["Cat"]
    assert [(c.item_id, c.done, c.total) for c in board.completion] == [("softmax", 1, 3)]
    skill = SOFTMAX.meta.skills[0]
    assert board.mastery[ann.id][skill].verified and not board.mastery[ben.id][skill].verified
    assert board.mastery[ann.id][skill].p > board.mastery[ben.id][skill].p


def test_the_csv_has_a_row_per_learner_and_a_column_per_assignment(
        stack: Stack, cohort: tuple[accounts.User, int, list[accounts.User]]) -> None:
    teacher, cohort_id, (ann, ben, _cat) = cohort
    cohorts.add_assignment(stack.engine, teacher, cohort_id, "exercise", "softmax")
    cohorts.add_assignment(stack.engine, teacher, cohort_id, "exercise", "mse",
                           due_at=now() - timedelta(days=1))  # already past
    _graded(stack, ann, RIGHT)
    mine = ("import numpy as np\n\ndef mse(pred, target):\n"
            "    return ((pred - target) ** 2).mean()\n\n"
            "def mse_grad(pred, target):\n    return 2 * (pred - target) / pred.size\n")
    _graded(stack, ann, mine, "mse")  # a pass, but after the deadline
    rows = list(csv.reader(io.StringIO(cohorts.results_csv(stack.engine, teacher, cohort_id))))
    # Columns in deadline order, undated last.
    assert rows[0] == ["Email address", "Full name", "deepcareer: mse", "deepcareer: softmax"]
    by_email = {r[0]: r[2:] for r in rows[1:]}
    assert by_email[ann.email] == ["0", "100"] and by_email[ben.email] == ["0", "0"]
    assert len(rows) == 4


def test_only_the_cohorts_staff_see_its_dashboard(
        stack: Stack, cohort: tuple[accounts.User, int, list[accounts.User]]) -> None:
    teacher, cohort_id, (ann, _ben, _cat) = cohort
    other = accounts.create_user(stack.engine, _email("o"), "Other", PASSWORD,
                                 role="instructor")
    for viewer in (ann, other):
        with pytest.raises(accounts.NotAllowed):
            cohorts.dashboard(stack.engine, viewer, cohort_id)
        with pytest.raises(accounts.NotAllowed):
            cohorts.results_csv(stack.engine, viewer, cohort_id)
    with pytest.raises(accounts.NotAllowed):
        cohorts.add_assignment(stack.engine, ann, cohort_id, "exercise", "softmax")
    from deepcareer.errors import DeepcareerError

    with pytest.raises(DeepcareerError):
        cohorts.add_assignment(stack.engine, teacher, cohort_id, "exercise", "no-such-thing")
