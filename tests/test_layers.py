"""The application layer's rules that import-linter cannot see: SQL only in the store, and
`make lint` really fails when a face imports the store."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "deepcareer"
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b[^\n]*\b(FROM|INTO|SET)\b|\.read\(\s*f?\"")


def test_sql_runs_only_inside_the_store() -> None:
    outside = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
               if "store" not in p.relative_to(SRC).parts[:1]
               and "content" not in p.relative_to(SRC).parts[:1]
               and SQL.search(p.read_text(encoding="utf-8"))]
    assert outside == [], f"SQL outside store/: {outside}"


def test_the_sql_detector_sees_a_query() -> None:
    assert SQL.search('rows = store.read("SELECT id FROM attempts")')
    assert SQL.search("conn.execute('DELETE FROM cards WHERE id = ?')")
    assert not SQL.search("select the cheapest exercise from the list")


@pytest.mark.slow
def test_lint_fails_when_a_face_imports_the_store(tmp_path: Path) -> None:
    """A copy of the package with one face importing the store breaks the contract."""
    linter = Path(sys.executable).with_name("lint-imports")
    if not linter.exists():
        pytest.skip("import-linter is installed with the dev extra")
    copy = tmp_path / "repo"
    shutil.copytree(SRC, copy / "src" / "deepcareer",
                    ignore=shutil.ignore_patterns("__pycache__", "content"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")

    def lint() -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(linter), "--no-cache"], cwd=copy, capture_output=True,
                              text=True, env={"PYTHONPATH": str(copy / "src"), "PATH": ""},
                              timeout=120)

    clean = lint()
    assert clean.returncode == 0, clean.stdout[-2000:]
    face = copy / "src" / "deepcareer" / "cli" / "doctor.py"
    face.write_text(face.read_text(encoding="utf-8")
                    + "\nfrom deepcareer.store.db import open_store  # noqa\n", encoding="utf-8")
    broken = lint()
    assert broken.returncode != 0
    assert "deepcareer.cli.doctor -> deepcareer.store.db" in broken.stdout
