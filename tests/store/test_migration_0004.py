"""Revision 0004: every attempt and run says which sandbox it ran under."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deepcareer.store.db import DB_NAME, open_store
from deepcareer.store.exchange import export_file, import_file

FIXTURE = Path(__file__).parent / "fixtures" / "progress-0001.db"


def test_rows_logged_before_0004_ran_under_the_guard(tmp_path: Path) -> None:
    home = tmp_path / "old-home"
    home.mkdir()
    shutil.copy(FIXTURE, home / DB_NAME)
    (home / "home.json").write_text('{"version": 1}')
    with open_store(home) as s:
        assert {a["isolation"] for a in s.attempts()} == {"guard"}
        assert s.columns("runs")["isolation"] is False  # has a default: not required


def test_isolation_defaults_to_guard_and_is_checked(tmp_path: Path) -> None:
    with open_store(tmp_path / "h") as s:
        s.add_attempt(exercise_id="softmax", content_version=1, status="pass")
        s.add_attempt(exercise_id="softmax", content_version=1, status="pass", isolation="os")
        s.add_run(project_id="digits", seed=0, status="pass", metric=1.0, passed=1,
                  duration_s=1.0, code_sha256="", code="", result={})
        assert [a["isolation"] for a in s.attempts()] == ["guard", "os"]
        assert s.runs()[0]["isolation"] == "guard"
        with pytest.raises(ValueError, match="isolation"):
            s.add_run(project_id="digits", seed=0, status="pass", metric=1.0, passed=1,
                      duration_s=1.0, code_sha256="", code="", result={}, isolation="none")


def test_isolation_survives_export_and_import(tmp_path: Path) -> None:
    with open_store(tmp_path / "a") as s:
        s.add_attempt(exercise_id="softmax", content_version=1, status="pass", isolation="os")
        s.add_run(project_id="digits", seed=0, status="pass", metric=1.0, passed=1,
                  duration_s=1.0, code_sha256="c", code="", result={}, isolation="os")
        export_file(s, tmp_path / "out.json")
    with open_store(tmp_path / "b") as s:
        import_file(s, tmp_path / "out.json")
        assert [a["isolation"] for a in s.attempts()] == ["os"]
        assert [r["isolation"] for r in s.runs()] == ["os"]
