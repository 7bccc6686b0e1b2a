"""Grading jobs on Celery, with Redis as the broker.

Settings that make a lost worker cost nothing (Celery's documentation on reliability):
- ``task_acks_late``: a message is acknowledged after the grade is written, so a worker
  killed halfway leaves it unacknowledged and it is delivered again;
- ``task_reject_on_worker_lost``: when a pool process dies, the message goes back to the
  queue instead of being acknowledged as failed;
- ``worker_prefetch_multiplier = 1``: a worker holds one message beyond the one it grades,
  so a dead worker strands at most that;
- a visibility timeout after which Redis hands an unacknowledged message to another
  worker (longer than any grading, a project's two training runs included, so a slow
  job is not graded twice on purpose; a lost worker's exercise is found sooner by the
  sweeper, which goes by each submission's own allowance).

Two queues: ``grading`` for exercises (seconds each) and ``projects`` for training runs
(minutes each), so a cohort's projects never hold up its checks; a worker takes both
unless told otherwise (``deepcareer server worker --queues projects`` on a big machine).

Whatever slips through (Redis restarted without persistence, a machine gone) the sweeper
finds in PostgreSQL, which is the truth (``deepcareer.app.classroom.sweep``). Each worker
process keeps a sandboxed child started ahead of time, as the local web app does.
"""

from __future__ import annotations

import contextlib
import os
import socket
from typing import Any

from celery import Celery, signals

from deepcareer.app import classroom
from deepcareer.server.config import Settings

QUEUE = "grading"
PROJECT_QUEUE = "projects"
QUEUES = (QUEUE, PROJECT_QUEUE)
TASK = "deepcareer.grade"
#: Above the longest project submission (two runs of a 1,300 s budget and the margin).
VISIBILITY_TIMEOUT_S = 3600
#: A check's pool process dies after this; a project's after its own allowance.
TASK_TIME_LIMIT_S = 300

_state: dict[str, Any] = {}


def make_celery(settings: Settings) -> Celery:
    app = Celery("deepcareer", broker=settings.redis_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S},
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=5,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        worker_disable_rate_limits=True,  # none are set; skips the check on every task
        task_time_limit=TASK_TIME_LIMIT_S,  # far above a check's own wall limit
    )

    @app.task(name=TASK, bind=True)
    def grade(self: Any, submission_id: str) -> str:
        import time

        from deepcareer.server.logs import log

        engine = _engine(settings)
        started = time.perf_counter()
        # The worker's name and the pool process: which one held a submission.
        worker = f"{self.request.hostname}/{os.getpid()}"
        done = classroom.grade(engine, submission_id, worker=worker)
        log().info("graded", extra={"event": "graded", "submission": submission_id,
                                    "outcome": done.outcome, "status": done.status,
                                    "worker": worker,
                                    "seconds": round(time.perf_counter() - started, 3)})
        return done.outcome

    return app


def _engine(settings: Settings) -> Any:
    """One engine per worker process, made after the fork (connections do not survive it)."""
    if _state.get("pid") != os.getpid():
        _state.update(pid=os.getpid(), engine=classroom.connect(settings.database_url))
    return _state["engine"]


def enqueuer(app: Celery) -> classroom.Enqueue:
    """``enqueue(id, queue)`` for the application layer: raises QueueUnavailable when
    Redis is down (the submission is already recorded; the sweeper will enqueue it)."""

    def enqueue(submission_id: str, queue: str = QUEUE, /) -> None:
        if queue not in QUEUES:
            raise ValueError(f"no queue {queue!r}")
        limit = TASK_TIME_LIMIT_S if queue == QUEUE else _project_limit()
        try:
            app.send_task(TASK, args=[submission_id], queue=queue, retry=False,
                          time_limit=limit, soft_time_limit=limit - 10)
        except Exception as exc:  # kombu raises OperationalError and friends
            raise classroom.QueueUnavailable(f"the grading queue is unreachable: {exc}") \
                from exc

    return enqueue


def _project_limit() -> float:
    """The longest any assignable project may take (its two runs and the margin)."""
    from deepcareer.app.class_projects import longest_allowed

    return longest_allowed()


def queue_length(app: Celery) -> int | None:
    """Messages waiting in the grading queues; None when Redis cannot be reached."""
    with contextlib.suppress(Exception), app.connection_for_read() as conn:
        client = conn.default_channel.client
        return sum(int(client.llen(name)) for name in QUEUES)
    return None


@signals.worker_process_init.connect
def _warm_sandbox(**_: Any) -> None:
    """A pool process keeps a sandboxed child ready for the next check."""
    from deepcareer.app import practice
    from deepcareer.server.logs import setup

    setup()

    _state["warm"] = practice.warm()
    _state["warm"].__enter__()


@signals.worker_process_shutdown.connect
def _stop_sandbox(**_: Any) -> None:
    warm = _state.pop("warm", None)
    if warm is not None:
        with contextlib.suppress(Exception):
            warm.__exit__(None, None, None)


def worker_name() -> str:
    return f"grader@{socket.gethostname()}-{os.getpid()}"
