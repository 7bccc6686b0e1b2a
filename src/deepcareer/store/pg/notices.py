"""PostgreSQL's LISTEN/NOTIFY for the class server: a grade written is announced on a
channel, in the same transaction (delivered at commit, never for a rolled-back write), so a
page waiting for its report hears of it at once instead of asking every few seconds.

A notice is a prompt, never the record: a listener that was reconnecting when a grade was
written misses it, so whoever waits also reads the row now and then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import Connection, text

#: The channel a finished submission's id is announced on.
GRADED = "deepcareer_graded"


def announce(conn: Connection, submission_id: str) -> None:
    """Announce ``submission_id`` when ``conn``'s transaction commits."""
    conn.execute(text("SELECT pg_notify(:channel, :id)"),
                 {"channel": GRADED, "id": submission_id})


async def listen(url: str, heard: Callable[[str], None], *, retry_s: float = 1.0) -> None:
    """Call ``heard(id)`` for every announced id until cancelled; reconnects by itself
    when PostgreSQL goes away (each gap is covered by the waiters' own reads)."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(
                    dsn, autocommit=True, connect_timeout=5) as conn:
                await conn.execute(f"LISTEN {GRADED}")
                async for notice in conn.notifies():
                    heard(notice.payload)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database went away: wait, then listen again
            await asyncio.sleep(retry_s)
