"""Use cases of the class server: submit a learner's file, grade a submission, sweep.

The server never trusts a grade from a learner's machine: a submission carries only code,
and a worker grades it in its own OS sandbox, exactly as a local check does. The record
(PostgreSQL) is the truth and the queue only a prompt: ``submit`` commits the row before
it enqueues the id, ``grade`` claims and finishes the row with conditional updates, and
``sweep`` re-enqueues what the queue lost. Faces pass ``enqueue`` in (Celery on Redis in
the server, a plain call in tests), so this layer knows no broker.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import Engine

from deepcareer.curriculum.catalog import Catalog, default_catalog
from deepcareer.errors import ServerError
from deepcareer.limits import check_code
from deepcareer.store.learner import LearnerRecord
from deepcareer.store.pg import submissions


class Enqueue(Protocol):
    """Puts a submission's id on a queue: ``grading`` (exercises, seconds each) or
    ``projects`` (training runs, minutes each), so a project never holds up a check."""

    def __call__(self, submission_id: str, queue: str = ..., /) -> None: ...


#: The queue each kind of submission goes to.
QUEUES = {"exercise": "grading", "project": "projects"}

#: A submission running this long after its claim has lost its worker (a framework
#: check's wall limit is 60 s; the margin covers a slow start).
RUNNING_TIMEOUT = timedelta(seconds=120)
#: A queued submission this old while the queue is empty was lost with the broker.
QUEUED_TIMEOUT = timedelta(seconds=30)


class QueueUnavailable(ServerError):
    """The broker cannot take the message now; the submission waits for the sweeper."""


@dataclass(frozen=True)
class Graded:
    """What one delivery of a grading job did."""

    submission_id: str
    outcome: str  # graded | duplicate (already done, or another delivery wrote it first)
    status: str | None = None


def connect(url: str) -> Engine:
    """A pooled connection to the server's PostgreSQL (nothing is sent yet)."""
    from deepcareer.store.pg.db import engine_for

    return engine_for(url)


def init(engine: Engine) -> str:
    """Create or upgrade the server's tables; returns the schema revision."""
    from deepcareer.store.pg.db import init as migrate

    return migrate(engine)


def submit(engine: Engine, enqueue: Enqueue, user_id: int, exercise_id: str, code: str,
           catalog: Catalog | None = None, kind: str = "exercise") -> str:
    """Record a learner's file for ``exercise_id`` (a project's id when ``kind`` is
    ``project``) and put it on its queue; returns its id.

    An unknown exercise or project, a file too large or not text is refused before
    anything is written. A broker that is down does not lose the submission: it is
    committed first and the sweeper enqueues it when the broker is back.
    """
    allowed: float | None = None
    if kind == "project":
        from deepcareer.app.class_projects import allowed_seconds, assignable

        allowed = allowed_seconds(assignable(exercise_id))  # UsageError naming them
    elif kind == "exercise":
        (catalog or default_catalog()).get(exercise_id)  # ExerciseNotFound, with suggestions
    else:
        raise ServerError(f"A submission is an exercise or a project, not {kind[:20]!r}.")
    check_code(code)
    sub_id = submissions.create(engine, user_id, exercise_id, code, kind=kind,
                                allowed_s=allowed)
    _enqueue(enqueue, sub_id, kind)
    return sub_id


def _enqueue(enqueue: Enqueue, sub_id: str, kind: str) -> None:
    """Put one id on its kind's queue; a broker that is down leaves it to the sweeper."""
    with contextlib.suppress(QueueUnavailable):
        if kind == "exercise":
            enqueue(sub_id)
        else:
            enqueue(sub_id, QUEUES[kind])


def grade(engine: Engine, submission_id: str, worker: str,
          catalog: Catalog | None = None) -> Graded:
    """Grade one submission in the sandbox and write its report, once.

    Safe to call any number of times for the same id, concurrently too: only the first
    ``finish`` writes, and a submission already done is not graded again.
    """
    from deepcareer.grading.grader import grade as grade_source

    claimed = submissions.claim(engine, submission_id, worker)
    if claimed is None:
        return Graded(submission_id, "duplicate")
    try:
        if claimed.kind == "project":
            from deepcareer.app.class_projects import grade_project

            report = grade_project(claimed.exercise_id, claimed.code)
        else:
            ex = (catalog or default_catalog()).get(claimed.exercise_id)
            report = grade_source(ex, claimed.code).to_dict()
    except ServerError:
        raise
    except Exception as exc:
        report = {"exercise": claimed.exercise_id, "status": "error",
                  "message": f"The grader could not check this file: {type(exc).__name__}. "
                  "It is recorded; your mentor can look at it.", "checks": [],
                  "findings": []}
    from sqlalchemy.exc import OperationalError

    from deepcareer.app import cohorts

    # The learner's kept figures follow the grade in the same transaction. Should updating
    # them fail, the grade is still written, alone: the learner's next grade finds the
    # figures one row behind and replays their history (store.pg.mastery.update).
    try:
        written = submissions.finish(
            engine, submission_id, report,
            then=lambda conn, user_id: cohorts.learner_mastery(conn, user_id, catalog,
                                                               submission_id))
    except OperationalError:
        raise  # the database itself: the delivery fails and comes back
    except Exception:
        import logging

        logging.getLogger(__name__).exception("kept figures not updated for %s",
                                              submission_id)
        written = submissions.finish(engine, submission_id, report)
    return Graded(submission_id, "graded" if written else "duplicate", report["status"])


def sweep(engine: Engine, enqueue: Enqueue, queue_empty: bool,
          running_timeout: timedelta = RUNNING_TIMEOUT,
          queued_timeout: timedelta = QUEUED_TIMEOUT) -> list[str]:
    """Re-enqueue submissions whose worker was lost (running too long) and, when the
    broker's queue is empty, those still queued (their message was lost with the broker).
    Returns the ids re-enqueued. Several sweepers may run: each row is taken by one."""
    found = submissions.stuck(engine, "running", running_timeout)
    if queue_empty:
        found += submissions.stuck(engine, "queued", queued_timeout)
    for sub_id, kind in found:
        _enqueue(enqueue, sub_id, kind)
    return [sub_id for sub_id, _ in found]


def submission_for(engine: Engine, viewer: Any, submission_id: str) -> dict[str, Any]:
    """One submission with its report, for its author or their mentors; an id that does not
    exist and one the viewer may not see get the same answer (ids are not probed)."""
    from deepcareer.app.accounts import NotAllowed, require_view

    row = submissions.get(engine, submission_id) if _uuid(submission_id) else None
    if row is None:
        raise NotAllowed("There is no such submission, or it is not yours to see.")
    try:
        require_view(engine, viewer, int(row["user_id"]))
    except NotAllowed:
        raise NotAllowed("There is no such submission, or it is not yours to see.") from None
    return row


def _uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def my_submissions(engine: Engine, viewer: Any, limit: int = 20) -> list[dict[str, Any]]:
    from deepcareer.store.pg.cohorts import submissions_of

    return submissions_of(engine, int(viewer.id), limit)


@dataclass(frozen=True)
class LearnerReport:
    """A learner's page for their mentor: the same mentor's report the local app writes
    (``progress.report_data``: progress, the week, mastery per area and skill with the
    evidence behind it, strengths, weak spots, recurring mistakes, questions to discuss),
    computed by the same code from the learner's record on the server, and their recent
    submissions."""

    name: str
    email: str
    data: dict[str, Any]
    recent: list[dict[str, Any]]


def learner_record(engine: Engine, user_id: int) -> LearnerRecord:
    """One learner's record on the server, for the application layer's use cases
    (progress, mastery, hints, solutions, quizzes, reviews). Callers check who may see it."""
    from deepcareer.store.pg.learner import PgLearnerStore

    return PgLearnerStore(engine, user_id)


def learner_report(engine: Engine, viewer: Any, learner_id: int,
                   catalog: Catalog | None = None) -> LearnerReport:
    from deepcareer.app.accounts import NotAllowed, require_view
    from deepcareer.app.progress import report_data
    from deepcareer.store.pg import accounts as account_db
    from deepcareer.store.pg.cohorts import submissions_of

    require_view(engine, viewer, learner_id)
    person = account_db.user(engine, learner_id)
    if person is None:
        raise NotAllowed("There is no such learner.")
    data = report_data(learner_record(engine, learner_id), catalog or default_catalog())
    return LearnerReport(str(person["name"]), str(person["email"]), data,
                         submissions_of(engine, learner_id))


def counts(engine: Engine) -> dict[str, int]:
    """Submissions per state, for the readiness endpoint."""
    return submissions.counts(engine)
