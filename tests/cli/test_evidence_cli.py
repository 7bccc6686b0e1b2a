"""Issue 14 from the terminal: resubmitted stubs do not earn the solution, and a run of our
reference, verified or not, is not the learner's work anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepcareer.curriculum.catalog import Catalog
from tests.conftest import run_cli


def test_three_identical_stubs_keep_the_solution_locked_and_say_why(
        home: Path, tmp_path: Path, catalog: Catalog) -> None:
    stub = catalog.get("softmax").starter.replace(
        "raise NotImplementedError('subtract the row maximum, exponentiate, normalise over "
        "the last axis')", "return None")
    assert "return None" in stub
    f = tmp_path / "stub.py"
    f.write_text(stub)
    for _ in range(3):
        checked = run_cli("check", "softmax", "--file", str(f), home=home)
        assert checked.returncode == 1
    locked = run_cli("solution", "softmax", home=home)
    assert locked.returncode == 1
    said = " ".join(locked.stdout.split())
    assert "1 of 3 different attempts so far" in said
    assert "identical resubmissions" in said and "do not count" in said
    data = json.loads(run_cli("solution", "softmax", "--json", home=home).stdout)
    assert (data["unlocked"], data["failed_attempts"], data["repeated_attempts"]) == \
        (False, 1, 2)
    helped = run_cli("solution", "--help", home=None)
    assert "identical" in " ".join(helped.stdout.split()) or "same code" in " ".join(
        helped.stdout.split())
    for i in (1, 2):  # two more attempts with code of their own: now it opens
        f.write_text(stub + f"\n# try {i}\n")
        run_cli("check", "softmax", "--file", str(f), home=home)
    assert json.loads(run_cli("solution", "softmax", "--json", home=home).stdout)["unlocked"]


@pytest.mark.slow  # trains, or starts real processes: make test only
def test_a_reference_run_verified_verifies_nothing_and_publishes_nothing(home: Path) -> None:
    ran = run_cli("project", "run", "tabular-classic", "--reference", "--json", home=home,
                  timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["origin"] == "reference"
    verified = run_cli("project", "verify", "tabular-classic", home=home, timeout=300)
    assert verified.returncode == 1
    assert "verifies nothing" in verified.stdout and "reference" in verified.stdout
    ready = json.loads(run_cli("career", "readiness", "data-scientist", "--json",
                               home=home).stdout)
    assert not [s for s in ready["skills"] if s["level"] == "verified"]
    assert ready["score"] == 0 and "discount" not in ready  # nothing counts
    assert "verified work counts 100 %" in ready["counting"]
    site = home / "site"
    built = run_cli("portfolio", "build", "--preview", "--out", str(site), home=home)
    assert built.returncode == 0, built.stderr
    assert not (site / "projects").exists() or not list((site / "projects").glob("*.html"))
    progress = json.loads(run_cli("progress", "--json", home=home).stdout)
    assert not any(m["verified"] or m["mastered"] for m in progress["mastery"])
    assert not any(m["level"] == "verified" for m in progress["mastery"])
    mlp = next(m for m in progress["mastery"] if m["skill"] == "classic-ml")
    assert any("a run of our reference solution" in s for s in mlp["sources"])
