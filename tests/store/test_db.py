"""The progress database never loses an attempt and never resets in silence."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from deepcareer.errors import StoreCorruptError, StoreMissingError
from deepcareer.store import schema
from deepcareer.store.backup import backup_if_due
from deepcareer.store.db import DB_NAME, HEAD_REVISION, MIGRATIONS, Store, open_store
from tests.conftest import CLI


def _attempt(store: Store, status: str = "fail") -> int:
    return store.add_attempt(exercise_id="softmax", content_version=1, status=status,
                             findings=[], report={})


def test_attempts_are_appended_and_read_back_in_order(store: Store) -> None:
    ids = [_attempt(store, s) for s in ("fail", "fail", "pass")]
    rows = store.attempts("softmax")
    assert [r["id"] for r in rows] == ids
    assert [r["status"] for r in rows] == ["fail", "fail", "pass"]


def test_wal_and_foreign_keys_are_on(store: Store) -> None:
    assert store.read("PRAGMA journal_mode")[0]["journal_mode"] == "wal"
    assert store.read("PRAGMA foreign_keys")[0]["foreign_keys"] == 1


def test_head_revision_constant_matches_alembic() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD_REVISION


def test_migrations_produce_exactly_the_declared_schema(store: Store) -> None:
    engine = create_engine(f"sqlite:///{store.path}")
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_garbage_file_is_reported_kept_and_not_reset(home: Path) -> None:
    open_store(home).close()
    db = home / DB_NAME
    db.write_bytes(b"this is not a database" * 50)
    with pytest.raises(StoreCorruptError) as info:
        open_store(home)
    assert "Nothing was reset" in info.value.message
    assert db.read_bytes().startswith(b"this is not")  # untouched
    assert list(home.glob(f"{DB_NAME}.corrupt-*"))
    assert "backup" in info.value.message


def test_truncated_database_is_reported(home: Path) -> None:
    with open_store(home) as s:
        for _ in range(200):
            _attempt(s)
    db = home / DB_NAME
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = db.read_bytes()
    third = len(data) // 3
    db.write_bytes(data[:third] + b"\0" * 100 + data[third + 100 : 2 * third])
    with pytest.raises(StoreCorruptError), open_store(home) as s:
        s.attempts()


def test_missing_database_in_an_initialised_home_is_not_recreated(home: Path) -> None:
    open_store(home).close()
    (home / DB_NAME).unlink()
    with pytest.raises(StoreMissingError) as info:
        open_store(home)
    assert not (home / DB_NAME).exists()
    assert "init --fresh" in info.value.message


def test_backups_follow_the_log_and_are_pruned(home: Path) -> None:
    """A backup when the newest is 4 hours old and the log grew; the newest 6 and the
    newest of each of the last 7 days are kept."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    db = home / DB_NAME
    with open_store(home, clock=lambda: start) as s:  # backs up the new database
        for day in range(1, 10):
            _attempt(s)
            assert backup_if_due(db, start + timedelta(days=day)) is not None
        assert backup_if_due(db, start + timedelta(days=9, hours=3)) is None
        assert len(list((home / "backups").glob("progress-*.db"))) == 7
        # Not due 5 hours later either, while nothing was logged...
        assert backup_if_due(db, start + timedelta(days=9, hours=5)) is None
        _attempt(s)  # ...but due once the log has grown
        made = backup_if_due(db, start + timedelta(days=9, hours=10))
        assert made is not None and made.name == "progress-2026-01-10T100000Z.db"
        for hours in range(14, 40, 4):
            _attempt(s)
            assert backup_if_due(db, start + timedelta(days=9, hours=hours))
    kept = sorted(p.name for p in (home / "backups").glob("progress-*.db"))
    # the newest 6 (all within the last day) and the newest of each of 7 days
    assert len(kept) == 11 and kept[-1] == "progress-2026-01-11T140000Z.db"
    with sqlite3.connect(home / "backups" / kept[-1]) as con:
        assert con.execute("SELECT count(*) FROM attempts").fetchone()[0] == 17
    assert not list((home / "backups").glob("*.tmp"))


def _descendants_running(root: int, marker: bytes) -> bool:
    """Whether a process under ``root`` has ``marker`` in its command line."""
    parents: dict[int, int] = {}
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            if marker in Path(f"/proc/{entry}/cmdline").read_bytes():
                found.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    for pid in found:
        while pid in parents and pid != root:
            pid = parents[pid]
        if pid == root:
            return True
    return False


def test_kill_9_during_a_check_keeps_earlier_attempts(home: Path, tmp_path: Path) -> None:
    with open_store(home) as s:
        for _ in range(3):
            _attempt(s)
    loop = tmp_path / "loop.py"
    loop.write_text("def softmax(logits):\n    while True:\n        pass\n")
    proc = subprocess.Popen([*CLI, "check", "softmax", "--file", str(loop), "--home", str(home)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill only once the check is under way (the sandboxed child spins in the loop), or the
    # test would pass without its point: wait for the child, however slow the machine.
    deadline = time.monotonic() + 60
    while not _descendants_running(proc.pid, b"_child.py"):
        assert proc.poll() is None and time.monotonic() < deadline, "the check never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with open_store(home) as s:
        assert len(s.attempts()) == 3
    with sqlite3.connect(home / DB_NAME) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_settings_round_trip(store: Store) -> None:
    store.set_setting("weekly_hours", 6)
    store.set_setting("weekly_hours", 8)
    assert store.settings() == {"weekly_hours": 8}


def test_naive_datetimes_are_refused(home: Path) -> None:
    with pytest.raises(ValueError, match="naive"):
        open_store(home, clock=lambda: datetime(2026, 1, 1))


def test_no_database_is_created_when_create_is_false(home: Path) -> None:
    with pytest.raises(StoreMissingError):
        open_store(home, create=False)


def test_cli_shows_the_corruption_message_without_a_traceback(home: Path) -> None:
    from tests.conftest import run_cli

    open_store(home).close()
    (home / DB_NAME).write_bytes(b"garbage" * 100)
    result = run_cli("progress", home=home)
    assert result.returncode == 1
    assert "damaged" in result.stderr and "Traceback" not in result.stderr


if sys.platform != "linux":  # pragma: no cover
    pytestmark = pytest.mark.skip("process checks use Linux /proc and signals")


def test_a_database_written_by_revision_0001_is_migrated_keeping_everything(
    tmp_path: Path,
) -> None:
    import shutil

    from deepcareer.store.db import open_store as open_

    fixture = Path(__file__).parent / "fixtures" / "progress-0001.db"
    home = tmp_path / "old-home"
    home.mkdir()
    shutil.copy(fixture, home / DB_NAME)
    (home / "home.json").write_text('{"version": 1}')
    with open_(home) as store:
        attempts = store.attempts()
        assert [a["status"] for a in attempts] == ["fail", "pass", "pass"]
        assert attempts[0]["findings"] == [{"misconception": "softmax.min-shift"}]
        assert len(store.events()) == 3
        assert store.cards() == [] and store.reviews() == []  # the new tables exist
        from deepcareer.curriculum.catalog import default_catalog
        from deepcareer.mentor.mastery import mastery

        skills = mastery(store, default_catalog())
        assert skills["softmax"].evidence >= 2


def test_an_up_to_date_store_opens_without_sqlalchemy(home: Path) -> None:
    """SQLAlchemy and Alembic cost 0.2 s to import: only a schema change may load them."""
    open_store(home).close()
    code = ("import sys; from deepcareer.store.db import open_store\n"
            f"with open_store({str(home)!r}) as s: s.add_attempt(exercise_id='softmax', "
            "content_version=1, status='pass'); n = len(s.attempts())\n"
            "print(n, sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sqlalchemy', 'alembic')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split(maxsplit=1)
    assert out == ["1", "[]\n"]
