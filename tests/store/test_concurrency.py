"""Many writers at once, on one home, lose nothing and nothing is called damaged.

The web app's worker threads may share one Store (one connection under its lock) while
terminal processes each open their own, the first of them creating the database.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from deepcareer.errors import StoreBusyError, StoreError, StoreFullError
from deepcareer.store.db import DB_NAME, Patience, Store, open_store

THREADS = 16
PROCESSES = 12
ADDS = 40

# Each process opens the store per add half the time (as `deepcareer check` and the web
# app's per-request stores do) and keeps one open otherwise; it prints the ids it was given.
_WRITER = """
import json, sys
from deepcareer.store.db import open_store
home, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ids, kept = [], None
for k in range(n):
    row = dict(exercise_id="softmax", content_version=1, status="fail", message=f"{tag}-{k}")
    if k % 2:
        with open_store(home) as s:
            ids.append(s.add_attempt(**row))
    else:
        kept = kept or open_store(home)
        ids.append(kept.add_attempt(**row))
print(json.dumps(ids))
"""


def test_threads_sharing_a_store_and_processes_lose_no_attempt(tmp_path: Path) -> None:
    home = tmp_path / "home"  # not created yet: the processes race to create it
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(home), f"p{i}", str(ADDS)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(PROCESSES)]
    shared = open_store(home)
    given: list[int] = []
    failures: list[BaseException] = []

    def write(i: int) -> None:
        for k in range(ADDS):
            try:
                given.append(shared.add_attempt(exercise_id="softmax", content_version=1,
                                                status="pass", message=f"t{i}-{k}"))
                if k % 5 == 0:  # reads interleave with writes on the shared connection
                    shared.attempt_summaries(after_id=max(given[-1] - 3, 0))
            except BaseException as exc:
                failures.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        given.extend(json.loads(out))
    assert failures == []
    logged = shared.attempts()
    shared.close()
    assert len(given) == (THREADS + PROCESSES) * ADDS
    assert len(set(given)) == len(given)
    assert {r["id"] for r in logged} == set(given)  # every add that returned is in the log
    messages = {r["message"] for r in logged}
    assert {f"p{i}-{k}" for i in range(PROCESSES) for k in range(ADDS)} <= messages
    assert {f"t{i}-{k}" for i in range(THREADS) for k in range(ADDS)} <= messages
    by_thread = [r["id"] for r in logged if r["message"].startswith("t")]
    by_process = [r["id"] for r in logged if r["message"].startswith("p")]
    assert min(by_process) < max(by_thread) and min(by_thread) < max(by_process)  # overlapped
    assert not list(home.glob(f"{DB_NAME}.corrupt-*"))  # nothing was called damaged
    assert not list(home.rglob("*.tmp"))
    with sqlite3.connect(home / DB_NAME) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_stores_opened_per_request_in_threads_lose_nothing(tmp_path: Path) -> None:
    """The web app opens a store per request, in worker threads, while terminals write.
    Opening must not touch the file outside SQLite: closing any descriptor of it drops
    the POSIX locks of the process's other connections, and another process then deleted
    the WAL they were writing to (attempts lost after their report was shown)."""
    home = tmp_path / "home"
    open_store(home).close()
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(home), f"p{i}", str(ADDS)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(4)]
    given: list[int] = []
    failures: list[BaseException] = []

    def request(i: int) -> None:
        for k in range(ADDS):
            try:
                with open_store(home) as s:
                    given.append(s.add_attempt(exercise_id="softmax", content_version=1,
                                               status="pass", message=f"t{i}-{k}"))
                    s.attempt_summaries(after_id=given[-1] - 1)
            except BaseException as exc:
                failures.append(exc)

    threads = [threading.Thread(target=request, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        given.extend(json.loads(out))
    assert failures == []
    with open_store(home) as s:
        assert {r["id"] for r in s.attempts()} == set(given)
    assert len(given) == 12 * ADDS


def _rollback_journal_store(home: Path, patience: Patience) -> Store:
    """A store on a rollback-journal connection: there, COMMIT needs every reader gone,
    so a reader makes the COMMIT itself meet SQLITE_BUSY (WAL commits never wait)."""
    open_store(home).close()
    path = home / DB_NAME
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA journal_mode=DELETE")
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout={int(patience.busy_s * 1000)}")
    return Store(home, conn, patience=patience)


def _hold_read_lock(path: Path, seconds: float, ready: threading.Event) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN")
    con.execute("SELECT count(*) FROM attempts").fetchone()  # SHARED lock until COMMIT
    ready.set()
    time.sleep(seconds)
    con.execute("COMMIT")
    con.close()


def test_a_commit_that_meets_busy_is_retried_not_rolled_back(home: Path) -> None:
    store = _rollback_journal_store(home, Patience(busy_s=0.1, tries=8, backoff_s=0.05))
    ready = threading.Event()
    reader = threading.Thread(target=_hold_read_lock, args=(store.path, 0.6, ready))
    reader.start()
    ready.wait()
    store.add_attempt(exercise_id="softmax", content_version=1, status="pass")
    reader.join()
    assert len(store.attempts()) == 1
    store.close()


def test_a_commit_busy_past_the_budget_is_busy_not_damaged(home: Path) -> None:
    store = _rollback_journal_store(home, Patience(busy_s=0.05, tries=2, backoff_s=0.01))
    ready = threading.Event()
    reader = threading.Thread(target=_hold_read_lock, args=(store.path, 1.5, ready))
    reader.start()
    ready.wait()
    with pytest.raises(StoreBusyError) as info:
        store.add_attempt(exercise_id="softmax", content_version=1, status="pass")
    assert "no transaction is active" not in info.value.message
    assert not store.conn.in_transaction  # rolled back, once
    reader.join()
    store.add_attempt(exercise_id="softmax", content_version=1, status="pass")  # usable
    assert len(store.attempts()) == 1
    assert not list(home.glob(f"{DB_NAME}.corrupt-*"))
    store.close()


def test_an_error_that_rolls_back_by_itself_is_reported_as_what_it_is(store: Store) -> None:
    """SQLITE_FULL can end the transaction inside SQLite: no second ROLLBACK, which
    used to fail with "cannot rollback - no transaction is active" (called damaged)."""
    pages = store.read("PRAGMA page_count")[0]["page_count"]
    store.read(f"PRAGMA max_page_count = {pages}")  # the database may not grow: "disk full"
    with pytest.raises(StoreFullError) as info:
        store.add_attempt(exercise_id="softmax", content_version=1, status="fail",
                          code="x" * 200_000)
    assert "full" in info.value.message and "rollback" not in info.value.message
    assert not store.conn.in_transaction
    assert not list(store.home.glob(f"{DB_NAME}.corrupt-*"))
    store.read(f"PRAGMA max_page_count = {pages * 1000}")
    store.add_attempt(exercise_id="softmax", content_version=1, status="fail")
    assert len(store.attempts()) == 1


def test_a_writer_holding_the_lock_briefly_only_delays_the_others(home: Path) -> None:
    open_store(home).close()
    blocker = sqlite3.connect(home / DB_NAME, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")
    threading.Timer(0.5, lambda: blocker.execute("COMMIT")).start()
    with open_store(home, patience=Patience(busy_s=0.1, tries=6, backoff_s=0.05)) as s:
        start = time.monotonic()
        s.add_attempt(exercise_id="softmax", content_version=1, status="pass")
        assert time.monotonic() - start >= 0.3
        assert len(s.attempts()) == 1
    blocker.close()


def test_no_store_error_is_raised_for_a_plain_python_error_in_a_transaction(
        store: Store) -> None:
    with pytest.raises(KeyError), store.transaction() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
        raise KeyError("ours")
    assert store.settings() == {}  # rolled back
    assert not isinstance(KeyError(), StoreError)
