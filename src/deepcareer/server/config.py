"""Where the class server finds PostgreSQL and Redis: options, else environment variables.

``DEEPCAREER_DATABASE_URL`` (``postgresql://user:password@host:5432/deepcareer``) and
``DEEPCAREER_REDIS_URL`` (``redis://host:6379/0``). Workers on other machines need the same
two values; nothing else is shared between them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from deepcareer.errors import ServerError

DATABASE_ENV = "DEEPCAREER_DATABASE_URL"
REDIS_ENV = "DEEPCAREER_REDIS_URL"


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str

    @classmethod
    def from_env(cls, database_url: str | None = None,
                 redis_url: str | None = None) -> Settings:
        db = database_url or os.environ.get(DATABASE_ENV, "")
        redis = redis_url or os.environ.get(REDIS_ENV, "")
        missing = [name for name, value in ((f"--database-url or {DATABASE_ENV}", db),
                                            (f"--redis-url or {REDIS_ENV}", redis)) if not value]
        if missing:
            raise ServerError(f"The class server needs {' and '.join(missing)}. Example: "
                              f"{DATABASE_ENV}=postgresql://deepcareer@localhost/deepcareer "
                              f"{REDIS_ENV}=redis://localhost:6379/0 deepcareer server run")
        if not db.startswith(("postgresql://", "postgresql+psycopg://")):
            raise ServerError(f"{DATABASE_ENV} must be a postgresql:// URL, not {db[:40]!r}")
        if not redis.startswith(("redis://", "rediss://")):
            raise ServerError(f"{REDIS_ENV} must be a redis:// URL, not {redis[:40]!r}")
        return cls(db, redis)
