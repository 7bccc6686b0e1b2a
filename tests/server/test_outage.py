"""PostgreSQL unavailable for a few seconds: the server answers 503 with a sentence, then
recovers by itself (no restart, no traceback)."""

from __future__ import annotations

import os
from contextlib import closing

import pytest
from starlette.testclient import TestClient

from deepcareer.app import accounts, classroom
from deepcareer.server import services
from deepcareer.server.config import Settings
from deepcareer.server.web import create_app
from tests.server.conftest import _installed

PASSWORD = "correct horse battery"


@pytest.mark.slow
def test_the_database_going_away_is_a_503_and_then_nothing() -> None:
    if _installed() or os.environ.get("DEEPCAREER_TEST_DATABASE_URL"):
        pytest.skip("needs a private PostgreSQL to stop and start")
    pg = services.start_postgres()
    try:
        engine = classroom.connect(pg.url)
        classroom.init(engine)
        user = accounts.create_user(engine, "ops@example.org", "Ops", PASSWORD)
        app = create_app(Settings(pg.url, "redis://127.0.0.1:1/0"), enqueue=lambda _id: None,
                         queue_length=lambda: 0)
        with closing(TestClient(app, follow_redirects=False)) as c:
            c.post("/signin", data={"email": user.email, "password": PASSWORD})
            assert c.get("/").status_code == 200
            assert pg.halt is not None and pg.resume is not None
            pg.halt()
            down = c.get("/")
            assert down.status_code == 503 and "try again in a few seconds" in down.text
            assert "Traceback" not in down.text
            assert c.get("/readyz").status_code == 503
            pg.resume()
            back = c.get("/")
            assert back.status_code == 200 and "Hello, Ops" in back.text
        engine.dispose()
    finally:
        pg.stop()
