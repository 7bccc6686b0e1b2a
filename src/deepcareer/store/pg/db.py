"""The class server's connection to PostgreSQL, and its migrations.

One engine per process (a pool of connections); ``init`` applies the Alembic revisions in
``store/pg/migrations`` (their version table, ``server_alembic_version``, is the server's
own). A database that cannot be reached raises :class:`ServerUnavailable`, which the web
face turns into a 503 with a sentence, never a traceback.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError, OperationalError

from deepcareer.errors import ServerUnavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


#: Connections kept open per process: as many as the web server's worker threads (40,
#: anyio's default), so a burst never opens and closes connections beyond the pool (each
#: one a new PostgreSQL backend process, a few milliseconds of its CPU).
POOL_SIZE = 40
#: A connection idle for longer than this is pinged before it is handed out.
IDLE_PING_S = 10.0


def engine_for(url: str) -> Engine:
    """A pooled engine whose connections are checked before use when they have been idle.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: a grade and the two requests
    around it check out connections about twenty times, so under a burst a third of the
    statements PostgreSQL ran were pings. Here a connection used in the last
    ``IDLE_PING_S`` seconds goes out as it is: one that died meanwhile (the database
    restarted) fails one request with a 503, and that failure makes SQLAlchemy drop every
    pooled connection made before it, so the next request reconnects.
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=20,
                           connect_args={"connect_timeout": 5})
    event.listen(engine, "connect", _mark_used)
    event.listen(engine, "checkin", _mark_used)
    event.listen(engine, "checkout", _ping_if_idle(engine))
    return engine


def _mark_used(_dbapi_connection: Any, record: Any) -> None:
    record.info["used_at"] = time.monotonic()


def _ping_if_idle(engine: Engine) -> Any:
    def check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("used_at", 0.0) < IDLE_PING_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool discards this connection and tries a fresh one.
            raise DisconnectionError(str(exc)) from exc

    return check


def init(engine: Engine) -> str:
    """Create or upgrade the server's tables; returns the revision now in place."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT version_num FROM server_alembic_version"))
                       .scalar_one())
    except OperationalError as exc:
        raise ServerUnavailable(f"cannot reach PostgreSQL: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
