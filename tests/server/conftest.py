"""A class server on a free port for the web tests; PostgreSQL and Redis come from the
``stack`` fixture in tests/conftest.py (shared with the store's contract tests)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from deepcareer.app import classroom
from deepcareer.server import services
from tests.conftest import Stack, _installed

__all__ = ["Stack", "_installed"]  # the server tests import them from here


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


