"""28 checks into one home at once, as a learner with a terminal and a browser open makes them:
16 through a running `deepcareer serve`, 12 from `deepcareer check` processes.

Every report that was shown is in the log, no request is refused, nothing is called damaged.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from pathlib import Path

import httpx2 as httpx

from deepcareer.store.db import open_store
from tests.conftest import CLI

RIGHT = """import numpy as np

def softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)
"""
WRONG = """import numpy as np

def softmax(logits):
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)
"""
WEB, TERMINAL = 16, 12


def test_28_concurrent_checks_are_all_recorded(home: Path, tmp_path: Path) -> None:
    server = subprocess.Popen([*CLI, "serve", "--no-browser", "--port", "0", "--home",
                               str(home)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:(\d+))/\?token=([\w-]+)", line)
        assert m, line
        base, token = m.group(1), m.group(3)
        shown: list[str] = []
        problems: list[str] = []
        lock = threading.Lock()
        start = threading.Barrier(WEB + TERMINAL)

        def web(i: int) -> None:
            with httpx.Client(base_url=base, timeout=120) as client:
                client.get(f"/?token={token}")
                start.wait()
                response = client.post("/api/exercises/softmax/check",
                                       json={"code": RIGHT if i % 2 else WRONG},
                                       headers={"origin": base})
            with lock:
                if response.status_code != 200:
                    problems.append(f"web {response.status_code}: {response.text[:200]}")
                else:
                    shown.append(response.json()["status"])

        def terminal(i: int) -> None:
            f = tmp_path / f"softmax_{i}.py"
            f.write_text(RIGHT if i % 2 else WRONG)
            start.wait()
            done = subprocess.run([*CLI, "check", "softmax", "--file", str(f), "--json",
                                   "--home", str(home)], capture_output=True, text=True,
                                  timeout=300)
            with lock:
                if done.returncode not in (0, 1):
                    problems.append(f"terminal {done.returncode}: {done.stderr[-300:]}")
                else:
                    shown.append(json.loads(done.stdout)["status"])

        threads = [threading.Thread(target=web, args=(i,)) for i in range(WEB)]
        threads += [threading.Thread(target=terminal, args=(i,)) for i in range(TERMINAL)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert problems == []
    assert len(shown) == WEB + TERMINAL
    with open_store(home) as store:
        logged = [a["status"] for a in store.attempts("softmax")]
    assert sorted(logged) == sorted(shown)
    assert set(shown) == {"pass", "fail"}
    assert not list(home.glob("*.corrupt*"))
