"""Projects on the class server: assigned with a deadline, trained by a worker twice with
seeds the server draws, verified only when both runs agree, every try counted, and the
mentor's completion counting only verified work."""

from __future__ import annotations

import re
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from deepcareer.app import accounts, class_projects, classroom, cohorts
from deepcareer.errors import DeepcareerError
from deepcareer.projects.spec import get_project, load_projects
from deepcareer.server.config import Settings
from deepcareer.server.web import create_app
from deepcareer.store.pg.submissions import get
from tests.server.conftest import Stack

PASSWORD = "correct horse battery"
DIGITS = get_project("digits-mlp")
# A learner's own working solution: the reference with their own notes (the reference's
# text, unchanged, is never evidence).
OWN = DIGITS.reference.read_text(encoding="utf-8") + "\n# my notes: He init, Adam\n"
TEMPLATE = DIGITS.template.read_text(encoding="utf-8")


def _email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}@example.org"


@pytest.fixture(autouse=True)
def worker_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "worker-home"
    monkeypatch.setenv(class_projects.WORKER_HOME_ENV, str(home))
    return home


class Queues:
    """Records which queue each id went to; grades it inline like a worker would."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.sent: list[tuple[str, str]] = []

    def __call__(self, sub_id: str, queue: str = "grading", /) -> None:
        self.sent.append((sub_id, queue))
        classroom.grade(self.stack.engine, sub_id, "inline")


@pytest.fixture
def cohort(stack: Stack) -> tuple[accounts.User, int, list[accounts.User]]:
    teacher = accounts.create_user(stack.engine, _email("t"), "Teacher", PASSWORD,
                                   role="instructor")
    cohort_id = accounts.create_cohort(stack.engine, teacher, "Project cohort")
    link = accounts.invite(stack.engine, teacher, cohort_id)
    learners = [accounts.sign_up(stack.engine, link, _email(n), n, PASSWORD)
                for n in ("Ada", "Bo")]
    return teacher, cohort_id, learners


def test_a_project_is_trained_twice_verified_and_counted(
        stack: Stack, cohort: tuple[accounts.User, int, list[accounts.User]]) -> None:
    teacher, cohort_id, (ada, bo) = cohort
    cohorts.add_assignment(stack.engine, teacher, cohort_id, "project", DIGITS.id)
    queues = Queues(stack)
    unfinished = classroom.submit(stack.engine, queues, ada.id, DIGITS.id, TEMPLATE,
                                  kind="project")
    done = classroom.submit(stack.engine, queues, ada.id, DIGITS.id, OWN, kind="project")
    assert [q for _, q in queues.sent] == ["projects", "projects"]
    first, second = get(stack.engine, unfinished), get(stack.engine, done)
    assert first is not None and second is not None
    assert first["report"]["status"] == "error" and not first["report"]["verified"]
    report = second["report"]
    assert report["status"] == "pass" and report["verified"], report["message"]
    assert len(set(report["seeds"])) == 2  # two seeds, both drawn by the server
    assert abs(report["metric"] - report["rerun_metric"]) <= DIGITS.spec.tolerance
    assert report["metric"] >= DIGITS.spec.threshold
    # Every try is disclosed beside the verified one.
    assert class_projects.tries(stack.engine, ada.id, DIGITS.id) == \
        "Verified on submission 2 of 2; 1 of 2 verified."
    board = cohorts.dashboard(stack.engine, teacher, cohort_id)
    (row,) = board.completion
    assert (row.kind, row.item_id, row.title, row.done, row.total) == \
        ("project", DIGITS.id, DIGITS.spec.title, 1, 2)
    # The project's skills are verified on the dashboard, as a verified local run makes them.
    for skill in DIGITS.spec.skills:
        assert board.mastery[ada.id][skill].verified, skill
        assert skill not in board.mastery[bo.id]
    (mine,) = cohorts.my_assignments(stack.engine, ada)
    assert mine.passed and mine.link == f"/projects/{DIGITS.id}"
    (theirs,) = cohorts.my_assignments(stack.engine, bo)
    assert not theirs.passed
    # Ada's record on the server: two runs, the second verified, and no exercise attempts;
    # the evidence model counts the verified one, as it counts a verified local run.
    from deepcareer.career.evidence import project_items
    from deepcareer.store.pg.learner import PgLearnerStore

    record = PgLearnerStore(stack.engine, ada.id)
    runs = record.run_summaries()
    assert [(r["id"], r["status"], r["verified_by"]) for r in runs] == \
        [(1, "error", None), (2, "pass", 2)]
    assert record.attempts() == []
    (item,) = project_items(record)
    assert (item.ref, item.level) == (DIGITS.id, "verified")
    # Bo may not read Ada's project, by id or otherwise.
    with pytest.raises(accounts.NotAllowed):
        classroom.submission_for(stack.engine, bo, done)


def test_our_reference_unchanged_is_not_trained_and_not_evidence(
        stack: Stack, cohort: tuple[accounts.User, int, list[accounts.User]]) -> None:
    _teacher, _cohort_id, (ada, _bo) = cohort
    queues = Queues(stack)
    sub = classroom.submit(stack.engine, queues, ada.id, DIGITS.id,
                           DIGITS.reference.read_text(encoding="utf-8"), kind="project")
    row = get(stack.engine, sub)
    assert row is not None and row["report"]["status"] == "fail"
    assert "reference" in row["report"]["message"] and not row["report"]["seeds"]


def test_what_cannot_be_assigned_or_submitted_is_refused_with_a_sentence(
        stack: Stack, cohort: tuple[accounts.User, int, list[accounts.User]]) -> None:
    teacher, cohort_id, (ada, _bo) = cohort
    with pytest.raises(DeepcareerError, match="own data"):
        cohorts.add_assignment(stack.engine, teacher, cohort_id, "project", "capstone")
    with pytest.raises(DeepcareerError, match="digits-mlp"):  # names the projects
        cohorts.add_assignment(stack.engine, teacher, cohort_id, "project", "digits")
    with pytest.raises(DeepcareerError, match="exercise or a project"):
        cohorts.add_assignment(stack.engine, teacher, cohort_id, "quiz", "softmax")
    with pytest.raises(accounts.NotAllowed):
        cohorts.add_assignment(stack.engine, ada, cohort_id, "project", DIGITS.id)
    with pytest.raises(DeepcareerError, match="own data"):
        classroom.submit(stack.engine, Queues(stack), ada.id, "capstone", "x = 1",
                         kind="project")


def test_a_project_holds_its_worker_longer_before_the_sweeper_steps_in(
        stack: Stack, cohort: tuple[accounts.User, int, list[accounts.User]]) -> None:
    """A project's allowance is its two runs and a margin, not an exercise's two minutes:
    the sweeper leaves a training run alone and still finds a lost check."""
    from datetime import timedelta

    from sqlalchemy import text

    _teacher, _cohort_id, (ada, _bo) = cohort
    sent: list[tuple[str, str]] = []

    def record(sub_id: str, queue: str = "grading", /) -> None:
        sent.append((sub_id, queue))

    project = classroom.submit(stack.engine, record, ada.id, DIGITS.id, OWN, kind="project")
    check = classroom.submit(stack.engine, record, ada.id, "softmax", "x = 1")
    late = 5 * 60  # past an exercise's allowance, within a project's
    assert classroom.RUNNING_TIMEOUT.total_seconds() < late < class_projects.allowed_seconds(
        DIGITS)
    with stack.engine.begin() as conn:  # both claimed five minutes ago, never finished
        conn.execute(text("UPDATE submissions SET state = 'running', started_at = now() - "
                          "make_interval(secs => :s) WHERE id IN (:a, :b)"),
                     {"a": project, "b": check, "s": late})
    sent.clear()
    again = classroom.sweep(stack.engine, record, queue_empty=False)
    assert again == [check] and sent == [(check, "grading")]
    with stack.engine.begin() as conn:
        conn.execute(text("UPDATE submissions SET started_at = now() - make_interval("
                          "secs => :s) WHERE id = :a"),
                     {"a": project, "s": class_projects.allowed_seconds(DIGITS) + 5})
    sent.clear()
    assert classroom.sweep(stack.engine, record, queue_empty=False,
                           running_timeout=timedelta(minutes=2)) == [project]
    assert sent == [(project, "projects")]


def test_project_and_exercise_ids_never_clash() -> None:
    """The server keys its per-learner tallies by item id, for both kinds."""
    from deepcareer.curriculum.catalog import default_catalog

    assert not {ex.id for ex in default_catalog()} & set(load_projects())


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_the_project_pages_assign_submit_and_keep_work_private(
        stack: Stack, cohort: tuple[accounts.User, int, list[accounts.User]]) -> None:
    teacher, cohort_id, (ada, bo) = cohort
    sent: list[tuple[str, str]] = []

    def record(sub_id: str, queue: str = "grading", /) -> None:
        sent.append((sub_id, queue))  # left queued: the page says it is waiting

    app: Any = create_app(Settings(stack.database_url, stack.redis_url), enqueue=record,
                          queue_length=lambda: 0)
    base = "http://testserver"
    with closing(TestClient(app, base_url=base, follow_redirects=False)) as t, \
            closing(TestClient(app, base_url=base, follow_redirects=False)) as a, \
            closing(TestClient(app, base_url=base, follow_redirects=False)) as b:
        for client, who in ((t, teacher), (a, ada), (b, bo)):
            assert client.post("/signin", data={"email": who.email, "password": PASSWORD}
                               ).status_code == 303
        csrf = _csrf(t.get("/").text)
        page = t.get(f"/cohorts/{cohort_id}").text
        assert f'value="project:{DIGITS.id}"' in page and 'value="project:capstone"' not in page
        made = t.post(f"/cohorts/{cohort_id}/assignments",
                      data={"item": f"project:{DIGITS.id}", "due": "2099-01-31", "csrf": csrf})
        assert made.status_code == 303
        assert DIGITS.spec.title in t.get(f"/cohorts/{cohort_id}").text
        home = a.get("/").text
        assert f'href="/projects/{DIGITS.id}"' in home
        brief = a.get(f"/projects/{DIGITS.id}")
        assert brief.status_code == 200 and "init_params" in brief.text
        sub = a.post(f"/projects/{DIGITS.id}/submit",
                     data={"code": OWN, "csrf": _csrf(brief.text)})
        assert sub.status_code == 303 and sent[-1][1] == "projects"
        waiting = a.get(sub.headers["location"])
        assert waiting.status_code == 200 and "Waiting for a worker" in waiting.text
        assert b.get(sub.headers["location"]).status_code == 403
        assert a.get("/projects/capstone").status_code == 400
        token = a.post("/api/token", json={"email": ada.email, "password": PASSWORD}
                       ).json()["token"]
        api = a.post("/api/submissions", headers={"Authorization": f"Bearer {token}"},
                     json={"exercise": DIGITS.id, "code": OWN, "kind": "project"})
        assert api.status_code == 202 and sent[-1] == (api.json()["id"], "projects")
        bad = a.post("/api/submissions", headers={"Authorization": f"Bearer {token}"},
                     json={"exercise": DIGITS.id, "code": OWN, "kind": 3})
        assert bad.status_code == 400
