"""Revision 0005: every attempt and run says who did it (learner, reference, imported)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from deepcareer.store.db import DB_NAME, open_store
from deepcareer.store.exchange import export_data, export_file, import_file

FIXTURE = Path(__file__).parent / "fixtures" / "progress-0001.db"


def test_rows_logged_before_0005_were_the_learners(tmp_path: Path) -> None:
    home = tmp_path / "old-home"
    home.mkdir()
    shutil.copy(FIXTURE, home / DB_NAME)
    (home / "home.json").write_text('{"version": 1}')
    with open_store(home) as s:
        assert {a["origin"] for a in s.attempts()} == {"learner"}
        assert s.columns("runs")["origin"] is False  # has a default: not required


def test_origin_defaults_to_learner_and_is_checked(tmp_path: Path) -> None:
    with open_store(tmp_path / "h") as s:
        s.add_attempt(exercise_id="softmax", content_version=1, status="pass")
        s.add_run(project_id="digits", seed=0, status="pass", metric=1.0, passed=1,
                  duration_s=1.0, code_sha256="", code="", result={}, origin="reference")
        assert [a["origin"] for a in s.attempts()] == ["learner"]
        assert s.runs()[0]["origin"] == "reference"
        with pytest.raises(ValueError, match="origin"):
            s.add_attempt(exercise_id="softmax", content_version=1, status="pass",
                          origin="someone")


def test_import_marks_the_learners_rows_imported_and_keeps_reference(tmp_path: Path) -> None:
    with open_store(tmp_path / "a") as s:
        s.add_attempt(exercise_id="softmax", content_version=1, status="pass", isolation="os")
        s.add_run(project_id="digits", seed=0, status="pass", metric=1.0, passed=1,
                  duration_s=1.0, code_sha256="c", code="", result={}, isolation="os")
        s.add_run(project_id="digits", seed=1, status="pass", metric=1.0, passed=1,
                  duration_s=1.0, code_sha256="d", code="", result={}, origin="reference")
        export_file(s, tmp_path / "out.json")
    with open_store(tmp_path / "b") as s:
        import_file(s, tmp_path / "out.json")
        assert [a["origin"] for a in s.attempts()] == ["imported"]
        assert [r["origin"] for r in s.runs()] == ["imported", "reference"]
        export_file(s, tmp_path / "again.json")
    with open_store(tmp_path / "c") as s:  # a second hop changes nothing more
        import_file(s, tmp_path / "again.json")
        assert [r["origin"] for r in s.runs()] == ["imported", "reference"]


def test_an_export_from_before_0005_is_imported_history(tmp_path: Path) -> None:
    with open_store(tmp_path / "a") as s:
        s.add_attempt(exercise_id="softmax", content_version=1, status="pass", isolation="os")
        data = export_data(s)
    for row in data["attempts"]:
        row.pop("origin")
    (tmp_path / "old.json").write_text(json.dumps(data))
    with open_store(tmp_path / "b") as s:
        import_file(s, tmp_path / "old.json")
        assert [a["origin"] for a in s.attempts()] == ["imported"]
