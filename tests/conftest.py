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
            input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess, as a learner would."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    extra = ["--home", str(home)] if home is not None else []
    return subprocess.run([*CLI, *args, *extra], capture_output=True, text=True,
                          timeout=timeout, env=env, input=input)
