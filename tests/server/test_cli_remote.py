"""`deepcareer login URL` and `deepcareer submit ID` against a real class server over HTTP."""

from __future__ import annotations

import json
import stat
import uuid
from pathlib import Path

import pytest

from deepcareer.app import accounts
from deepcareer.server import services
from tests.conftest import run_cli
from tests.server.conftest import Stack

PASSWORD = "correct horse battery"
MINE = """import numpy as np


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
"""


def test_login_then_submit_brings_the_servers_report_back(
        stack: Stack, server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    email = f"cli-{uuid.uuid4().hex[:8]}@example.org"
    accounts.create_user(stack.engine, email, "Cli", PASSWORD)
    home = tmp_path / "home"
    monkeypatch.setenv("DEEPCAREER_PASSWORD", "not the password")
    refused = run_cli("login", server, "--email", email, home=home)
    assert refused.returncode != 0 and "Wrong email or password" in refused.stderr
    assert run_cli("submit", "softmax", home=home).returncode != 0  # not signed in yet
    monkeypatch.setenv("DEEPCAREER_PASSWORD", PASSWORD)
    done = run_cli("login", server, "--email", email, home=home)
    assert done.returncode == 0, done.stderr
    saved = home / "server.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert PASSWORD not in saved.read_text()
    mine = tmp_path / "mine.py"
    mine.write_text(MINE.replace("logits - logits.max(axis=-1, keepdims=True)", "logits"))
    failed = run_cli("submit", "softmax", "--file", str(mine), home=home)
    assert failed.returncode == 1 and "max" in failed.stdout.lower()
    mine.write_text(MINE)
    passed = run_cli("submit", "softmax", "--file", str(mine), "--json", home=home)
    assert passed.returncode == 0, passed.stderr
    assert json.loads(passed.stdout)["status"] == "pass"


def test_submit_sends_a_project_and_shows_what_the_server_made_of_it(
        stack: Stack, server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    email = f"cli-{uuid.uuid4().hex[:8]}@example.org"
    accounts.create_user(stack.engine, email, "Cli", PASSWORD)
    home = tmp_path / "home"
    monkeypatch.setenv("DEEPCAREER_WORKER_HOME", str(tmp_path / "worker"))
    monkeypatch.setenv("DEEPCAREER_PASSWORD", PASSWORD)
    assert run_cli("login", server, "--email", email, home=home).returncode == 0
    early = run_cli("submit", "digits-mlp", home=home)
    assert early.returncode != 0 and "deepcareer project new digits-mlp" in early.stderr
    assert run_cli("project", "new", "digits-mlp", home=home).returncode == 0
    unfinished = run_cli("submit", "digits-mlp", home=home)  # the template, as given
    assert unfinished.returncode == 1, unfinished.stderr
    assert unfinished.stdout.startswith("ERROR") and "NotImplementedError" in unfinished.stdout
    assert "Traceback" not in unfinished.stdout + unfinished.stderr


def test_an_unreachable_server_is_a_sentence(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPCAREER_PASSWORD", PASSWORD)
    port = services.free_port()
    done = run_cli("login", f"http://127.0.0.1:{port}", "--email", "a@example.org",
                   home=tmp_path / "home")
    assert done.returncode != 0 and "Cannot reach the class server" in done.stderr
    bad = run_cli("login", "class.example.org", "--email", "a@example.org",
                  home=tmp_path / "home")
    assert bad.returncode != 0 and "starts with https://" in bad.stderr
