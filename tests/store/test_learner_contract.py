"""The store interface (``store/learner.py``) held to one contract by both implementations:
the local SQLite ``Store`` and the class server's ``PgLearnerStore``.

The same test functions run against each (``backend`` is parametrised), and the last tests
replay one scripted history into both at once and ask the application layer (progress,
mastery, next step, readiness, due reviews, the mentor's report) for its answers: they must
be the same, since both faces run the same domain code on the same record.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from deepcareer.app import practice, progress, quiz, review
from deepcareer.curriculum.catalog import Catalog
from deepcareer.mentor import review as schedule
from deepcareer.store.db import Store, open_store
from deepcareer.store.learner import LearnerRecord
from tests.conftest import Stack

BACKENDS = ("sqlite", "postgresql")


@dataclass
class Clock:
    """A clock the test moves by hand, so both records get the same times."""

    now: datetime = field(default_factory=lambda: datetime(2027, 3, 1, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def tick(self, minutes: float = 3) -> None:
        self.now += timedelta(minutes=minutes)


class Backend:
    """One learner's record in one implementation, and how to log a graded attempt there
    (locally the check writes it; on the server only the grader does)."""

    name: str
    store: LearnerRecord
    clock: Clock

    def graded(self, exercise_id: str, status: str, code: str,
               findings: list[dict[str, Any]] | None = None, isolation: str = "os") -> None:
        raise NotImplementedError

    @staticmethod
    def report(exercise_id: str, status: str, findings: list[dict[str, Any]] | None,
               isolation: str) -> dict[str, Any]:
        return {"version": 1, "exercise": exercise_id, "status": status,
                "message": f"{status} on {exercise_id}", "checks": [],
                "findings": findings or [], "duration_s": 0.25, "isolation": isolation}


class Local(Backend):
    name = "sqlite"

    def __init__(self, home: Path, clock: Clock) -> None:
        self.clock = clock
        self.local: Store = open_store(home, clock=clock)
        self.store = self.local

    def graded(self, exercise_id: str, status: str, code: str,
               findings: list[dict[str, Any]] | None = None, isolation: str = "os") -> None:
        report = self.report(exercise_id, status, findings, isolation)
        self.local.add_attempt(
            exercise_id=exercise_id, content_version=0, status=status,
            message=report["message"], findings=report["findings"],
            hint_level=practice.hint_level_now(self.local, exercise_id), duration_s=0.25,
            code_sha256=hashlib.sha256(code.encode()).hexdigest(), code=code, report=report,
            isolation=isolation)


class Server(Backend):
    name = "postgresql"

    def __init__(self, stack: Stack, clock: Clock) -> None:
        from deepcareer.app import accounts
        from deepcareer.store.pg.learner import PgLearnerStore

        self.stack, self.clock = stack, clock
        user = accounts.create_user(stack.engine, f"c-{uuid.uuid4().hex[:10]}@example.org",
                                    "Contract", "correct horse battery")
        self.user_id = user.id
        self.store = PgLearnerStore(stack.engine, user.id, clock=clock)

    def graded(self, exercise_id: str, status: str, code: str,
               findings: list[dict[str, Any]] | None = None, isolation: str = "os") -> None:
        """Submitted and graded through the server's own record (``submissions``), at the
        test clock's time."""
        from deepcareer.store.pg import submissions

        sub = submissions.create(self.stack.engine, self.user_id, exercise_id, code)
        with self.stack.engine.begin() as conn:
            conn.execute(text("UPDATE submissions SET created_at = :t WHERE id = :id"),
                         {"t": self.clock(), "id": sub})
        assert submissions.claim(self.stack.engine, sub, "test") is not None
        assert submissions.finish(self.stack.engine, sub,
                                  self.report(exercise_id, status, findings, isolation))


def _backend(name: str, request: pytest.FixtureRequest, tmp_path: Path,
             clock: Clock | None = None) -> Backend:
    clock = clock or Clock()
    if name == "sqlite":
        return Local(tmp_path / f"home-{uuid.uuid4().hex[:6]}", clock)
    stack: Stack = request.getfixturevalue("stack")
    return Server(stack, clock)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    made = _backend(request.param, request, tmp_path)
    yield made
    if isinstance(made, Local):
        made.local.close()


@pytest.fixture
def other(request: pytest.FixtureRequest, backend: Backend, tmp_path: Path
          ) -> Iterator[Backend]:
    """A second learner in the same implementation (on the server: the same database)."""
    made = _backend(backend.name, request, tmp_path, backend.clock)  # one clock for both
    yield made
    if isinstance(made, Local):
        made.local.close()


NO_SHIFT = {"misconception": "softmax.no-max-shift", "title": "No max shift",
            "confidence": "diagnosed", "evidence": "overflow", "hint": "subtract the max"}


# --- round trips, order and scoping ----------------------------------------------------------

def test_both_stores_have_the_whole_interface(backend: Backend) -> None:
    assert isinstance(backend.store, LearnerRecord)  # mypy checks the signatures too


def test_events_round_trip_in_order_and_filter(backend: Backend) -> None:
    s = backend.store
    ids = []
    for kind, ex in (("start", "softmax"), ("hint", "softmax"), ("hint", "relu"),
                     ("solution", "softmax")):
        backend.clock.tick()
        ids.append(s.add_event(ex, kind, {"level": len(ids)}))
    assert ids == sorted(ids) and len(set(ids)) == 4
    rows = s.events()
    assert [(r["kind"], r["exercise_id"], r["data"]) for r in rows] == [
        ("start", "softmax", {"level": 0}), ("hint", "softmax", {"level": 1}),
        ("hint", "relu", {"level": 2}), ("solution", "softmax", {"level": 3})]
    assert rows[0]["created_at"] == "2027-03-01T09:03:00.000000+00:00"
    assert [r["id"] for r in s.events("softmax", "hint")] == [ids[1]]
    assert [r["id"] for r in s.events(after_id=ids[1])] == ids[2:]
    assert s.started_ids() == {"softmax"}


def test_attempts_round_trip_with_hint_level_and_repeats(backend: Backend) -> None:
    s = backend.store
    backend.clock.tick()
    backend.graded("softmax", "fail", "one", [NO_SHIFT])
    backend.clock.tick()
    s.add_event("softmax", "hint", {"ladder": "", "level": 1})
    backend.clock.tick()
    backend.graded("softmax", "fail", "one", [NO_SHIFT], isolation="guard")
    backend.clock.tick()
    backend.graded("softmax", "pass", "two")
    rows = s.attempts("softmax")
    assert [r["status"] for r in rows] == ["fail", "fail", "pass"]
    assert [r["hint_level"] for r in rows] == [0, 1, 1]
    assert [r["isolation"] for r in rows] == ["os", "guard", "os"]
    assert rows[0]["findings"][0]["misconception"] == "softmax.no-max-shift"
    assert json.loads(rows[2]["report"])["status"] == "pass"
    assert rows[2]["code"] == "two" and rows[0]["origin"] == "learner"
    summaries = s.attempt_summaries()
    assert [r["repeat"] for r in summaries] == [0, 1, 0]
    assert [r["id"] for r in s.attempt_summaries(rows[0]["id"])] == [rows[1]["id"],
                                                                      rows[2]["id"]]
    assert s.attempts("relu") == []
    summary = s.exercise_summary()["softmax"]
    assert (summary["rows"], summary["real"], summary["passed"], summary["last_status"]) == (
        3, 3, 1, "pass")
    assert s.count_misconception("softmax.no-max-shift") == 2
    assert [r["status"] for r in s.recent_attempts(2)] == ["pass", "fail"]


def test_cards_reviews_and_due(backend: Backend) -> None:
    s = backend.store
    schedule.record(s, "drill", "softmax.no-max-shift", schedule.Rating.Again, source="check")
    backend.clock.tick()
    schedule.record(s, "exercise", "softmax", schedule.Rating.Good, source="check")
    assert s.card("drill:softmax.no-max-shift") is not None
    assert s.card("exercise:nothing") is None
    assert [c["id"] for c in s.cards()] == ["drill:softmax.no-max-shift",
                                            "exercise:softmax"]  # due first
    assert s.count_due("2027-03-02T12:00:00+00:00") == 1
    backend.clock.tick(60 * 24 * 30)
    due = schedule.due_cards(s)
    assert {d.id for d in due} == {"drill:softmax.no-max-shift", "exercise:softmax"}
    schedule.record(s, "drill", "softmax.no-max-shift", schedule.Rating.Good, source="review")
    assert [r["rating"] for r in s.reviews("drill:softmax.no-max-shift")] == [1, 3]
    assert [r["card_id"] for r in s.reviews(kind="exercise")] == ["exercise:softmax"]
    assert len(s.cards()) == 2  # a review replaces the card's state, never adds a card


def test_settings_and_skill_states(backend: Backend) -> None:
    s = backend.store
    assert s.setting("goal") is None and s.setting("goal", {"x": 1}) == {"x": 1}
    s.set_setting("goal", {"hours_per_week": 5})
    s.set_setting("goal", {"hours_per_week": 6, "role": "ml engineer"})
    assert s.setting("goal") == {"hours_per_week": 6, "role": "ml engineer"}
    assert s.settings()["goal"]["hours_per_week"] == 6
    s.save_skill_states({"a": {"skill": "a", "p": 0.5, "evidence": 2, "correct": 1}},
                        {"key": "k", "attempt": 0, "event": 0})
    s.save_skill_states({"b": {"skill": "b", "p": 0.25, "evidence": 1, "correct": 0}},
                        {"key": "k2", "attempt": 3, "event": 1})
    assert s.skill_states() == {"b": {"skill": "b", "p": 0.25, "evidence": 1, "correct": 0}}
    assert s.setting("mastery_cursor")["key"] == "k2"


def test_activity_and_change_stamp(backend: Backend) -> None:
    s = backend.store
    before = s.change_stamp()
    assert s.activity_latest_and_count() == (None, 0)
    s.add_event("softmax", "start")
    backend.clock.tick(10)
    backend.graded("softmax", "fail", "x")
    backend.clock.tick(60 * 24)
    schedule.record(s, "exercise", "softmax", schedule.Rating.Good, source="check")
    assert s.change_stamp() != before
    stamps = sorted(s.activity_stamps())
    assert stamps == ["2027-03-01T09:00:00.000000+00:00", "2027-03-01T09:10:00.000000+00:00",
                      "2027-03-02T09:10:00.000000+00:00"]
    assert sorted(s.activity_stamps("2027-03-01T09:05:00.000000+00:00")) == stamps[1:]
    assert s.activity_latest_and_count() == (stamps[-1], 3)
    assert s.activity_count_since(stamps[1]) == 2
    assert {d.isoformat() for d in s.active_days()} == {"2027-03-01", "2027-03-02"}
    # two sessions: 5 + 10 minutes the first day, 5 the second
    assert s.minutes_active("", "9999", 30, 5) == pytest.approx(20, abs=1e-6)
    assert s.minutes_active(stamps[1], stamps[1], 30, 5) == pytest.approx(5, abs=1e-6)


def test_one_learner_never_sees_another(backend: Backend, other: Backend) -> None:
    backend.store.add_event("softmax", "hint", {"level": 1})
    backend.graded("softmax", "fail", "mine", [NO_SHIFT])
    backend.store.set_setting("goal", {"hours_per_week": 3})
    schedule.record(backend.store, "drill", "softmax.no-max-shift", schedule.Rating.Again,
                    source="check")
    backend.store.save_skill_states({"a": {"skill": "a", "p": 0.5, "evidence": 1,
                                           "correct": 1}}, {"key": "k"})
    o = other.store
    assert o.events() == [] and o.attempts() == [] and o.attempt_summaries() == []
    assert o.cards() == [] and o.reviews() == [] and o.card("drill:softmax.no-max-shift") is None
    assert o.setting("goal") is None and o.skill_states() == {}
    assert o.exercise_summary() == {} and o.count_misconception("softmax.no-max-shift") == 0
    assert o.activity_latest_and_count() == (None, 0) and o.active_days() == set()
    assert o.started_ids() == set() and o.recent_attempts(5) == []
    # and writing as the other learner does not reach the first one's rows
    other.graded("softmax", "pass", "theirs")
    o.add_event("softmax", "solution")
    assert [r["code"] for r in backend.store.attempts()] == ["mine"]
    assert [e["kind"] for e in backend.store.events()] == ["hint"]


# --- the application layer gives the same answers from the same history -------------------

def _history(b: Backend, catalog: Catalog) -> None:
    """A learner's week, as the app layer records it; attempts logged as graded."""
    s = b.store
    s.add_event("softmax", "start", {"created": True})
    b.clock.tick(7)
    b.graded("softmax", "fail", "attempt 1", [NO_SHIFT])
    b.clock.tick(4)
    hint = practice.next_hint(s, "softmax", catalog)
    assert hint.level == 1
    b.clock.tick(6)
    assert not practice.solution(s, "softmax", catalog=catalog).unlocked
    b.graded("softmax", "pass", "attempt 2")
    schedule.record(s, "exercise", "softmax", schedule.Rating.Hard, source="check")
    b.clock.tick(60 * 26)
    b.graded("mse", "pass", "mse attempt")
    b.clock.tick(5)
    sitting = quiz.sit(quiz.quizzes()[0].id, seed=7)
    replies = [_reply(a, right=n % 2 == 0) for n, a in enumerate(sitting.asked)]
    assert quiz.answer(s, sitting, replies).recorded
    b.clock.tick(3)
    progress.goal(s, hours=4)
    for ex in ("dense-layer", "cross-entropy"):
        b.graded(ex, "fail", f"{ex} try", isolation="guard")
        b.clock.tick(2)


def _reply(asked: Any, *, right: bool) -> str:
    """A reply the quiz can read: the right one, or a wrong one."""
    options = getattr(asked.question, "options", None)
    if options:
        n = int(asked.answer) if right else (int(asked.answer) + 1) % len(options)
        return chr(97 + n)
    return repr(asked.answer) if right else repr(float(asked.answer) * 3 + 7)


def _answers(s: LearnerRecord, catalog: Catalog) -> dict[str, Any]:
    from deepcareer.app import career
    from deepcareer.mentor.mastery import mastery

    summary = progress.summary(s, catalog)
    step = progress.next_step(s, catalog)
    ready = career.readiness_for(s, catalog, career.role_rows()[0]["id"])
    return {
        "summary": summary.to_dict(),
        "mastery": {k: v.to_dict() for k, v in progress.mastery_of(s, catalog).items()},
        "uncached": {k: v.to_dict() for k, v in mastery(s, catalog, cached=False).items()},
        "next": (step.kind, step.id, step.reason),
        "rows": [r.to_dict() for r in progress.exercise_rows(s, catalog)],
        "report": progress.report_data(s, catalog),
        "due": review.session(s, catalog).to_dict(),
        "readiness": ready.to_dict(),
    }


def _differences(a: Any, b: Any, where: str = "") -> list[str]:
    """Paths where two answers differ (readable where ``==`` would print two blobs)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b), key=str)
                for d in _differences(a.get(k), b.get(k), f"{where}.{k}")]
    if isinstance(a, list | tuple) and isinstance(b, list | tuple) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in _differences(x, y, f"{where}[{i}]")]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


def test_the_same_history_gives_the_same_answers(stack: Stack, tmp_path: Path,
                                                 catalog: Catalog) -> None:
    local = Local(tmp_path / "home", Clock())
    server = Server(stack, Clock())
    try:
        for b in (local, server):
            _history(b, catalog)
        first = _answers(local.store, catalog)
        assert first["mastery"] == first["uncached"]  # the cache replays to the same state
        assert first["report"]["exercises_passed"] == 2 and first["report"]["recurring"] == []
        assert first["report"]["verified"] == ["mse", "softmax"]  # the learner's own passes
        assert first["report"]["week"]["hours_total"] > 0
        assert _differences(_answers(server.store, catalog), first) == []
        # a second look on each (the caches now hold state) changes nothing
        assert _answers(server.store, catalog) == _answers(local.store, catalog) == first
    finally:
        local.local.close()


def test_revision_0004_makes_the_declared_tables(stack: Stack) -> None:
    """The migrations (0001-0004) make exactly the tables ``store/pg/schema.py`` declares."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from deepcareer.store.pg.schema import metadata

    with stack.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if "server_alembic_version" not in str(d)] == []


def test_a_grade_that_arrives_late_is_not_lost_by_the_mastery_cache(stack: Stack,
                                                                    catalog: Catalog) -> None:
    """Submitted first but graded after a later one was read: numbered after it, so the
    mastery cache's cursor (rows after id N) still replays it."""
    from deepcareer.mentor.mastery import mastery
    from deepcareer.store.pg import submissions

    server = Server(stack, Clock())
    report = Backend.report
    early = submissions.create(stack.engine, server.user_id, "softmax", "early")
    late = submissions.create(stack.engine, server.user_id, "mse", "late")
    for sub, ex in ((late, "mse"), (early, "softmax")):
        assert submissions.claim(stack.engine, sub, "w") is not None
        assert submissions.finish(stack.engine, sub, report(ex, "pass", None, "os"))
        mastery(server.store, catalog)  # reads, numbers and moves the cursor each time
    rows = server.store.attempts()
    assert [(r["id"], r["exercise_id"]) for r in rows] == [(1, "mse"), (2, "softmax")]
    cached = {k: v.to_dict() for k, v in mastery(server.store, catalog).items()}
    assert cached == {k: v.to_dict() for k, v in
                      mastery(server.store, catalog, cached=False).items()}
    late_skills = [s for s in catalog.get("softmax").meta.skills if s in cached]
    assert late_skills and all(cached[s]["evidence"] > 0 for s in late_skills)
