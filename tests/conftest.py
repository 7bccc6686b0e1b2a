"""Shared fixtures: a throwaway home, the packaged catalog, a CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from deepcareer.curriculum.catalog import Catalog, default_catalog
from deepcareer.curriculum.tracks import TRACKS
from deepcareer.store.db import Store, open_store

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from deepcareer.server import services

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


@dataclass
class Stack:
    database_url: str
    redis_url: str
    engine: Engine
    redis: services.Service | None  # None when the caller provides Redis


def _installed() -> str | None:
    from deepcareer.server import services

    if os.environ.get("DEEPCAREER_TEST_DATABASE_URL"):
        return None
    try:
        services._pg_bin("initdb")
    except Exception:
        return "postgresql"
    return None if shutil.which("redis-server") else "redis-server"


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """PostgreSQL and Redis for the class server's tests (and the store's contract tests).

    ``DEEPCAREER_TEST_DATABASE_URL`` and ``DEEPCAREER_TEST_REDIS_URL`` point at instances the
    caller runs (each test module empties the tables it uses); otherwise each module starts
    private ones on free loopback ports (``deepcareer.server.services``) and stops them
    after. Without the Debian packages the tests skip with the install command, except under
    ``DEEPCAREER_REQUIRE_EXTRAS=1`` (``make test``), where a missing service is an error.
    """
    from sqlalchemy import text

    from deepcareer.app import classroom
    from deepcareer.server import services

    missing = _installed()
    if missing:
        if os.environ.get("DEEPCAREER_REQUIRE_EXTRAS"):
            pytest.fail(f"{missing} is not installed (apt-get install {missing})")
        pytest.skip(f"needs {missing}: apt-get install {missing}")
    given_db = os.environ.get("DEEPCAREER_TEST_DATABASE_URL")
    given_redis = os.environ.get("DEEPCAREER_TEST_REDIS_URL")
    pg = None if given_db else services.start_postgres()
    redis = None if given_redis else services.start_redis()
    made: Stack | None = None
    try:
        url = given_db or pg.url  # type: ignore[union-attr]
        engine = classroom.connect(url)
        classroom.init(engine)
        with engine.begin() as conn:  # a provided database may hold an earlier module's rows
            conn.execute(text("TRUNCATE submissions, users RESTART IDENTITY CASCADE"))
        made = Stack(url, given_redis or redis.url, engine, redis)  # type: ignore[union-attr]
        yield made
        engine.dispose()
    finally:
        # A test may have restarted Redis: stop the instance the stack holds now.
        current = made.redis if made is not None else redis
        if current is not None:
            current.stop()
        if pg is not None:
            pg.stop()
