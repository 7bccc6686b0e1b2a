"""Reports that reach the page as soon as they are written.

A page waiting for its grade holds one server-sent-events stream; the web process keeps one
connection that LISTENs for PostgreSQL's notices of finished submissions
(``store.pg.notices``) and wakes whoever waits for that id.

A waiter reads its row once, then waits for the notice. It reads the row again every
``RECHECK_S`` only while it cannot be sure it would have heard: the listening connection
was down, or reconnected (a notice sent in the gap is lost), since its last read. So a
notice lost while PostgreSQL restarted delays a report by seconds, never loses it; and
while the listener stays up, a learner held for a minute at the end of a long queue costs
the database nothing until the grade (at the end of a 5,000-check queue those re-reads were
five a held request, a fifth or so of the web server's work).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Engine

from deepcareer.store.pg import notices
from deepcareer.store.pg.submissions import state_of

#: While the listener is down (or has reconnected), a waiter reads its row this often.
RECHECK_S = 10.0


@dataclass
class Watch:
    """One waiter's registration: ``event`` is set when its notice arrives; ``since`` is
    the listener's connection number when it registered (None while it was down)."""

    event: asyncio.Event
    since: int | None


class GradedFeed:
    """Waiters for submissions' grades, woken by the database's notices."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._waiting: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connection = 0  # how many times LISTEN has come into force
        self._up = False

    def listening_since(self) -> int | None:
        """The current listening connection's number, or None while there is none: two
        equal answers mean every grade committed in between was heard."""
        return self._connection if self._up else None

    def _listening(self, up: bool) -> None:
        if up:
            self._connection += 1
        self._up = up

    def _ensure_listening(self) -> None:
        """Start (or restart, in a new event loop) the one listening connection."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop = loop
            self._up = False
            self._task = loop.create_task(notices.listen(self._url, self._heard,
                                                         listening=self._listening))

    def _heard(self, submission_id: str) -> None:
        for event in self._waiting.get(submission_id, ()):
            event.set()

    @contextlib.contextmanager
    def watching(self, submission_id: str) -> Iterator[Watch]:
        """A watch whose event is set when a notice for ``submission_id`` arrives while
        inside.

        Enter it before reading the row: a grade written between the read and the wait
        then still wakes the waiter, instead of leaving it to the next re-read."""
        self._ensure_listening()
        event = asyncio.Event()
        self._waiting.setdefault(submission_id, set()).add(event)
        try:
            yield Watch(event, self.listening_since())
        finally:
            left = self._waiting.get(submission_id)
            if left is not None:
                left.discard(event)
                if not left:
                    del self._waiting[submission_id]

    async def wait(self, submission_id: str, timeout: float = RECHECK_S) -> None:
        """Return when a notice for ``submission_id`` arrives, or after ``timeout``."""
        with self.watching(submission_id) as watch, contextlib.suppress(TimeoutError):
            await asyncio.wait_for(watch.event.wait(), timeout)

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await self._task
        self._task = None


async def until_graded(feed: GradedFeed, engine: Engine, submission_id: str,
                       patience_s: float, heard: Watch | None = None) -> bool:
    """Whether ``submission_id`` is graded within ``patience_s`` (woken by its notice).

    ``heard``: the caller's own ``feed.watching``, entered before it read the row and
    found it not done; the row is then not read again here unless the listener was down
    or reconnected since. A notice is sent only by the statement that writes the grade, at
    its commit (``store.pg.notices``), so one heard means graded, and a listener that
    stayed up since the last read would have heard it.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience_s
    with contextlib.nullcontext(heard) if heard is not None else \
            feed.watching(submission_id) as watch:
        read_now, since = heard is None, watch.since
        while True:
            if read_now:
                since = feed.listening_since()  # before the read: what it can vouch for
                if await asyncio.to_thread(state_of, engine, submission_id) == "done":
                    return True
            left = deadline - loop.time()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(watch.event.wait(), min(RECHECK_S, left))
            except TimeoutError:
                # Read again only when a notice may have been missed.
                read_now = since is None or feed.listening_since() != since
                continue
            return True
