"""PostgreSQL and Redis for the class server's tests.

``DEEPCAREER_TEST_DATABASE_URL`` and ``DEEPCAREER_TEST_REDIS_URL`` point at instances the
caller runs (each test module empties the tables it uses); otherwise each module starts
private ones on free loopback ports (``deepcareer.server.services``) and stops them after.
Without the Debian packages the tests skip with the install command, except under
``DEEPCAREER_REQUIRE_EXTRAS=1`` (``make test``), where a missing service is an error.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text

from deepcareer.app import classroom
from deepcareer.server import services


@dataclass
class Stack:
    database_url: str
    redis_url: str
    engine: Engine
    redis: services.Service | None  # None when the caller provides Redis


def _installed() -> str | None:
    if os.environ.get("DEEPCAREER_TEST_DATABASE_URL"):
        return None
    try:
        services._pg_bin("initdb")
    except Exception:
        return "postgresql"
    return None if shutil.which("redis-server") else "redis-server"


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    missing = _installed()
    if missing:
        if os.environ.get("DEEPCAREER_REQUIRE_EXTRAS"):
            pytest.fail(f"{missing} is not installed (apt-get install {missing})")
        pytest.skip(f"needs {missing}: apt-get install {missing}")
    given_db = os.environ.get("DEEPCAREER_TEST_DATABASE_URL")
    given_redis = os.environ.get("DEEPCAREER_TEST_REDIS_URL")
    pg = None if given_db else services.start_postgres()
    redis = None if given_redis else services.start_redis()
    made: Stack | None = None
    try:
        url = given_db or pg.url  # type: ignore[union-attr]
        engine = classroom.connect(url)
        classroom.init(engine)
        with engine.begin() as conn:  # a provided database may hold an earlier module's rows
            conn.execute(text("TRUNCATE submissions, users RESTART IDENTITY CASCADE"))
        made = Stack(url, given_redis or redis.url, engine, redis)  # type: ignore[union-attr]
        yield made
        engine.dispose()
    finally:
        # A test may have restarted Redis: stop the instance the stack holds now.
        current = made.redis if made is not None else redis
        if current is not None:
            current.stop()
        if pg is not None:
            pg.stop()


@pytest.fixture
def server(stack: Stack) -> Iterator[str]:
    """A class server on a free loopback port that grades what it enqueues in a thread of
    its own, as a worker would (a project's training must not hold the request open)."""
    import uvicorn

    from deepcareer.server.config import Settings
    from deepcareer.server.web import create_app

    graders: list[threading.Thread] = []

    def enqueue(sub: str, _queue: str = "grading", /) -> None:
        grader = threading.Thread(target=classroom.grade, args=(stack.engine, sub, "inline"),
                                  daemon=True)
        graders.append(grader)
        grader.start()

    app = create_app(Settings(stack.database_url, stack.redis_url), enqueue=enqueue,
                     queue_length=lambda: 0)
    port = services.free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    for grader in graders:
        grader.join(timeout=600)
    running.should_exit = True
    thread.join(timeout=10)


