"""Alembic environment of the class server: always run with a connection handed in by
deepcareer.store.pg.db (``deepcareer server init``)."""

from __future__ import annotations

from alembic import context

from deepcareer.store.pg.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic is run by hand
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set sqlalchemy.url or use `deepcareer server init`")
    connection = create_engine(url).connect()

context.configure(connection=connection, target_metadata=metadata,
                  version_table="server_alembic_version")
with context.begin_transaction():
    context.run_migrations()
