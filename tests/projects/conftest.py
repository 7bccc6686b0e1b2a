"""A home per test module, so baselines are computed once per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deepcareer.store.db import Store, open_store


@pytest.fixture(scope="module")
def project_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("project-home")


@pytest.fixture
def pstore(project_home: Path) -> Iterator[Store]:
    with open_store(project_home) as s:
        yield s
