"""PostgreSQL's LISTEN/NOTIFY for the class server: a grade written is announced on a
channel, in the same transaction (delivered at commit, never for a rolled-back write), so a
page waiting for its report hears of it at once instead of asking every few seconds.

A notice is a prompt, never the record: a listener that was reconnecting when a grade was
written misses it, so whoever waits reads the row again when the listener was down or
reconnected while it waited.
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


#: TCP keepalives on the listening connection (libpq's parameters): a database host that
#: vanished without closing the connection is noticed within about 25 s, not hours later.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
              "keepalives_count": 3}


async def listen(url: str, heard: Callable[[str], None], *, retry_s: float = 1.0,
                 listening: Callable[[bool], None] | None = None) -> None:
    """Call ``heard(id)`` for every announced id until cancelled; reconnects by itself
    when PostgreSQL goes away (each gap is covered by the waiters' own reads).

    ``listening(True)`` is called once LISTEN is in force and ``listening(False)`` when the
    connection is lost: between the two, every grade committed has been heard, which is
    what lets a waiter skip its own re-reads."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    while True:
        try:
            dsn = make_conninfo(url.replace("postgresql+psycopg://", "postgresql://", 1),
                                **KEEPALIVES)
            async with await psycopg.AsyncConnection.connect(
                    dsn, autocommit=True, connect_timeout=5) as conn:
                await conn.execute(f"LISTEN {GRADED}")
                if listening is not None:
                    listening(True)
                async for notice in conn.notifies():
                    heard(notice.payload)
        except asyncio.CancelledError:
            if listening is not None:
                listening(False)
            raise
        except Exception:  # the database went away: wait, then listen again
            if listening is not None:
                listening(False)
            await asyncio.sleep(retry_s)
