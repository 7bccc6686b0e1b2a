"""Reports reach the waiting page as soon as they are written: PostgreSQL's notice of a
finished grade wakes the page's server-sent-events stream."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from collections.abc import Iterator

import httpx2 as httpx
import pytest

from deepcareer.app import accounts, classroom, live
from deepcareer.store.pg.notices import GRADED
from tests.server.conftest import Stack

PASSWORD = "correct horse battery"
RIGHT = """import numpy as np


def softmax(logits):
    z = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)
"""


def test_a_notice_wakes_its_waiter_and_no_other(stack: Stack) -> None:
    from sqlalchemy import text

    async def scenario() -> tuple[float, bool]:
        feed = live.GradedFeed(stack.database_url)
        mine = asyncio.create_task(feed.wait("mine", timeout=60))
        other = asyncio.create_task(feed.wait("other", timeout=60))
        await asyncio.sleep(1.0)  # the listener is connected by now

        def notify() -> None:
            with stack.engine.begin() as conn:
                conn.execute(text("SELECT pg_notify(:c, 'mine')"), {"c": GRADED})

        started = time.monotonic()
        await asyncio.to_thread(notify)
        await mine
        woke = time.monotonic() - started
        still_waiting = not other.done()
        other.cancel()
        await feed.close()
        return woke, still_waiting

    woke, still_waiting = asyncio.run(scenario())
    assert woke < 20, woke  # the notice, not the 60 s timeout (slack for a loaded machine)
    assert still_waiting


@contextlib.contextmanager
def _signed_in(base: str, email: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as client:
        done = client.post("/signin", data={"email": email, "password": PASSWORD})
        assert done.status_code == 303, done.text
        yield client


def test_the_waiting_page_hears_its_grade(stack: Stack, server: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from deepcareer.server import web

    # Only the notice can wake the stream within the test's minute: no re-reads meanwhile.
    monkeypatch.setattr(live, "RECHECK_S", 600.0)
    monkeypatch.setattr(web, "LIVE_ROUND_S", 600.0)
    ada = accounts.create_user(stack.engine, f"ada-{uuid.uuid4().hex[:8]}@example.org", "Ada",
                               PASSWORD)
    bo = accounts.create_user(stack.engine, f"bo-{uuid.uuid4().hex[:8]}@example.org", "Bo",
                              PASSWORD)
    sub = classroom.submit(stack.engine, lambda _id, _q="grading", /: None, ada.id,
                           "softmax", RIGHT)  # queued: no worker yet
    with _signed_in(server, bo.email) as stranger:
        assert stranger.get(f"/submissions/{sub}/events").status_code == 403
    lines: list[str] = []
    with _signed_in(server, ada.email) as client:
        page = client.get(f"/submissions/{sub}")
        assert f'data-events="/submissions/{sub}/events"' in page.text
        assert '<noscript><meta http-equiv="refresh"' in page.text

        def listen() -> None:
            with client.stream("GET", f"/submissions/{sub}/events") as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                for line in stream.iter_lines():
                    lines.append(line)
                    if line == "event: done":
                        return

        reader = threading.Thread(target=listen, daemon=True)
        reader.start()
        time.sleep(1.0)
        assert "event: done" not in lines  # nothing graded yet
        classroom.grade(stack.engine, sub, "worker")
        reader.join(timeout=60)
        assert "event: done" in lines, lines
        assert "report" in client.get(f"/submissions/{sub}").text.lower()
    # Graded already: the stream says so at once.
    with _signed_in(server, ada.email) as client, \
            client.stream("GET", f"/submissions/{sub}/events") as stream:
        assert any(line == "event: done" for line in stream.iter_lines())


@pytest.mark.parametrize("twice", [False, True])
def test_only_the_write_that_lands_is_announced(stack: Stack, twice: bool) -> None:
    """A duplicate delivery's finish writes nothing and announces nothing."""
    from deepcareer.store.pg import submissions

    ada = accounts.create_user(stack.engine, f"a-{uuid.uuid4().hex[:8]}@example.org", "A",
                               PASSWORD)
    sub = submissions.create(stack.engine, ada.id, "softmax", RIGHT)
    report = {"status": "pass", "checks": [], "findings": []}
    heard: list[str] = []

    async def scenario() -> None:
        task = asyncio.create_task(live.notices.listen(stack.database_url, heard.append))
        await asyncio.sleep(1.0)
        assert await asyncio.to_thread(submissions.finish, stack.engine, sub, report)
        if twice:
            assert not await asyncio.to_thread(submissions.finish, stack.engine, sub, report)
        for _ in range(100):
            if heard:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert heard == [sub]


def test_the_terminal_waits_for_its_report_in_one_request(
        stack: Stack, server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``GET /api/submissions/ID?wait=S`` answers once the grade is written, woken by its
    notice; a wait out of range is refused with a sentence."""
    from deepcareer.server import web

    monkeypatch.setattr(live, "RECHECK_S", 600.0)  # only the notice wakes it
    ada = accounts.create_user(stack.engine, f"ada-{uuid.uuid4().hex[:8]}@example.org", "Ada",
                               PASSWORD)
    sub = classroom.submit(stack.engine, lambda _id, _q="grading", /: None, ada.id,
                           "softmax", RIGHT)
    token = accounts.issue_api_token(stack.engine, ada)
    headers = {"Authorization": f"Bearer {token}"}
    answers: list[dict[str, object]] = []
    with httpx.Client(base_url=server, timeout=90, headers=headers) as client:
        too_long = f"/api/submissions/{sub}?wait={web.LONG_POLL_S + 1:g}"
        assert client.get(too_long).status_code == 400
        assert client.get(f"/api/submissions/{sub}?wait=soon").status_code == 400
        quick = client.get(f"/api/submissions/{sub}?wait=0").json()
        assert quick["state"] == "queued"

        def ask() -> None:
            answers.append(client.get(f"/api/submissions/{sub}?wait={web.LONG_POLL_S:g}"
                                      ).json())

        asker = threading.Thread(target=ask, daemon=True)
        asker.start()
        time.sleep(1.0)
        assert not answers  # still held: nothing graded yet
        classroom.grade(stack.engine, sub, "worker")
        asker.join(timeout=60)
    assert answers and answers[0]["state"] == "done", answers
    report = answers[0]["report"]
    assert isinstance(report, dict) and report["status"] == "pass"


class _Reads:
    """``state_of`` as the waiters call it, counted."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = live.state_of

        def counted(engine: object, sub_id: str) -> str | None:
            self.count += 1
            return real(engine, sub_id)  # type: ignore[arg-type]

        monkeypatch.setattr(live, "state_of", counted)


async def _until_listening(feed: live.GradedFeed) -> None:
    with feed.watching("nobody"):  # starts the listener
        for _ in range(100):
            if feed.listening_since() is not None:
                return
            await asyncio.sleep(0.1)
    raise AssertionError("the listener did not connect")


def _queued(stack: Stack) -> str:
    from deepcareer.store.pg import submissions

    ada = accounts.create_user(stack.engine, f"a-{uuid.uuid4().hex[:8]}@example.org", "A",
                               PASSWORD)
    return submissions.create(stack.engine, ada.id, "softmax", RIGHT)


def test_a_waiter_reads_its_row_once_while_the_listener_stays_up(
        stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Held at the end of a long queue, a waiter costs the database one read, not one
    every RECHECK_S: the listener that stayed up would have heard its grade."""
    monkeypatch.setattr(live, "RECHECK_S", 0.1)
    reads = _Reads(monkeypatch)
    sub = _queued(stack)

    async def scenario() -> bool:
        feed = live.GradedFeed(stack.database_url)
        await _until_listening(feed)
        graded = await live.until_graded(feed, stack.engine, sub, 1.5)
        await feed.close()
        return graded

    assert asyncio.run(scenario()) is False
    assert reads.count == 1, reads.count


def test_a_notice_lost_to_a_reconnect_is_made_up_by_a_read(
        stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """A grade whose notice never arrived (the listener reconnected meanwhile) is found by
    the read that follows the reconnect; with the listener up throughout, the same lost
    notice would leave the waiter waiting, which is why a reconnect must count."""
    from deepcareer.store.pg import submissions

    monkeypatch.setattr(live, "RECHECK_S", 0.2)
    reads = _Reads(monkeypatch)
    sub = _queued(stack)

    async def scenario() -> tuple[bool, float]:
        feed = live.GradedFeed(stack.database_url)
        feed._heard = lambda _sub_id: None  # type: ignore[method-assign]  # notices lost
        await _until_listening(feed)
        waiter = asyncio.create_task(live.until_graded(feed, stack.engine, sub, 30.0))
        await asyncio.sleep(0.5)
        await asyncio.to_thread(submissions.finish, stack.engine, sub,
                                {"status": "pass", "checks": [], "findings": []})
        await asyncio.sleep(0.5)
        assert not waiter.done()  # still trusting the listener: its notice was "lost"
        started = time.monotonic()
        feed._listening(False)
        feed._listening(True)  # a reconnect: what was sent in the gap is unknown
        graded = await waiter
        await feed.close()
        return graded, time.monotonic() - started

    graded, after = asyncio.run(scenario())
    assert graded and after < 5, after
    assert reads.count == 2, reads.count


def test_without_a_listener_a_waiter_reads_every_recheck(
        stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """A listener that cannot connect: the waiter falls back to reading its row."""
    from deepcareer.store.pg import submissions

    monkeypatch.setattr(live, "RECHECK_S", 0.2)
    reads = _Reads(monkeypatch)
    sub = _queued(stack)

    async def scenario() -> bool:
        feed = live.GradedFeed("postgresql://nobody@127.0.0.1:1/none")  # never connects
        waiter = asyncio.create_task(live.until_graded(feed, stack.engine, sub, 30.0))
        await asyncio.sleep(0.7)
        await asyncio.to_thread(submissions.finish, stack.engine, sub,
                                {"status": "pass", "checks": [], "findings": []})
        graded = await asyncio.wait_for(waiter, 5)
        await feed.close()
        return graded

    assert asyncio.run(scenario())
    assert reads.count >= 3, reads.count
