"""`deepcareer serve` prints one address with its token, and that address signs you in."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from deepcareer.web.server import free_port
from tests.conftest import CLI, run_cli

ENV = {"COLUMNS": "40", "PATH": "/usr/bin:/bin"}


def test_serve_prints_a_working_tokened_url(home: Path) -> None:
    port = free_port(8795)
    proc = subprocess.Popen([*CLI, "serve", "--no-browser", "--port", str(port), "--home",
                             str(home)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**ENV, "HOME": str(home)})
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


def test_a_client_that_connects_the_instant_the_address_appears_is_never_refused(
        home: Path) -> None:
    """The socket listens before the address is printed; with --port 0 the printed port
    is the one the system chose."""
    for _ in range(3):
        proc = subprocess.Popen([*CLI, "serve", "--no-browser", "--port", "0", "--home",
                                 str(home)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env={**ENV, "HOME": str(home)})
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            m = re.search(r"(http://127\.0\.0\.1:(\d+)/\?token=[\w-]+)", line)
            assert m and int(m.group(2)) > 0, line
            response = httpx.get(m.group(1), follow_redirects=True, timeout=60)  # no retry
            assert response.status_code == 200 and "Your next step" in response.text
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_a_port_in_use_is_a_clear_usage_error(home: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--no-browser", "--port", str(port), home=home, timeout=60)
    out = result.stdout + result.stderr
    assert result.returncode == 2, out
    assert f"Port {port} on 127.0.0.1 is already in use" in out and "--port 0" in out
    assert "Traceback" not in out and "running at" not in out  # no address it did not bind


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_out_of_range_is_exit_2(home: Path, port: str) -> None:
    result = run_cli("serve", "--no-browser", "--port", port, home=home)
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr
