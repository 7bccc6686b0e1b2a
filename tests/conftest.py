"""Shared fixtures: a throwaway home, the packaged catalog, a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from deepcareer.curriculum.catalog import Catalog, default_catalog
from deepcareer.curriculum.tracks import TRACKS
from deepcareer.store.db import Store, open_store

CLI = [sys.executable, "-m", "deepcareer.cli.app"]
# Rich reads these when its consoles are created: wide, plain output, as for a pipe.
os.environ.setdefault("COLUMNS", "200")
os.environ.setdefault("NO_COLOR", "1")


# What `make test-fast` leaves out (DEEPCAREER_FAST=1): the browser, training and framework
# tests, and the whole-catalogue sweeps. Left out before import, so collecting the fast suite
# never imports PyTorch or TensorFlow. `make test` runs everything.
FAST_LEAVES_OUT = (
    "e2e/",  # Chromium and many concurrent processes
    "projects/test_games.py", "projects/test_references.py", "projects/test_runs.py",
    "projects/test_capstone.py", "projects/test_project_report.py", "projects/test_trust.py",
    "projects/test_defects.py",
    "cli/test_project_cli.py",  # training runs
    "content/test_*_oracle.py", "grading/test_crosscheck.py",  # PyTorch and TensorFlow
    "grading/test_warm_frameworks.py", "grading/test_traps.py",
    "content/test_concept_bank.py",  # every answer recomputed with PyTorch, SciPy, sklearn
    "grading/test_verify.py", "grading/test_mutate.py",  # every exercise, every mutant
    "portfolio/",  # builds sites from trained projects
)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if not os.environ.get("DEEPCAREER_FAST"):
        return None
    here = Path(__file__).resolve().parent
    try:
        rel = collection_path.resolve().relative_to(here).as_posix()
    except ValueError:
        return None
    from fnmatch import fnmatch

    return any(rel.startswith(p) if p.endswith("/") else fnmatch(rel, p)
               for p in FAST_LEAVES_OUT) or None


def pytest_configure(config: pytest.Config) -> None:
    """``make test`` installs every framework extra: there, a missing one is an error.

    Elsewhere framework tests skip with the install command as the reason, so a
    learner-style install without torch or TensorFlow still runs everything else.
    """
    # Catalog snapshots of the many throwaway content trees go to a throwaway folder.
    os.environ.setdefault("DEEPCAREER_CACHE", tempfile.mkdtemp(prefix="deepcareer-cache-"))
    if os.environ.get("DEEPCAREER_REQUIRE_EXTRAS"):
        missing = [t.extra for t in TRACKS.values() if not t.available()]
        if missing:
            raise pytest.UsageError(
                f"DEEPCAREER_REQUIRE_EXTRAS is set but these extras are missing: {missing}")
        from deepcareer.grading import isolation

        if isolation.level() != isolation.OS:  # make test installs bubblewrap
            raise pytest.UsageError("DEEPCAREER_REQUIRE_EXTRAS is set but the OS sandbox "
                                    f"cannot run: {isolation.weaker_note()}")


def os_sandbox_skip() -> pytest.MarkDecorator:
    """Skip a test of the OS wall where bubblewrap cannot run (never under ``make test``)."""
    from deepcareer.grading import isolation

    return pytest.mark.skipif(isolation.level() != isolation.OS,
                              reason="needs bubblewrap: apt-get install bubblewrap")


def track_skip(track_name: str) -> pytest.MarkDecorator:
    """Skip a test when its track's framework is not installed, saying how to install it."""
    track = TRACKS[track_name]
    return pytest.mark.skipif(not track.available(),
                              reason=f"needs {track.module}: pip install "
                              f"'deepcareer[{track.extra}]'")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def store(home: Path) -> Iterator[Store]:
    with open_store(home) as s:
        yield s


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return default_catalog()


def run_cli(*args: str, home: Path | None = None, timeout: float = 60,
            input: str | None = None, process: bool = False
            ) -> subprocess.CompletedProcess[str]:
    """Run a deepcareer command as a learner would and return its exit code and output.

    In-process by default (Typer's runner: no interpreter start, so the CLI tests run in
    seconds), with the entry point's own error handling: a learner-facing error prints
    ``error: ...`` on stderr with its exit code, and anything else fails the test with its
    traceback. ``process=True`` runs the real console entry point in a subprocess (the
    smoke tests that must see a real process: start-up, signals, streams)."""
    extra = ["--home", str(home)] if home is not None else []
    if process:
        env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
        return subprocess.run([*CLI, *args, *extra], capture_output=True, text=True,
                              timeout=timeout, env=env, input=input)
    from typer.testing import CliRunner

    from deepcareer.cli.app import app
    from deepcareer.errors import DeepcareerError

    result = CliRunner().invoke(app, [*args, *extra], input=input,
                                env={"COLUMNS": "200", "NO_COLOR": "1"})
    code, stderr = result.exit_code, result.stderr
    exc = result.exception
    if isinstance(exc, DeepcareerError):  # what main() does for a learner's mistake
        code, stderr = exc.exit_code, stderr + f"error: {exc.message}\n"
    elif exc is not None and not isinstance(exc, SystemExit):
        raise exc
    return subprocess.CompletedProcess([*CLI, *args, *extra], code, result.stdout, stderr)
