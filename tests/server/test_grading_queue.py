"""The record is the truth: every submission graded exactly once, whatever the queue does.

Grading is called directly (as a worker would) for the record's rules, then through real
Celery workers on Redis for the failures the issue names: a worker killed with SIGKILL in
the middle of a burst, and Redis restarted during one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from deepcareer.app import classroom
from deepcareer.curriculum.catalog import default_catalog
from deepcareer.server import services
from deepcareer.server.config import Settings
from deepcareer.server.queue import enqueuer, make_celery, queue_length
from deepcareer.store.pg import accounts, submissions
from tests.server.conftest import Stack

SOFTMAX = default_catalog().get("softmax")
RIGHT = SOFTMAX.reference_source
WRONG = RIGHT.replace("np.max(logits, axis=-1, keepdims=True)", "np.max(logits)")
# A check that takes a second and a half: a worker killed while it holds one is killed mid-check.
SLOW = "import time\ntime.sleep(1.5)\n"


def _user(stack: Stack, name: str) -> int:
    return accounts.create_user(stack.engine, f"{name}-{time.monotonic_ns()}@example.org",
                                name, "learner", "not-a-real-hash")


def test_a_submission_is_recorded_before_it_is_enqueued(stack: Stack) -> None:
    seen: list[tuple[str, str | None]] = []

    def enqueue(sub_id: str) -> None:  # what the queue would see at that moment
        row = submissions.get(stack.engine, sub_id)
        seen.append((sub_id, row["state"] if row else None))

    sub = classroom.submit(stack.engine, enqueue, _user(stack, "ada"), "softmax", RIGHT)
    assert seen == [(sub, "queued")]


def test_grading_twice_writes_one_result(stack: Stack) -> None:
    sub = classroom.submit(stack.engine, lambda _id: None, _user(stack, "bo"), "softmax", WRONG)
    first = classroom.grade(stack.engine, sub, "w1")
    again = classroom.grade(stack.engine, sub, "w2")
    assert (first.outcome, first.status) == ("graded", "fail")
    assert again.outcome == "duplicate"
    row = submissions.get(stack.engine, sub)
    assert row is not None and row["state"] == "done" and row["deliveries"] == 1
    assert row["report"]["status"] == "fail" and "max" in row["report"]["message"].lower()


def test_concurrent_deliveries_of_one_submission_write_one_result(stack: Stack) -> None:
    sub = classroom.submit(stack.engine, lambda _id: None, _user(stack, "cy"), "softmax", RIGHT)
    outcomes: list[str] = []
    threads = [threading.Thread(target=lambda w=w: outcomes.append(
        classroom.grade(stack.engine, sub, w).outcome)) for w in ("w1", "w2", "w3")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes).count("graded") == 1, outcomes
    assert submissions.get(stack.engine, sub)["status"] == "pass"  # type: ignore[index]


def test_a_broker_that_is_down_loses_nothing(stack: Stack) -> None:
    def down(_id: str) -> None:
        raise classroom.QueueUnavailable("the grading queue is unreachable")

    sub = classroom.submit(stack.engine, down, _user(stack, "di"), "softmax", RIGHT)
    assert submissions.get(stack.engine, sub)["state"] == "queued"  # type: ignore[index]
    again: list[str] = []
    # The queue is not empty: nothing queued is taken, however old.
    assert sub not in classroom.sweep(stack.engine, again.append, queue_empty=False,
                                      queued_timeout=timedelta(0))
    found = classroom.sweep(stack.engine, again.append, queue_empty=True,
                            queued_timeout=timedelta(0))
    assert sub in found and sub in again
    # Taken once: a second sweep right after does not enqueue it again.
    assert sub not in classroom.sweep(stack.engine, again.append, queue_empty=True,
                                      queued_timeout=timedelta(seconds=30))


def test_the_sweeper_reenqueues_a_submission_whose_worker_was_lost(stack: Stack) -> None:
    sub = classroom.submit(stack.engine, lambda _id: None, _user(stack, "ed"), "softmax", RIGHT)
    assert submissions.claim(stack.engine, sub, "a worker that then dies") is not None
    again: list[str] = []
    assert sub not in classroom.sweep(stack.engine, again.append, queue_empty=False)
    assert sub in classroom.sweep(stack.engine, again.append, queue_empty=False,
                                  running_timeout=timedelta(0))
    assert classroom.grade(stack.engine, sub, "w2").outcome == "graded"


def test_unknown_exercises_and_oversized_files_are_refused_before_anything_is_written(
        stack: Stack) -> None:
    from deepcareer.errors import DeepcareerError

    uid = _user(stack, "fay")
    before = submissions.counts(stack.engine)
    with pytest.raises(DeepcareerError):
        classroom.submit(stack.engine, lambda _id: None, uid, "no-such-exercise", RIGHT)
    with pytest.raises(DeepcareerError):
        classroom.submit(stack.engine, lambda _id: None, uid, "softmax", "x = 1\n" * 200_000)
    assert submissions.counts(stack.engine) == before


# --- real workers ----------------------------------------------------------------------


def _worker(stack: Stack, redis_url: str, name: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DEEPCAREER_DATABASE_URL": stack.database_url,
           "DEEPCAREER_REDIS_URL": redis_url}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "deepcareer.server.worker", "worker",
         "--concurrency", "1", "--pool", "prefork", "--hostname", f"{name}@%h",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=open(Path(os.environ.get("TMPDIR", "/tmp")) / f"worker-{name}.log", "wb"))


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _burst(stack: Stack, redis_url: str, n: int, prefix: str = "") -> dict[str, str]:
    app = make_celery(Settings(stack.database_url, redis_url))
    enqueue = enqueuer(app)
    uid = _user(stack, "burst")
    expected = {}
    for i in range(n):
        code = prefix + (RIGHT if i % 3 else WRONG)
        expected[classroom.submit(stack.engine, enqueue, uid, "softmax", code)] = \
            "pass" if i % 3 else "fail"
    return expected


def _done(stack: Stack, ids: dict[str, str]) -> int:
    return sum(1 for i in ids if submissions.get(stack.engine, i)["state"] == "done")  # type: ignore[index]


def _drain(stack: Stack, redis_url: str, ids: dict[str, str], timeout: float) -> None:
    """Wait until every submission is done, sweeping as the server does."""
    app = make_celery(Settings(stack.database_url, redis_url))
    enqueue = enqueuer(app)
    deadline = time.monotonic() + timeout
    while _done(stack, ids) < len(ids) and time.monotonic() < deadline:
        length = queue_length(app)
        classroom.sweep(stack.engine, enqueue, queue_empty=length == 0,
                        running_timeout=timedelta(seconds=20),
                        queued_timeout=timedelta(seconds=5))
        time.sleep(1.0)


def _held_by(stack: Stack, ids: dict[str, str], worker: str) -> list[str]:
    rows = [submissions.get(stack.engine, i) for i in ids]
    return [r["id"] for r in rows if r and r["state"] == "running"
            and str(r["worker"]).startswith(worker)]


def _assert_exactly_once(stack: Stack, ids: dict[str, str]) -> None:
    rows = {i: submissions.get(stack.engine, i) for i in ids}
    lost = [i for i, r in rows.items() if r is None or r["state"] != "done"]
    assert not lost, f"{len(lost)} of {len(ids)} submissions never graded"
    wrong = {i: (r["status"], ids[i]) for i, r in rows.items()  # type: ignore[index]
             if r["status"] != ids[i]}  # type: ignore[index]
    assert not wrong, wrong


@pytest.mark.slow
def test_a_worker_killed_mid_burst_loses_and_duplicates_nothing(stack: Stack) -> None:
    a, b = _worker(stack, stack.redis_url, "a"), _worker(stack, stack.redis_url, "b")
    try:
        ids = _burst(stack, stack.redis_url, 16, prefix=SLOW)
        deadline = time.monotonic() + 120
        while _done(stack, ids) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        while not _held_by(stack, ids, "a@") and time.monotonic() < deadline:
            time.sleep(0.01)
        _kill(a)  # mid-check: what it held goes back to the queue or to the sweeper
        held = _held_by(stack, ids, "a@")  # still running after the kill: truly stranded
        c = _worker(stack, stack.redis_url, "c")
        try:
            _drain(stack, stack.redis_url, ids, timeout=240)
        finally:
            _kill(c)
    finally:
        _kill(a)
        _kill(b)
    _assert_exactly_once(stack, ids)
    assert held, "the worker was never caught in the middle of a check"
    for sub in held:  # graded by another worker after the kill, once
        row = submissions.get(stack.engine, sub)
        assert row["deliveries"] >= 2 and not row["worker"].startswith("a@")  # type: ignore[index]


@pytest.mark.slow
def test_redis_restarted_during_a_burst_loses_nothing(stack: Stack) -> None:
    if stack.redis is None:
        pytest.skip("Redis is the caller's (DEEPCAREER_TEST_REDIS_URL): not ours to restart")
    redis = stack.redis
    w = _worker(stack, redis.url, "r")
    try:
        ids = _burst(stack, redis.url, 16)
        deadline = time.monotonic() + 120
        while _done(stack, ids) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        redis.stop()  # every queued message is gone with it (no persistence)
        time.sleep(1.0)
        stack.redis = redis = services.start_redis(port=redis.port)
        _drain(stack, redis.url, ids, timeout=240)
    finally:
        _kill(w)
    _assert_exactly_once(stack, ids)
