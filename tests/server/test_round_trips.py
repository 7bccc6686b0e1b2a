"""What a check costs the database: the statements of one submission, its held request
and its grade; connections pinged only after they sat idle, and a dead one replaced.

Counted, not timed: the grading throughput itself is measured in bench/class_load.py.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, event, text

from deepcareer.app import accounts
from deepcareer.store.pg import accounts as pg_accounts
from deepcareer.store.pg import db as pg_db
from tests.server.conftest import Stack

PASSWORD = "correct horse battery"
RIGHT = """import numpy as np


def softmax(logits):
    z = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)
"""
#: Statements of one check, the learner's two requests and the worker's grade together
#: (41 before the pool stopped pinging on every checkout, the token stopped writing on
#: every request and reads stopped opening transactions).
MOST_STATEMENTS = 14


class Counted:
    """Every statement SQLAlchemy sends, and every ping, in this process."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.pings = 0
        self.lock = threading.Lock()

    def statement(self, _conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        with self.lock:
            self.statements.append(sql.split()[0].upper())


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counted]:
    seen = Counted()
    event.listen(Engine, "before_cursor_execute", seen.statement)
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    real_ping = PGDialect_psycopg.do_ping

    def ping(self: Any, dbapi_connection: Any) -> bool:
        seen.pings += 1
        return bool(real_ping(self, dbapi_connection))

    monkeypatch.setattr(PGDialect_psycopg, "do_ping", ping)
    yield seen
    event.remove(Engine, "before_cursor_execute", seen.statement)


def test_a_check_costs_a_dozen_statements_and_no_ping(stack: Stack, server: str,
                                                      counted: Counted) -> None:
    ada = accounts.create_user(stack.engine, f"ada-{uuid.uuid4().hex[:8]}@example.org", "Ada",
                               PASSWORD)
    token = accounts.issue_api_token(stack.engine, ada)
    with httpx.Client(base_url=server, timeout=60,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        # A first check: the token's first use is written, connections are made.
        first = client.post("/api/submissions", json={"exercise": "softmax", "code": RIGHT})
        assert client.get(f"/api/submissions/{first.json()['id']}?wait=30").json()[
            "state"] == "done"
        counted.statements.clear()
        counted.pings = 0
        sent = client.post("/api/submissions", json={"exercise": "softmax", "code": RIGHT})
        assert sent.status_code == 202
        answer = client.get(f"/api/submissions/{sent.json()['id']}?wait=30").json()
    assert answer["state"] == "done" and answer["report"]["status"] == "pass"
    assert counted.pings == 0
    assert 0 < len(counted.statements) <= MOST_STATEMENTS, counted.statements
    assert counted.statements.count("INSERT") == 1, counted.statements  # one row written


def test_an_api_token_notes_its_use_to_the_nearest_few_minutes(stack: Stack) -> None:
    from datetime import timedelta

    from deepcareer.store.pg.schema import api_tokens

    bo = accounts.create_user(stack.engine, f"bo-{uuid.uuid4().hex[:8]}@example.org", "Bo",
                              PASSWORD)
    token = accounts.issue_api_token(stack.engine, bo)

    def last_used() -> Any:
        with stack.engine.connect() as conn:
            return conn.execute(text("SELECT last_used_at FROM api_tokens WHERE user_id = :u"),
                                {"u": bo.id}).scalar_one()

    assert last_used() is None
    assert accounts.api_user(stack.engine, token) == bo
    noted = last_used()
    assert noted is not None
    assert accounts.api_user(stack.engine, token) == bo
    assert last_used() == noted  # within the precision: not written again
    stale = noted - pg_accounts.TOKEN_USE_PRECISION - timedelta(seconds=1)
    with stack.engine.begin() as conn:
        conn.execute(api_tokens.update().where(api_tokens.c.user_id == bo.id)
                     .values(last_used_at=stale))
    assert accounts.api_user(stack.engine, token) == bo
    assert last_used() > noted
    assert accounts.api_user(stack.engine, "not-a-token") is None


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(
        stack: Stack, counted: Counted, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = pg_db.engine_for(stack.database_url)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as conn:  # used a moment ago: handed out as it is
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() == pid
        assert counted.pings == 0
        with stack.engine.connect() as admin:  # the database drops it meanwhile
            admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        monkeypatch.setattr(pg_db, "IDLE_PING_S", 0.0)  # as if it had sat idle
        with engine.connect() as conn:
            fresh = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert fresh != pid and counted.pings >= 1
    finally:
        engine.dispose()
