"""A learner's own work on the class server, through the local app's use cases: hints (each
one logged), the solution after honest attempts (the local rule, counted over the server's
own grades), quizzes (answers recorded), due reviews; and the mentor's page for a learner,
which is the local app's mentor report computed from the learner's record in PostgreSQL."""

from __future__ import annotations

import re
import uuid
from contextlib import closing
from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from deepcareer.app import accounts, classroom, progress
from deepcareer.app import quiz as quizzes
from deepcareer.app.practice import SOLUTION_AFTER_FAILURES
from deepcareer.app.review import ask
from deepcareer.app.review import card as describe
from deepcareer.curriculum.catalog import default_catalog
from deepcareer.mentor import review as schedule
from deepcareer.server.config import Settings
from deepcareer.server.web import create_app
from deepcareer.store.pg.learner import PgLearnerStore
from deepcareer.store.pg.submissions import now
from tests.server.conftest import Stack

PASSWORD = "correct horse battery"
BASE = "http://testserver"
SOFTMAX = default_catalog().get("softmax")
NO_SHIFT = """import numpy as np


def softmax(logits):
    z = np.exp(logits)
    return z / z.sum(axis=-1, keepdims=True)
"""
# Different wrong code each time: honest attempts (the same code twice counts once).
WRONG = [NO_SHIFT.replace("keepdims=True)", f"keepdims=True) * {k}") for k in (2, 3, 4)]
RIGHT = NO_SHIFT.replace("np.exp(logits)", "np.exp(logits - logits.max(axis=-1, keepdims=True))")


def _email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}@example.org"


@pytest.fixture
def app(stack: Stack) -> Any:
    return create_app(Settings(stack.database_url, stack.redis_url),
                      enqueue=lambda sub: classroom.grade(stack.engine, sub, "inline"),
                      queue_length=lambda: 0)


def _client(app: Any) -> TestClient:
    return TestClient(app, base_url=BASE, follow_redirects=False)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _learner(stack: Stack, client: TestClient, name: str) -> tuple[accounts.User, str]:
    user = accounts.create_user(stack.engine, _email(name), name, PASSWORD)
    assert client.post("/signin", data={"email": user.email, "password": PASSWORD}
                       ).status_code == 303
    return user, _csrf(client.get("/").text)


def _submit(client: TestClient, csrf: str, code: str) -> str:
    sent = client.post("/exercises/softmax/submit", data={"code": code, "csrf": csrf})
    assert sent.status_code == 303, sent.text
    return client.get(sent.headers["location"]).text


def test_hints_are_logged_and_the_solution_opens_after_honest_attempts(
        stack: Stack, app: Any) -> None:
    with closing(_client(app)) as a, closing(_client(app)) as b:
        ann, csrf = _learner(stack, a, "Ann")
        ben, ben_csrf = _learner(stack, b, "Ben")
        page = a.get("/exercises/softmax")
        assert page.status_code == 200 and 'id="hint-button"' in page.text
        record = PgLearnerStore(stack.engine, ann.id)
        assert record.started_ids() == {"softmax"}  # the first visit is the start
        # Without the token, or from another site: refused, and nothing logged.
        assert a.post("/exercises/softmax/hint", data={"code": "x"}).status_code == 403
        assert a.post("/exercises/softmax/hint", data={"csrf": csrf},
                      headers={"Origin": "https://evil.example"}).status_code == 403
        assert record.events(kind="hint") == []
        hinted = a.post("/exercises/softmax/hint", data={"csrf": csrf, "code": "# mine"})
        assert hinted.status_code == 200 and "Hint 1 of" in hinted.text
        assert "# mine" in hinted.text  # the learner's code is kept in the editor
        assert SOFTMAX.meta.hints[0].split(":")[0][:30] in hinted.text
        assert len(record.events("softmax", "hint")) == 1
        # After a diagnosed failure the ladder is that mistake's (the local rule).
        assert "exponentiating the logits" in _submit(a, csrf, NO_SHIFT)
        hinted = a.post("/exercises/softmax/hint", data={"csrf": csrf})
        assert "exponentiating the logits" in hinted.text
        locked = a.post("/exercises/softmax/solution", data={"csrf": csrf})
        assert locked.status_code == 200 and "Not yet" in locked.text
        assert f"1 of {SOLUTION_AFTER_FAILURES}" in locked.text
        assert "BEGIN SOLUTION" not in locked.text and record.events(kind="solution") == []
        # The same code again does not count; different wrong code does.
        _submit(a, csrf, NO_SHIFT)
        for code in WRONG[:SOLUTION_AFTER_FAILURES - 1]:
            _submit(a, csrf, code)
        graded = [r["status"] for r in record.attempts("softmax")]
        assert graded.count("pass") == 0 and len(graded) == SOLUTION_AFTER_FAILURES + 1
        opened = a.post("/exercises/softmax/solution", data={"csrf": csrf})
        assert "The reference solution" in opened.text
        assert "def softmax" in opened.text
        assert [e["data"]["forced"] for e in record.events(kind="solution")] == [False]
        # Ben's record is his own: no hints, no attempts, and the solution stays locked.
        theirs = PgLearnerStore(stack.engine, ben.id)
        assert theirs.events(kind="hint") == [] and theirs.attempts() == []
        ben_view = b.post("/exercises/softmax/solution", data={"csrf": ben_csrf})
        assert "Not yet" in ben_view.text and "0 of" in ben_view.text
        assert "exponentiating the logits" not in b.get("/exercises/softmax").text
        # and Ann's token does not work in Ben's session
        assert b.post("/exercises/softmax/hint", data={"csrf": csrf}).status_code == 403
        # A pass after the solution is practice, not verified work, on the mentor's
        # dashboard too; Ben's honest pass is verified.
        _submit(a, csrf, RIGHT)
        _submit(b, ben_csrf, RIGHT)
        assert _verified(stack, ann.id) == {False}
        assert _verified(stack, ben.id) == {True}


def _verified(stack: Stack, user_id: int) -> set[bool]:
    """The dashboard's kept "verified" flags of softmax's skills for one learner."""
    from sqlalchemy import text

    with stack.engine.connect() as conn:
        return {bool(r[0]) for r in conn.execute(text(
            "SELECT verified FROM learner_skills WHERE user_id = :u AND skill_id = ANY(:s)"),
            {"u": user_id, "s": list(SOFTMAX.meta.skills)})}


def _reply(asked: Any, right: bool) -> str:
    options = getattr(asked.question, "options", None)
    if options:
        return chr(97 + (int(asked.answer) if right else (int(asked.answer) + 1) % len(options)))
    return repr(asked.answer) if right else repr(float(asked.answer) * 3 + 7)


def test_a_quiz_answer_is_recorded_in_the_learners_record(stack: Stack, app: Any) -> None:
    with closing(_client(app)) as a:
        ann, _ = _learner(stack, a, "Ann")
        page = a.get("/exercises/softmax").text
        listed = re.findall(r'href="/quiz/([a-z0-9-]+)"', page)
        assert listed, "the exercise page lists quizzes on its skills"
        quiz_id = listed[0]
        assert set(quizzes.sit(quiz_id, 1).quiz.skills) & set(SOFTMAX.meta.skills)
        shown = a.get(f"/quiz/{quiz_id}")
        assert shown.status_code == 200
        seed = int(re.search(r'name="seed" value="(\d+)"', shown.text).group(1))  # type: ignore[union-attr]
        sitting = quizzes.sit(quiz_id, seed)
        form = {f"q{n}": _reply(q, right=n == 0) for n, q in enumerate(sitting.asked)}
        assert a.post(f"/quiz/{quiz_id}", data={**form, "seed": str(seed)}).status_code == 403
        done = a.post(f"/quiz/{quiz_id}", data={**form, "seed": str(seed),
                                                "csrf": _csrf(shown.text)})
        assert done.status_code == 200 and "Score: 1 of" in done.text
        record = PgLearnerStore(stack.engine, ann.id)
        [event] = record.events(kind="quiz")
        assert event["exercise_id"] == f"quiz:{quiz_id}"
        assert (event["data"]["score"], event["data"]["total"]) == (1, len(sitting.asked))
        assert len(record.cards()) == len(sitting.asked)  # each question is a review card
        assert all(r["source"] == "quiz" for r in record.reviews(kind="quiz"))


def test_due_reviews_are_the_learners_own_and_a_question_is_rated(stack: Stack,
                                                                   app: Any) -> None:
    with closing(_client(app)) as a, closing(_client(app)) as b:
        ann, csrf = _learner(stack, a, "Ann")
        ben, _ = _learner(stack, b, "Ben")
        empty = a.get("/review")
        assert empty.status_code == 200 and 'id="nothing-due"' in empty.text
        # A diagnosed failure schedules a drill for the mistake, as a local check does.
        _submit(a, csrf, NO_SHIFT)
        assert "next review is due" in a.get("/review").text
        record = PgLearnerStore(stack.engine, ann.id)
        assert record.card("drill:softmax.no-max-shift") is not None
        # Cards rated days ago are due now, least remembered first.
        quiz_id = quizzes.quizzes()[0].id
        then = PgLearnerStore(stack.engine, ann.id, clock=lambda: now() - timedelta(days=5))
        schedule.record(then, "quiz", f"{quiz_id}:0", schedule.Rating.Again, source="quiz")
        schedule.record(then, "exercise", "softmax", schedule.Rating.Good, source="check")
        due = a.get("/review").text
        assert f"/review/card/quiz:{quiz_id}:0" in due and 'href="/exercises/softmax"' in due
        assert b.get("/review").text.count("/review/card/") == 0  # Ben has none of them
        assert PgLearnerStore(stack.engine, ben.id).cards() == []
        card = a.get(f"/review/card/quiz:{quiz_id}:0")
        assert card.status_code == 200
        seed = int(re.search(r'name="seed" value="(\d+)"', card.text).group(1))  # type: ignore[union-attr]
        asked, _ = ask(describe(record, default_catalog(), f"quiz:{quiz_id}:0"), seed)
        rated = a.post(f"/review/card/quiz:{quiz_id}:0",
                       data={"seed": str(seed), "answer": _reply(asked, True),
                             "csrf": _csrf(card.text)})
        assert rated.status_code == 200 and "Rated <strong>good</strong>" in rated.text
        assert [r["rating"] for r in record.reviews(f"quiz:{quiz_id}:0")] == [1, 3]
        assert f"/review/card/quiz:{quiz_id}:0" not in a.get("/review").text
        # A pass of the exercise while its card is due is that card's review.
        _submit(a, csrf, RIGHT)
        a.get("/review")
        assert [r["source"] for r in record.reviews("exercise:softmax")] == ["check", "review"]


def test_the_mentors_learner_page_is_the_local_mentor_report(stack: Stack, app: Any) -> None:
    teacher = accounts.create_user(stack.engine, _email("t"), "Tess", PASSWORD,
                                   role="instructor")
    cohort_id = accounts.create_cohort(stack.engine, teacher, "Reports")
    link = accounts.invite(stack.engine, teacher, cohort_id)
    with closing(_client(app)) as t, closing(_client(app)) as a:
        ann = accounts.sign_up(stack.engine, link, _email("ann"), "Ann", PASSWORD)
        stranger = accounts.create_user(stack.engine, _email("s"), "Sam", PASSWORD)
        a.post("/signin", data={"email": ann.email, "password": PASSWORD})
        csrf = _csrf(a.get("/").text)
        a.get("/exercises/softmax")
        for code in (NO_SHIFT, WRONG[0], RIGHT):
            _submit(a, csrf, code)
        t.post("/signin", data={"email": teacher.email, "password": PASSWORD})
        page = t.get(f"/learners/{ann.id}")
        assert page.status_code == 200
        data = progress.report_data(PgLearnerStore(stack.engine, ann.id), default_catalog())
        assert data["exercises_passed"] == 1 and data["verified"] == ["softmax"]
        assert f"Exercises passed: {data['exercises_passed']} of {data['exercises_total']}" \
            in page.text
        for question in data["questions"]:
            assert question.replace('"', "&#34;").replace("'", "&#39;") in page.text
        skill = data["mastery"][0]
        assert skill["title"] in page.text and skill["level"] in page.text
        report = classroom.learner_report(stack.engine, teacher, ann.id)
        assert report.data["mastery"] == data["mastery"]
        with pytest.raises(accounts.NotAllowed):
            classroom.learner_report(stack.engine, stranger, ann.id)
        with pytest.raises(accounts.NotAllowed):
            classroom.learner_report(stack.engine, ann, teacher.id)


def test_unknown_ids_get_a_sentence_and_pages_need_a_session(stack: Stack, app: Any) -> None:
    with closing(_client(app)) as a, closing(_client(app)) as nobody:
        _, csrf = _learner(stack, a, "Ann")
        for path in ("/quiz/no-such-quiz", "/review/card/quiz:no-such-quiz:0",
                     "/review/card/exercise:nope", "/exercises/nope"):
            got = a.get(path)
            assert got.status_code in (400, 404), (path, got.status_code)
            assert "Traceback" not in got.text and "<h1" in got.text
        assert a.post("/exercises/nope/hint", data={"csrf": csrf}).status_code == 404
        for path in ("/review", "/quiz/backprop", "/exercises/softmax"):
            assert nobody.get(path).status_code == 401
        assert nobody.post("/exercises/softmax/solution", data={}).status_code in (401, 403)
