"""The same attacks, sent as a learner would through the web API of a running app.

The app keeps a warm pool while it serves (its lifespan), so these checks run in
children started ahead of time. Each attack first disarms the in-process guard
(``tests/grading/test_attacks.py`` shows that it does), then tries to turn a wrong
answer into a pass, forge a pass in the database, read the session token, or leave
a process behind.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from deepcareer.store.db import open_store
from deepcareer.web.app import create_app
from deepcareer.web.security import COOKIE
from tests.conftest import os_sandbox_skip
from tests.grading.test_attacks import BREAK, LINGER, host_processes_with

TOKEN = f"token-{uuid.uuid4().hex}"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"

pytestmark = os_sandbox_skip()


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(tmp_path / "home", TOKEN, "127.0.0.1", PORT)
    with TestClient(app, base_url=BASE) as c:  # runs the lifespan: the warm pool
        c.cookies.set(COOKIE, TOKEN)
        yield c


def check(client: TestClient, body: str) -> dict[str, object]:
    """``body`` runs once, when the file loads (so a slow search of the whole tree is
    paid once); it may set ``BORROWED`` to a function that softmax then returns."""
    indented = "\n".join("    " + line for line in body.strip("\n").splitlines())
    code = (f"import os, sys\nimport numpy as np\n{BREAK}\nBORROWED = None\n"
            f"def _attack():\n    global BORROWED\n{indented}\n_attack()\n"
            "def softmax(logits):\n"
            "    return BORROWED(logits) if BORROWED else np.zeros_like(logits)\n")
    response = client.post("/api/exercises/softmax/check", json={"code": code},
                           headers={"origin": BASE})
    assert response.status_code == 200, response.text
    report: dict[str, object] = response.json()
    return report


def test_a_wrong_answer_cannot_borrow_the_reference(client: TestClient) -> None:
    report = check(client, '''
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if root + "/" + d not in ("/proc", "/sys", "/dev")]
    if "solution.py" in files and root.endswith("softmax"):
        namespace = {}
        exec(open(root + "/solution.py").read(), namespace)
        BORROWED = namespace["softmax"]
''')
    assert report["status"] != "pass"
    assert report["isolation"] == "os"


def test_no_pass_can_be_forged_in_the_progress_database(client: TestClient, tmp_path: Path
                                                        ) -> None:
    report = check(client, '''
import sqlite3
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if root + "/" + d not in ("/proc", "/sys", "/dev")]
    if "progress.db" in files:
        db = sqlite3.connect(root + "/progress.db")
        db.execute("INSERT INTO attempts (exercise_id, status, created_at, content_version) "
                   "VALUES ('dropout', 'pass', '2026-01-01T00:00:00+00:00', 1)")
        db.commit()
for pid in os.listdir("/proc"):
    try:
        print(open("/proc/%s/cmdline" % pid).read())
    except OSError:
        pass
''')
    assert report["status"] == "fail"
    with open_store(tmp_path / "home") as store:
        logged = [(a["exercise_id"], a["status"]) for a in store.attempts()]
    assert logged == [("softmax", "fail")]


def test_the_session_token_is_out_of_reach(client: TestClient) -> None:
    report = check(client, '''
found = []
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    for part in ("environ", "cmdline"):
        try:
            found.append(open("/proc/%s/%s" % (pid, part), "rb").read())
        except OSError:
            pass
    try:
        maps = open("/proc/%s/maps" % pid).read().splitlines()
        mem = open("/proc/%s/mem" % pid, "rb")
        for line in maps[:200]:
            start, end = (int(v, 16) for v in line.split()[0].split("-"))
            try:
                mem.seek(start)
                found.append(mem.read(min(end - start, 1 << 20)))
            except OSError:
                pass
    except OSError:
        pass
blob = b"".join(found)
at = blob.find(b"token-")
print(blob[at:at + 40] if at >= 0 else "nothing")
''')
    assert TOKEN not in str(report)


def test_nothing_the_check_started_is_left_running(client: TestClient) -> None:
    marker = f"linger-{uuid.uuid4().hex}"
    check(client, LINGER % marker)
    deadline = time.monotonic() + 3.0
    while host_processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert host_processes_with(marker) == []
