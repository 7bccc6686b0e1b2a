"""The class server's connection to PostgreSQL, and its migrations.

One engine per process (a pool of connections); ``init`` applies the Alembic revisions in
``store/pg/migrations`` (their version table, ``server_alembic_version``, is the server's
own). A database that cannot be reached raises :class:`ServerUnavailable`, which the web
face turns into a 503 with a sentence, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from deepcareer.errors import ServerUnavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def engine_for(url: str) -> Engine:
    """A pooled engine; connections are checked before use, so a database that restarted
    costs one failed request at most (``pool_pre_ping``)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                         connect_args={"connect_timeout": 5})


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
