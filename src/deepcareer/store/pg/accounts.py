"""Accounts on the class server: users and their site-wide role."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select

from deepcareer.store.pg.schema import users
from deepcareer.store.pg.submissions import now


def create_user(engine: Engine, email: str, name: str, role: str, password_hash: str) -> int:
    """Insert a user (email lower-cased, unique) and return the id."""
    with engine.begin() as conn:
        return int(conn.execute(insert(users).values(
            email=email.strip().lower(), name=name.strip(), role=role,
            password_hash=password_hash, created_at=now()).returning(users.c.id)).scalar_one())


def find_user(engine: Engine, email: str) -> dict[str, object] | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.email == email.strip().lower())) \
            .mappings().first()
    return dict(row) if row else None
