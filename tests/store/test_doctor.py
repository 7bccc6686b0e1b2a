"""`deepcareer doctor`: healthy homes say so; damaged ones get back all that can be read,
plus what only the newest backup still has; `--apply` keeps the damaged file."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deepcareer.errors import StoreCorruptError
from deepcareer.store.backup import make_backup
from deepcareer.store.db import DB_NAME, HEAD_REVISION, open_store
from deepcareer.store.doctor import examine, merge
from tests.conftest import run_cli

PAGE = 4096


def _history(home: Path, before: int = 150, after: int = 100) -> None:
    """``before`` attempts in the newest backup, ``after`` more only in the database."""
    with open_store(home) as s:
        for i in range(before + after):
            if i == before:
                make_backup(s.path, datetime.now(UTC) + timedelta(seconds=1))
            s.add_attempt(exercise_id="softmax", content_version=1, status="fail",
                          code=f"# attempt {i}\n" + "x = 1\n" * 40)
            if i % 10 == 0:
                s.add_event("softmax", "hint", {"i": i})
        first = s.add_run(project_id="digits", seed=1, status="pass", metric=0.9, passed=1,
                          duration_s=1.0, code_sha256="a", code="", result={}, isolation="os")
        s.add_run(project_id="digits", seed=1, status="pass", metric=0.9, passed=1,
                  duration_s=1.0, code_sha256="b", code="", result={}, reproduces=first)
        s.set_setting("weekly_hours", 6)
    with sqlite3.connect(home / DB_NAME) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _attempt_pages(db: Path) -> list[int]:
    """The page numbers (1-based) of the attempts table's leaves."""
    with sqlite3.connect(db) as con:
        try:
            return [r[0] for r in con.execute(
                "SELECT pageno FROM dbstat WHERE name = 'attempts' AND pagetype = 'leaf'")]
        except sqlite3.OperationalError:  # SQLite built without dbstat: middle pages
            count = con.execute("PRAGMA page_count").fetchone()[0]
            return list(range(count // 3, 2 * count // 3))


def _overwrite_pages(db: Path, pages: list[int]) -> None:
    data = bytearray(db.read_bytes())
    for page in pages:
        data[(page - 1) * PAGE:page * PAGE] = os.urandom(PAGE)
    db.write_bytes(bytes(data))


def _damage(home: Path) -> list[int]:
    db = home / DB_NAME
    leaves = _attempt_pages(db)
    hit = [leaves[len(leaves) // 4], leaves[len(leaves) // 2], leaves[-2]]
    _overwrite_pages(db, hit)
    return hit


def test_a_healthy_home_is_reported_healthy(home: Path) -> None:
    _history(home, 5, 5)
    result = run_cli("doctor", "--json", home=home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["state"] == "healthy" and report["detail"] == "integrity check ok"
    assert report["counts"]["attempts"] == 10 and report["counts"]["runs"] == 2
    assert report["backup"]["counts"]["attempts"] == 5
    assert report["recovered"] is None
    text = run_cli("doctor", home=home)
    assert text.returncode == 0 and "healthy" in text.stdout and "Newest backup" in text.stdout


def test_doctor_without_a_home_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("doctor", home=tmp_path / "nowhere")
    assert result.returncode == 2 and "nothing to check" in result.stderr


def test_pages_overwritten_by_garbage_are_recovered_around(home: Path) -> None:
    _history(home)
    _damage(home)
    with pytest.raises(StoreCorruptError), open_store(home) as s:
        s.attempts()
    report = examine(home)
    assert report["state"] == "damaged" and not report["applied"]
    attempts = report["recovered"]["attempts"]
    # Rows on the overwritten leaves are lost unless the backup holds them: the file
    # yields more than the backup alone, and the backup fills the early holes.
    assert attempts["backup"] == 150
    assert 150 < attempts["from_file"] < 250
    assert attempts["from_backup"] > 0
    assert attempts["total"] == attempts["from_file"] + attempts["from_backup"]
    assert attempts["total"] > attempts["backup"]
    assert report["recovered"]["runs"]["total"] == 2
    assert report["recovered"]["events"]["total"] == 25
    assert (home / DB_NAME).exists() and not list(home.glob(f"{DB_NAME}.damaged-*"))
    assert not list(home.glob(".doctor-*"))  # the working files are gone


def test_apply_puts_the_recovered_database_in_place_and_keeps_the_damaged_one(
        home: Path) -> None:
    _history(home)
    _damage(home)
    damaged_bytes = (home / DB_NAME).read_bytes()
    result = run_cli("doctor", home=home)
    assert result.returncode == 1 and "--apply" in result.stdout
    applied = run_cli("doctor", "--apply", "--json", home=home)
    assert applied.returncode == 0, applied.stderr
    report = json.loads(applied.stdout)
    kept = Path(report["kept"])
    assert kept.read_bytes() == damaged_bytes  # moved aside, byte for byte
    total = report["recovered"]["attempts"]["total"]
    with open_store(home) as s:
        rows = s.attempts()
        assert len(rows) == total == report["counts"]["attempts"]
        codes = {r["code"].split("\n")[0] for r in rows}
        assert {f"# attempt {i}" for i in range(150)} - codes == set()  # the backup's all
        assert s.settings() == {"weekly_hours": 6}
        runs = s.runs()
        assert runs[1]["reproduces"] == runs[0]["id"] and runs[0]["isolation"] == "os"
        assert s.read("SELECT version_num FROM alembic_version")[0]["version_num"] == \
            HEAD_REVISION
        s.add_attempt(exercise_id="softmax", content_version=1, status="pass")
    healthy = run_cli("doctor", home=home)
    assert healthy.returncode == 0 and "healthy" in healthy.stdout


def test_a_garbage_file_is_recovered_from_the_backup(home: Path) -> None:
    _history(home, 20, 5)
    (home / DB_NAME).write_bytes(b"garbage" * 1000)
    report = examine(home, apply=True)
    assert report["recovered"]["attempts"] == {
        "from_file": 0, "unreadable": 0, "from_backup": 20, "refused": 0, "total": 20,
        "backup": 20}
    assert report["counts"]["attempts"] == 20
    assert Path(report["kept"]).read_bytes().startswith(b"garbage")


def test_a_missing_database_is_restored_from_the_backup(home: Path) -> None:
    _history(home, 7, 3)
    (home / DB_NAME).unlink()
    report = examine(home)
    assert report["state"] == "missing" and report["recovered"]["attempts"]["total"] == 7
    report = examine(home, apply=True)
    assert report["applied"] and report["kept"] is None
    with open_store(home) as s:
        assert len(s.attempts()) == 7


def test_merge_adds_only_what_the_file_lacks_and_keeps_free_ids() -> None:
    def row(i: int, when: str) -> dict[str, object]:
        return {"id": i, "exercise_id": "softmax", "created_at": when, "status": "fail",
                "code_sha256": ""}

    file_rows = {1: row(1, "a"), 3: row(3, "c")}
    backup_rows = {1: row(1, "a"), 2: row(2, "b"), 3: row(3, "other")}
    rows, added = merge(file_rows, backup_rows, "attempts")
    assert added == 2
    assert [r.get("id") for r in rows] == [1, 2, 3, None]  # id 3 was taken: a new id
    assert [r["created_at"] for r in rows] == ["a", "b", "c", "other"]
