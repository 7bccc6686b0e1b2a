"""Reports that reach the page as soon as they are written.

A page waiting for its grade holds one server-sent-events stream; the web process keeps one
connection that LISTENs for PostgreSQL's notices of finished submissions
(``store.pg.notices``) and wakes whoever waits for that id. A notice is only a prompt: the
waiter reads the row itself when woken and every ``RECHECK_S`` anyway, so a notice lost
while PostgreSQL restarted delays a report by seconds, never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from sqlalchemy import Engine

from deepcareer.store.pg import notices
from deepcareer.store.pg.submissions import state_of

#: A waiter reads its submission's row at least this often, notice or not.
RECHECK_S = 10.0


class GradedFeed:
    """Waiters for submissions' grades, woken by the database's notices."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._waiting: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _ensure_listening(self) -> None:
        """Start (or restart, in a new event loop) the one listening connection."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop = loop
            self._task = loop.create_task(notices.listen(self._url, self._heard))

    def _heard(self, submission_id: str) -> None:
        for event in self._waiting.get(submission_id, ()):
            event.set()

    @contextlib.contextmanager
    def watching(self, submission_id: str) -> Iterator[asyncio.Event]:
        """An event set when a notice for ``submission_id`` arrives while inside.

        Enter it before reading the row: a grade written between the read and the wait
        then still wakes the waiter, instead of leaving it to the next re-read."""
        self._ensure_listening()
        event = asyncio.Event()
        self._waiting.setdefault(submission_id, set()).add(event)
        try:
            yield event
        finally:
            left = self._waiting.get(submission_id)
            if left is not None:
                left.discard(event)
                if not left:
                    del self._waiting[submission_id]

    async def wait(self, submission_id: str, timeout: float = RECHECK_S) -> None:
        """Return when a notice for ``submission_id`` arrives, or after ``timeout``."""
        with self.watching(submission_id) as event, contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await self._task
        self._task = None


async def until_graded(feed: GradedFeed, engine: Engine, submission_id: str,
                       patience_s: float, heard: asyncio.Event | None = None) -> bool:
    """Whether ``submission_id`` is graded within ``patience_s`` (woken by its notice).

    ``heard``: the caller's own ``feed.watching`` event, entered before it read the row
    and found it not done; the row is then not read again until ``RECHECK_S`` has passed.
    A notice is sent only by the statement that writes the grade, at its commit
    (``store.pg.notices``), so one heard means graded; the re-reads are for a notice
    lost while the listening connection was down.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience_s
    with contextlib.nullcontext(heard) if heard is not None else \
            feed.watching(submission_id) as event:
        read_now = heard is None
        while True:
            if read_now and await asyncio.to_thread(state_of, engine, submission_id) == "done":
                return True
            read_now = True
            left = deadline - loop.time()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(event.wait(), min(RECHECK_S, left))
            except TimeoutError:
                continue
            return True
