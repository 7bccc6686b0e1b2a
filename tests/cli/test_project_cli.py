"""`deepcareer project` from the command line: list, new, run, verify, report."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.projects.learners import LEAKY_SCALER, STANDARDISED


def test_list_new_run_verify_report(home: Path, tmp_path: Path) -> None:
    listed = json.loads(run_cli("project", "list", "--json", home=home).stdout)
    assert [p["id"] for p in listed][:1] == ["digits-mlp"]
    assert all(p["status"] == "new" for p in listed)

    made = run_cli("project", "new", "tabular-classic", "--json", home=home)
    path = Path(json.loads(made.stdout)["path"])
    assert "NotImplementedError" in path.read_text()
    path.write_text("# mine\n")
    run_cli("project", "new", "tabular-classic", home=home)
    assert path.read_text() == "# mine\n"  # never overwritten without --force

    unfinished = run_cli("project", "run", "tabular-classic", home=home)
    assert unfinished.returncode == 1 and "Traceback" not in unfinished.stdout + unfinished.stderr

    path.write_text(STANDARDISED)
    done = run_cli("project", "run", "tabular-classic", "--seed", "2", home=home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS" in done.stdout and "project verify tabular-classic" in done.stdout

    verified = json.loads(run_cli("project", "verify", "tabular-classic", "--json",
                                  home=home).stdout)
    assert verified["verified"] and verified["metric"] == verified["rerun_metric"]

    rep = json.loads(run_cli("project", "report", "tabular-classic", "--json",
                             home=home).stdout)
    assert rep["verified"] and rep["status"] == "pass"
    assert rep["reproduce"] == "deepcareer project run tabular-classic --seed 2"
    assert Path(rep["files"]["html"]).exists() and Path(rep["files"]["learning_curves"]).exists()
    listed = {p["id"]: p for p in json.loads(run_cli("project", "list", "--json",
                                                     home=home).stdout)}
    assert listed["tabular-classic"]["status"] == "pass" and listed["tabular-classic"]["verified"]


def test_a_planted_leak_fails_the_run_and_is_named(home: Path, tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.py"
    leaky.write_text(LEAKY_SCALER)
    out = run_cli("project", "run", "digits-mlp", "--file", str(leaky), "--json", home=home)
    result = json.loads(out.stdout)
    assert out.returncode == 1 and result["status"] == "leak"
    assert [c["check"] for c in result["checks"]] == ["test-statistics"]


def test_unknown_project_and_missing_file_are_explained(home: Path) -> None:
    unknown = run_cli("project", "run", "imagenet", home=home)
    assert unknown.returncode == 2 and "no project called 'imagenet'" in unknown.stderr
    missing = run_cli("project", "run", "mnist1d", home=home)
    assert missing.returncode == 2 and "deepcareer project new mnist1d" in missing.stderr
    capstone = run_cli("project", "new", "capstone", home=home)
    assert capstone.returncode == 2 and "--data" in capstone.stderr
    report = run_cli("project", "report", "char-lstm", home=home)
    assert report.returncode == 2 and "no runs yet" in report.stderr
