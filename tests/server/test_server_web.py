"""The class server in a browser's terms (HTTP through Starlette's test client): the journey
of an instructor and two learners, and every refusal the issue names."""

from __future__ import annotations

import re
import uuid
from contextlib import closing
from typing import Any

import pytest
from starlette.testclient import TestClient

from deepcareer.app import accounts, classroom
from deepcareer.server.config import Settings
from deepcareer.server.web import COOKIE, create_app
from tests.server.conftest import Stack

PASSWORD = "correct horse battery"
NO_SHIFT = """import numpy as np


def softmax(logits):
    z = np.exp(logits)
    return z / z.sum(axis=-1, keepdims=True)
"""
BASE = "http://testserver"


def _email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}@example.org"


@pytest.fixture
def app(stack: Stack) -> Any:
    """The app, grading each submission as soon as it is enqueued (a worker's job, inline)."""
    def enqueue(sub_id: str) -> None:
        classroom.grade(stack.engine, sub_id, "inline")

    return create_app(Settings(stack.database_url, stack.redis_url), enqueue=enqueue,
                      queue_length=lambda: 0)


def _client(app: Any) -> TestClient:
    return TestClient(app, base_url=BASE, follow_redirects=False)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _sign_in(client: TestClient, email: str) -> str:
    done = client.post("/signin", data={"email": email, "password": PASSWORD})
    assert done.status_code == 303, done.text
    return _csrf(client.get("/").text)


def test_instructor_and_two_learners_end_to_end(stack: Stack, app: Any) -> None:
    teacher = accounts.create_user(stack.engine, _email("t"), "Tess", PASSWORD,
                                   role="instructor")
    with closing(_client(app)) as t, closing(_client(app)) as a, closing(_client(app)) as b:
        csrf = _sign_in(t, teacher.email)
        made = t.post("/cohorts", data={"name": "Spring", "csrf": csrf})
        assert made.status_code == 303
        cohort_url = made.headers["location"]
        t.post(f"{cohort_url}/assignments", data={"exercise": "softmax", "due": "2099-01-31",
                                                  "csrf": csrf})
        invited = t.post(f"{cohort_url}/invites", data={"role": "learner", "csrf": csrf})
        link = re.search(r"invite=(\S+)$", invited.headers["location"]).group(1)  # type: ignore[union-attr]
        join_path = link.removeprefix(BASE)
        for client, name in ((a, "Ann"), (b, "Ben")):
            assert "Join a cohort" in client.get(join_path).text
            joined = client.post(join_path, data={"name": name, "email": _email(name),
                                                  "password": PASSWORD})
            assert joined.status_code == 303 and COOKIE in joined.cookies
        page = a.get("/exercises/softmax")
        assert page.status_code == 200 and "Submit for checking" in page.text
        sent = a.post("/exercises/softmax/submit", data={"code": NO_SHIFT,
                                                         "csrf": _csrf(page.text)})
        assert sent.status_code == 303
        sub_url = sent.headers["location"]
        report = a.get(sub_url)
        assert report.status_code == 200 and "Not yet" in report.text
        assert "max" in report.text.lower()
        # Learner B cannot read A's submission, and is told what a made-up id would tell.
        theirs = b.get(sub_url)
        made_up = b.get(f"/submissions/{uuid.uuid4()}")
        assert theirs.status_code == made_up.status_code == 403
        assert NO_SHIFT.splitlines()[-2].strip() not in theirs.text
        assert b.get(cohort_url).status_code == 403  # nor the dashboard
        board = t.get(cohort_url)
        assert board.status_code == 200
        assert "What to teach on Monday" in board.text and "Ann" in board.text
        assert re.search(r"<td>1</td><td>1</td><td>Softmax", board.text), board.text
        results = t.get(f"{cohort_url}/results.csv")
        assert results.status_code == 200 and results.text.startswith("Email address,")
        assert results.headers["content-type"].startswith("text/csv")
        assert b.get(f"{cohort_url}/results.csv").status_code == 403


def test_state_changes_need_the_csrf_token_and_our_origin(stack: Stack, app: Any) -> None:
    teacher = accounts.create_user(stack.engine, _email("t"), "T", PASSWORD, role="instructor")
    with closing(_client(app)) as t:
        csrf = _sign_in(t, teacher.email)
        assert t.post("/cohorts", data={"name": "No token"}).status_code == 403
        assert t.post("/cohorts", data={"name": "Wrong", "csrf": csrf + "x"}).status_code == 403
        other = t.post("/cohorts", data={"name": "Elsewhere", "csrf": csrf},
                       headers={"Origin": "https://evil.example"})
        assert other.status_code == 403 and "another site" in other.text
        ours = t.post("/cohorts", data={"name": "Fine", "csrf": csrf},
                      headers={"Origin": BASE})
        assert ours.status_code == 303


def test_a_forged_cookie_is_a_stranger(stack: Stack, app: Any) -> None:
    with closing(_client(app)) as c:
        c.cookies.set(COOKIE, "forged-" + uuid.uuid4().hex)
        assert "Sign in" in c.get("/").text
        assert c.get("/exercises/softmax").status_code == 401


def test_an_expired_invite_is_refused_with_a_way_forward(stack: Stack, app: Any) -> None:
    from datetime import timedelta

    teacher = accounts.create_user(stack.engine, _email("t"), "T", PASSWORD, role="instructor")
    cohort = accounts.create_cohort(stack.engine, teacher, "Old")
    token = accounts.invite(stack.engine, teacher, cohort, lifetime=timedelta(seconds=-1))
    with closing(_client(app)) as c:
        done = c.post(f"/join/{token}", data={"name": "Late", "email": _email("late"),
                                              "password": PASSWORD})
        assert done.status_code == 403 and "ask your instructor" in done.text


def test_the_terminal_signs_in_submits_and_reads_its_report(stack: Stack, app: Any) -> None:
    user = accounts.create_user(stack.engine, _email("cli"), "Cli", PASSWORD)
    with closing(_client(app)) as c:
        assert c.post("/api/token", json={"email": user.email, "password": "wrong one!"}
                      ).status_code == 401
        token = c.post("/api/token", json={"email": user.email, "password": PASSWORD}
                       ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert c.post("/api/submissions", json={"exercise": "softmax", "code": NO_SHIFT}
                      ).status_code == 401
        sent = c.post("/api/submissions", headers=auth,
                      json={"exercise": "softmax", "code": NO_SHIFT})
        assert sent.status_code == 202
        got = c.get(f"/api/submissions/{sent.json()['id']}", headers=auth).json()
        assert got["state"] == "done" and got["report"]["status"] == "fail"
        bad = c.post("/api/submissions", headers=auth, json={"exercise": "nope", "code": "x"})
        assert bad.status_code == 404 and "detail" in bad.json()


def test_health_and_readiness(stack: Stack, app: Any) -> None:
    with closing(_client(app)) as c:
        assert c.get("/healthz").text == "ok"
        ready = c.get("/readyz")
        assert ready.status_code == 200 and ready.json()["ready"] is True
