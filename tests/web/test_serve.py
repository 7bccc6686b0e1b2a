"""`deepcareer serve` prints one address with its token, and that address signs you in."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import httpx2 as httpx

from deepcareer.web.server import free_port
from tests.conftest import CLI


def test_serve_prints_a_working_tokened_url(home: Path) -> None:
    port = free_port(8795)
    proc = subprocess.Popen([*CLI, "serve", "--no-browser", "--port", str(port), "--home",
                             str(home)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={"COLUMNS": "40", "PATH": "/usr/bin:/bin",
                                            "HOME": str(home)})
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:(\d+)/\?token=[\w-]+)", line)
        assert m and int(m.group(2)) == port, line
        for _ in range(100):  # the server starts just after printing
            try:
                response = httpx.get(m.group(1), follow_redirects=True)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert response.status_code == 200 and "Your next step" in response.text
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)
