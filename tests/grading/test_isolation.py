"""Which wall a run goes behind, the fallback where bubblewrap cannot run, and the record.

The fallback is tested by forcing it (``DEEPCAREER_SANDBOX=guard``), as a machine
without user namespaces would: the learner is told once that isolation is weaker,
and every attempt says which wall it was graded behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from deepcareer.grading import isolation
from deepcareer.store.db import open_store
from tests.conftest import CLI, os_sandbox_skip

CORRECT = """import numpy as np

def softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)
"""


@pytest.fixture
def forced_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(isolation.ENV_VAR, isolation.GUARD)
    isolation.reset()
    yield
    monkeypatch.undo()  # restore the environment and shutil.which before probing again
    isolation.reset()


def _check(home: Path, tmp_path: Path, *, sandbox: str | None, json_out: bool
           ) -> subprocess.CompletedProcess[str]:
    f = tmp_path / "softmax.py"
    f.write_text(CORRECT)
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop(isolation.ENV_VAR, None)
    if sandbox:
        env[isolation.ENV_VAR] = sandbox
    args = [*CLI, "check", "softmax", "--file", str(f), "--home", str(home)]
    return subprocess.run([*args, *(["--json"] if json_out else [])], capture_output=True,
                          text=True, timeout=120, env=env)


@pytest.mark.slow  # trains, or starts real processes: make test only
def test_the_fallback_says_so_once_and_records_the_weaker_level(home: Path, tmp_path: Path
                                                                ) -> None:
    shown = _check(home, tmp_path, sandbox="guard", json_out=False)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert shown.stdout.count("Isolation is weaker") == 1
    assert "DEEPCAREER_SANDBOX=guard" in shown.stdout
    report = json.loads(_check(home, tmp_path, sandbox="guard", json_out=True).stdout)
    assert report["status"] == "pass" and report["isolation"] == "guard"
    with open_store(home) as store:
        assert [a["isolation"] for a in store.attempts()] == ["guard", "guard"]


@pytest.mark.slow
@os_sandbox_skip()
def test_with_bubblewrap_every_attempt_records_the_os_wall(home: Path, tmp_path: Path) -> None:
    shown = _check(home, tmp_path, sandbox=None, json_out=False)
    assert shown.returncode == 0 and "Isolation is weaker" not in shown.stdout
    report = json.loads(_check(home, tmp_path, sandbox=None, json_out=True).stdout)
    assert report["isolation"] == "os"
    with open_store(home) as store:
        assert [a["isolation"] for a in store.attempts()] == ["os", "os"]


def test_a_missing_bubblewrap_falls_back_with_a_reason(forced_guard: None,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(isolation.ENV_VAR)
    monkeypatch.setattr(isolation.shutil, "which", lambda name: None)
    isolation.reset()
    assert isolation.level() == isolation.GUARD
    assert "not installed" in isolation.weaker_note()


def test_requiring_the_os_sandbox_without_bubblewrap_is_an_error(
        forced_guard: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from deepcareer.errors import GradingError

    monkeypatch.setenv(isolation.ENV_VAR, isolation.OS)
    monkeypatch.setattr(isolation.shutil, "which", lambda name: None)
    isolation.reset()
    with pytest.raises(GradingError, match="not installed"):
        isolation.level()


@os_sandbox_skip()
def test_the_mounts_leave_out_the_course_the_repository_and_the_parents_path(
        tmp_path: Path) -> None:
    argv = isolation.command([sys.executable, "-c", "pass"], scratch=str(tmp_path),
                             hide=[str(tmp_path / "home")])
    bound = {argv[i + 2] for i, a in enumerate(argv) if a in ("--ro-bind", "--bind")}
    package = str(isolation.PACKAGE_DIR)
    assert not any(p == package or package.startswith(p + "/") for p in bound
                   if p != "/dev/null"), bound
    assert str(Path.cwd()) not in bound  # pytest's root is on sys.path, never mounted
    assert "--unshare-all" in argv and "--die-with-parent" in argv
    assert "--disable-userns" in argv and "--new-session" in argv
