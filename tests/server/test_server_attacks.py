"""Hostile learners against the class server: the isolation attacks sent as submissions and
graded by a worker whose environment holds the database's and the broker's addresses, and
the account attacks a learner can make through the pages.

Each sandbox attack first disarms the in-process guard (``tests/grading/test_attacks.py``
shows that it does), so what is tested is the OS wall around a worker's check.
"""

# ruff: noqa: UP031  (attack code is templated with %, since it is full of braces)
from __future__ import annotations

import json
import re
import uuid
from contextlib import closing
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from deepcareer.app import accounts, classroom
from deepcareer.server.config import Settings
from deepcareer.server.web import create_app
from deepcareer.store.pg.submissions import get
from tests.conftest import os_sandbox_skip
from tests.grading.test_attacks import BREAK
from tests.server.conftest import Stack

PASSWORD = "correct horse battery"


def _email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}@example.org"


@pytest.fixture
def worker_env(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    """This process is the worker: its environment holds both URLs, as `server worker`'s."""
    monkeypatch.setenv("DEEPCAREER_DATABASE_URL", stack.database_url)
    monkeypatch.setenv("DEEPCAREER_REDIS_URL", stack.redis_url)
    return stack


def _graded(stack: Stack, user_id: int, body: str) -> dict[str, Any]:
    indented = "\n".join("    " + line for line in body.strip("\n").splitlines())
    code = (f"import os, sys\nimport numpy as np\n{BREAK}\nBORROWED = None\n"
            f"def _attack():\n    global BORROWED\n{indented}\n_attack()\n"
            "def softmax(logits):\n"
            "    return BORROWED(logits) if BORROWED else np.zeros_like(logits)\n")
    sub = classroom.submit(stack.engine, lambda _id, _q="grading", /: None, user_id,
                           "softmax", code)
    classroom.grade(stack.engine, sub, "worker")
    row = get(stack.engine, sub)
    assert row is not None and row["state"] == "done"
    return row


@os_sandbox_skip()
def test_a_submission_cannot_reach_the_database_the_broker_or_their_secrets(
        worker_env: Stack) -> None:
    stack = worker_env
    ada = accounts.create_user(stack.engine, _email("ada"), "Ada", PASSWORD)
    db, broker = urlsplit(stack.database_url), urlsplit(stack.redis_url)
    row = _graded(stack, ada.id, '''
import socket, glob
seen = [repr(dict(os.environ))]
for pid in os.listdir("/proc"):
    for part in ("environ", "cmdline"):
        try:
            seen.append(open("/proc/%%s/%%s" %% (pid, part), "rb").read().decode("latin-1"))
        except OSError:
            pass
for pattern in ("/tmp/*", "/run/postgresql/*", "/var/run/postgresql/*"):
    seen += glob.glob(pattern)
for host, port in (("127.0.0.1", %d), ("127.0.0.1", %d), ("%s", %d)):
    try:
        s = socket.create_connection((host, port), timeout=2)
        s.sendall(b"*3\\r\\n$4\\r\\nLPUSH\\r\\n$7\\r\\ngrading\\r\\n$4\\r\\nowned\\r\\n")
        seen.append("CONNECTED %%s:%%s" %% (host, port))
    except OSError as exc:
        seen.append("refused %%s" %% exc)
print("\\n".join(seen))
''' % (db.port or 5432, broker.port or 6379, db.hostname, db.port or 5432))
    shown = json.dumps(row["report"])
    assert row["status"] == "fail" and row["report"]["isolation"] == "os"
    assert "CONNECTED" not in shown
    password = db.password or ""
    for secret in (stack.database_url, stack.redis_url, *([password] if password else [])):
        assert secret not in shown
    # Nothing reached the record: only this learner's one failed submission exists.
    with stack.engine.connect() as conn:
        mine = conn.execute(text("SELECT status FROM submissions WHERE user_id = :u"),
                            {"u": ada.id}).scalars().all()
    assert mine == ["fail"]


@os_sandbox_skip()
def test_a_submission_cannot_forge_its_own_grade_or_borrow_the_reference(
        worker_env: Stack) -> None:
    stack = worker_env
    ada = accounts.create_user(stack.engine, _email("ada"), "Ada", PASSWORD)
    row = _graded(stack, ada.id, '''
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if root + "/" + d not in ("/proc", "/sys", "/dev")]
    if "solution.py" in files and root.endswith("softmax"):
        namespace = {}
        exec(open(root + "/solution.py").read(), namespace)
        BORROWED = namespace["softmax"]
# A forged pass on the result channel: the parent reads frames, not text.
print('{"status": "pass", "checks": []}')
sys.stdout.write("\\x00PASS\\x00")
''')
    # A walk of the whole tree may run out of time on a busy machine: never a pass.
    assert row["status"] in ("fail", "timeout")
    assert classroom.my_submissions(stack.engine, ada)[0]["status"] == row["status"]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_a_learner_cannot_raise_their_own_role(stack: Stack) -> None:
    teacher = accounts.create_user(stack.engine, _email("t"), "T", PASSWORD, role="instructor")
    cohort_id = accounts.create_cohort(stack.engine, teacher, "Roles")
    link = accounts.invite(stack.engine, teacher, cohort_id)
    app: Any = create_app(Settings(stack.database_url, stack.redis_url),
                          enqueue=lambda _id, _q="grading", /: None, queue_length=lambda: 0)
    email = _email("eve")
    with closing(TestClient(app, base_url="http://testserver", follow_redirects=False)) as eve:
        joined = eve.post(f"/join/{link}", data={"email": email, "name": "Eve",
                                                 "password": PASSWORD, "role": "admin"})
        assert joined.status_code == 303
        csrf = _csrf(eve.get("/").text)
        # A learner's attempts at staff actions, each with a valid session and token.
        for path, data in ((f"/cohorts/{cohort_id}/invites", {"role": "instructor"}),
                           (f"/cohorts/{cohort_id}/assignments", {"item": "exercise:mse"}),
                           ("/cohorts", {"name": "Mine now"})):
            refused = eve.post(path, data={**data, "csrf": csrf})
            assert refused.status_code in (400, 403), (path, refused.status_code)
        assert eve.get(f"/cohorts/{cohort_id}").status_code == 403
        assert eve.get(f"/cohorts/{cohort_id}/results.csv").status_code == 403
    with stack.engine.connect() as conn:
        role = conn.execute(text("SELECT role FROM users WHERE email = :e"), {"e": email}
                            ).scalar_one()
        member = conn.execute(text("SELECT m.role FROM memberships m JOIN users u ON "
                                   "u.id = m.user_id WHERE u.email = :e"), {"e": email}
                              ).scalar_one()
        cohorts = conn.execute(text("SELECT count(*) FROM cohorts c JOIN users u ON "
                                    "u.id = c.created_by WHERE u.email = :e"), {"e": email}
                               ).scalar_one()
    assert (role, member, cohorts) == ("learner", "learner", 0)
