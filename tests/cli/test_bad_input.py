"""Someone else's mistake at the terminal: a sentence, exit 2, nothing changed, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from deepcareer.store.db import open_store
from tests.conftest import CLI, run_cli

BIG = 250_000  # over the 200,000-byte limit for learner code


def _attempts(home: Path) -> int:
    with open_store(home) as s:
        return len(s.attempts())


def _refused(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    out = result.stdout + result.stderr
    assert result.returncode == 2, out
    assert "Traceback" not in out
    for fragment in fragments:
        assert fragment in out, out


def test_check_refuses_a_file_over_the_code_limit(home: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.py"
    with open(big, "wb") as fh:
        fh.truncate(50 * 2**20)  # 50 MiB, sparse
    for extra in ([], ["--json"]):
        _refused(run_cli("check", "softmax", "--file", str(big), *extra, home=home),
                 "52,428,800 bytes", "200,000 bytes", "Nothing was graded or saved")
    assert _attempts(home) == 0


def test_check_refuses_the_learners_own_file_when_too_large_or_not_utf8(home: Path) -> None:
    path = Path(json.loads(run_cli("start", "softmax", "--json", home=home).stdout)["path"])
    path.write_text("# padding\n" * (BIG // 10))
    _refused(run_cli("check", "softmax", home=home), "250,000 bytes", "200,000 bytes")
    path.write_bytes(b"x = '\xe9'\n")
    _refused(run_cli("check", "softmax", home=home), "not UTF-8")
    assert _attempts(home) == 0


@pytest.mark.slow  # trains, or starts real processes: make test only
def test_watch_says_when_a_save_is_too_large_and_keeps_watching(home: Path) -> None:
    path = Path(json.loads(run_cli("start", "softmax", "--json", home=home).stdout)["path"])
    path.write_text("# padding\n" * (BIG // 10))
    _refused(run_cli("check", "softmax", "--watch", home=home), "250,000 bytes")
    path.write_text("def softmax(x):\n    return x\n")
    proc = subprocess.Popen([*CLI, "check", "softmax", "--watch", "--home", str(home)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")),
                              daemon=True)
    reader.start()

    def wait_for(text: str, times: int = 1, limit: float = 90.0) -> bool:
        deadline = time.monotonic() + limit  # generous: the machine may be busy
        while time.monotonic() < deadline:
            if sum(text in line for line in list(lines)) >= times:
                return True
            time.sleep(0.1)
        return False

    try:
        assert wait_for("FAIL softmax"), lines
        time.sleep(0.5)  # a new mtime, even on coarse file systems
        path.write_text("# padding\n" * (BIG // 10))
        assert wait_for("250,000 bytes"), lines
        assert _attempts(home) == 1  # the oversized save was not graded or stored
        time.sleep(0.5)
        path.write_text("def softmax(x):\n    return x * 1\n")
        assert wait_for("FAIL softmax", times=2), lines  # still watching, checks again
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert "Traceback" not in "".join(lines)
    assert _attempts(home) == 2


def test_goal_refuses_unknown_roles_past_dates_and_non_positive_hours(home: Path) -> None:
    assert run_cli("goal", "--hours", "6", "--role", "data scientist", home=home
                   ).returncode == 0
    _refused(run_cli("goal", "--role", "data scientst", home=home), "no role called",
             "Did you mean: data-scientist")
    _refused(run_cli("goal", "--role", "astronaut", home=home), "Did you mean:")
    _refused(run_cli("goal", "--by", "2001-01-01", home=home), "has already passed")
    _refused(run_cli("goal", "--by", "not a date", home=home), "not a date like")
    _refused(run_cli("goal", "--hours", "-5", home=home), "between 0 and 80", "not -5")
    _refused(run_cli("goal", "--hours", "0", "--by", "2099-01-01", home=home),
             "between 0 and 80")
    shown = json.loads(run_cli("goal", "--json", home=home).stdout)
    assert shown == {"hours_per_week": 6.0, "role": "data scientist", "target_date": None}


def test_import_of_bad_records_is_exit_2_and_progress_still_works(home: Path,
                                                                   tmp_path: Path) -> None:
    run_cli("start", "softmax", home=home)
    out = tmp_path / "export.json"
    assert run_cli("export", str(out), home=home).returncode == 0
    data = json.loads(out.read_text())
    data["reviews"] = [{"card_id": "exercise:nope", "rating": 9, "reviewed_at": "x",
                        "source": "review", "log": "{}"}]
    data["settings"] = {"goal": {"hours": -5, "by": "not a date"}}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    new = tmp_path / "new"
    _refused(run_cli("import", str(bad), home=new), "was not imported (nothing changed)",
             "reviews[0].rating is 9")
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": "deepcareer-export", "events": ' + "[" * 100_000 + "}")
    _refused(run_cli("import", str(deep), home=new), "not a deepcareer export")
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({**data, "reviews": [], "settings": {}, "events": "many"}))
    _refused(run_cli("import", str(wrong), home=new), "events: must be a list")
    with open_store(new) as s:
        assert s.events() == [] and s.reviews() == []
    assert run_cli("progress", "--json", home=new).returncode == 0
    assert run_cli("report", "--out", str(tmp_path / "r.md"), home=new).returncode == 0
