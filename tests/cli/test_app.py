"""The CLI contract, driven through the real entry point as a learner would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_docs import _commands

NAIVE = """import numpy as np

def softmax(logits):
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)
"""


def test_the_learner_loop_from_next_to_pass(home: Path, catalog: object) -> None:
    step = json.loads(run_cli("next", "--json", home=home).stdout)
    assert step["kind"] == "exercise" and step["reason"]
    first = step["id"]
    started = json.loads(run_cli("start", first, "--json", home=home).stdout)
    path = Path(started["path"])
    assert started["id"] == first and path.exists()
    untouched = run_cli("check", first, "--json", home=home)
    assert untouched.returncode == 1
    assert json.loads(untouched.stdout)["status"] == "not_attempted"
    from deepcareer.curriculum.catalog import default_catalog

    path.write_text(default_catalog().get(first).reference_source)
    passed = run_cli("check", first, "--json", home=home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert json.loads(passed.stdout)["status"] == "pass"
    after = json.loads(run_cli("next", "--json", home=home).stdout)
    assert after["id"] != first
    progress = json.loads(run_cli("progress", "--json", home=home).stdout)
    assert all(0.0 <= v <= 1.0 for v in progress["skills"].values())
    assert next(e for e in progress["exercises"] if e["id"] == first)["state"] == "passed"


def test_start_never_overwrites_the_learners_file(home: Path) -> None:
    path = Path(json.loads(run_cli("start", "softmax", "--json", home=home).stdout)["path"])
    path.write_text("# my work\n")
    run_cli("start", "softmax", home=home)
    assert path.read_text() == "# my work\n"


def test_check_softmax_naive_file_json(home: Path, tmp_path: Path) -> None:
    f = tmp_path / "naive.py"
    f.write_text(NAIVE)
    result = run_cli("check", "softmax", "--file", str(f), "--json", home=home)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["status"] == "fail"
    assert report["findings"][0]["misconception"] == "softmax.no-max-shift"


def test_check_syntax_error_human_output_has_line_and_no_traceback(
    home: Path, tmp_path: Path
) -> None:
    f = tmp_path / "bad.py"
    f.write_text("def softmax(x)\n    return x\n")
    result = run_cli("check", "softmax", "--file", str(f), home=home)
    assert result.returncode == 1
    assert "line 1" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_check_without_a_file_says_how_to_start(home: Path) -> None:
    result = run_cli("check", "softmax", home=home)
    assert result.returncode == 2
    assert "deepcareer start softmax" in result.stderr


def test_unknown_exercise_is_usage_error_with_suggestion(home: Path) -> None:
    result = run_cli("check", "sofmax", home=home)
    assert result.returncode == 2
    assert "Did you mean: softmax" in result.stderr


def test_hint_climbs_the_ladder_of_the_diagnosed_mistake(home: Path, tmp_path: Path) -> None:
    f = tmp_path / "naive.py"
    f.write_text(NAIVE)
    run_cli("check", "softmax", "--file", str(f), home=home)
    levels = [json.loads(run_cli("hint", "softmax", "--json", home=home).stdout)
              for _ in range(4)]
    assert [h["level"] for h in levels] == [1, 2, 3, 3]
    assert "maximum" in levels[0]["about"]
    assert len({h["hint"] for h in levels}) == 3


def test_hint_starts_from_the_shape_named_when_nothing_catalogued_fits(
        home: Path, tmp_path: Path) -> None:
    # A transposed dx is in no catalogue: the first hint is the transpose's, then the
    # exercise's own ladder.
    f = tmp_path / "dense.py"
    f.write_text("import numpy as np\n"
                 "def dense_forward(x, W, b):\n    return x @ W + b\n"
                 "def dense_backward(dout, x, W):\n"
                 "    return W @ dout.T, x.T @ dout, dout.sum(axis=0)\n")
    checked = json.loads(run_cli("check", "dense-layer", "--file", str(f), "--json",
                                 home=home).stdout)
    shape = next(c for c in checked["checks"] if c["name"].startswith("shape of the mistake"))
    first = json.loads(run_cli("hint", "dense-layer", "--json", home=home).stdout)
    assert first["about"] == shape["name"] and "transposed" in first["about"]
    assert first["hint"] == shape["message"].split("Hint: ", 1)[1]


def test_solution_opens_after_three_failures_or_force(home: Path, tmp_path: Path) -> None:
    locked = run_cli("solution", "softmax", "--json", home=home)
    assert locked.returncode == 1 and json.loads(locked.stdout)["unlocked"] is False
    forced = json.loads(run_cli("solution", "softmax", "--force", "--json", home=home).stdout)
    assert forced["unlocked"] and "def softmax" in forced["solution"]
    assert "BEGIN SOLUTION" not in forced["solution"]
    f = tmp_path / "naive.py"
    other = tmp_path / "other"
    for i in range(3):  # three different honest attempts (identical ones do not count)
        f.write_text(NAIVE + f"\n# try {i}\n")
        run_cli("check", "softmax", "--file", str(f), home=other)
    earned = run_cli("solution", "softmax", "--json", home=other)
    assert earned.returncode == 0 and json.loads(earned.stdout)["unlocked"]
    from deepcareer.store.db import open_store

    with open_store(home) as s:
        assert [e["data"]["forced"] for e in s.events("softmax", "solution")] == [True]
    with open_store(other) as s:
        assert [e["data"]["forced"] for e in s.events("softmax", "solution")] == [False]


def test_list_and_skills_json(home: Path) -> None:
    rows = json.loads(run_cli("list", "--json", home=home).stdout)
    assert rows[0]["state"] == "new" and {"id", "title", "skills"} <= set(rows[0])
    skills = json.loads(run_cli("skills", "--json").stdout)
    softmax = next(s for s in skills if s["id"] == "softmax")
    assert "softmax" in softmax["exercises"]


def test_content_commands() -> None:
    assert run_cli("content", "validate").returncode == 0
    path = run_cli("content", "path", "softmax").stdout.strip()
    assert Path(path, "exercise.toml").exists()
    verify = run_cli("content", "verify", "softmax", "--json")
    assert verify.returncode == 0 and json.loads(verify.stdout)["ok"] is True


def test_export_then_import_into_a_new_home(home: Path, tmp_path: Path) -> None:
    run_cli("start", "softmax", home=home)
    out = tmp_path / "progress.json"
    assert run_cli("export", str(out), home=home).returncode == 0
    new = tmp_path / "new"
    result = run_cli("import", str(out), home=new)
    assert result.returncode == 0 and "Imported 0 attempts and 1 event." in result.stdout


def test_import_of_a_malformed_file_is_a_clear_usage_error(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    result = run_cli("import", str(bad), home=home)
    assert result.returncode == 2
    assert "not a deepcareer export" in result.stderr and "Traceback" not in result.stderr


COMMANDS = [name.split() for name in _commands()]  # every command the app has


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    assert re.search(r"Examples?:\s+deepcareer", result.stdout), result.stdout


def test_bad_option_is_exit_code_2() -> None:
    assert run_cli("list", "--no-such-option").returncode == 2


@pytest.mark.slow  # trains, or starts real processes: make test only
def test_watch_rechecks_on_save(home: Path) -> None:
    import os
    import subprocess
    import threading
    import time

    from tests.conftest import CLI

    path = Path(json.loads(run_cli("start", "softmax", "--json", home=home).stdout)["path"])
    proc = subprocess.Popen([*CLI, "check", "softmax", "--watch", "--home", str(home)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")),
                              daemon=True)
    reader.start()

    def wait_for(text: str, limit: float = 60.0) -> bool:
        deadline = time.monotonic() + limit  # generous: the machine may be busy
        while time.monotonic() < deadline:
            if any(text in line for line in list(lines)):
                return True
            time.sleep(0.1)
        return False

    try:
        assert wait_for("NOT ATTEMPTED")
        time.sleep(0.5)  # a new mtime, even on coarse file systems
        path.write_text(NAIVE)
        assert wait_for("softmax.no-max-shift")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
