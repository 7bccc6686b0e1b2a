"""`deepcareer career` from the command line, with --json."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import CLI, run_cli

POSTING = Path(__file__).parents[1] / "career" / "postings" / "31-nlp-engineer-contracts.txt"


def test_roles_readiness_plan_claim(home: Path) -> None:
    roles = json.loads(run_cli("career", "roles", "--json").stdout)
    assert len(roles["roles"]) == 17 and "CC BY 4.0" in roles["attribution"]
    mle = next(r for r in roles["roles"] if r["id"] == "machine-learning-engineer")
    assert mle["pay"] and mle["onet"]["code"]  # cited, never estimated
    ds = next(r for r in roles["roles"] if r["id"] == "data-scientist")
    assert any("112,590" in p for p in ds["pay"])

    no_role = run_cli("career", "readiness", home=home)
    assert no_role.returncode == 2 and "goal --role" in no_role.stderr
    run_cli("goal", "--role", "nlp-engineer", "--hours", "5", home=home)
    ready = json.loads(run_cli("career", "readiness", "--json", home=home).stdout)
    assert ready["role"] == "nlp-engineer" and ready["score"] == 0 and not ready["ready"]
    assert ready["next_steps"][0]["tier"] == "core" and ready["pay_cited_by_source"]

    assert run_cli("career", "claim", "pytorch", home=home).returncode == 0
    again = json.loads(run_cli("career", "readiness", "--json", home=home).stdout)
    line = next(s for s in again["skills"] if s["skill"] == "pytorch")
    assert line["level"] == "self-reported" and again["score"] > 0

    plan = json.loads(run_cli("career", "plan", "--json", home=home).stdout)
    assert plan["hours_per_week"] == 5 and plan["n_weeks"] >= 2
    assert all(sum(i["minutes"] for i in w) <= 300 or len(w) == 1 for w in plan["weeks"])


def test_analyze_a_file_and_stdin(home: Path) -> None:
    out = json.loads(run_cli("career", "analyze", str(POSTING), "--json", home=home).stdout)
    assert {"transformers", "tokenization", "embeddings"} <= {m["id"] for m in out["skills"]}
    assert "Not taught here" in out["not_taught"]  # LLMs, Hugging Face: said, not hidden
    assert all(m["evidence"] for m in out["skills"])
    assert out["status"][0]["gap"] and out["years"] == 3
    piped = subprocess.run([*CLI, "career", "analyze", "-", "--json", "--home", str(home)],
                           input=POSTING.read_bytes(), capture_output=True, check=True)
    assert json.loads(piped.stdout)["skills"] == out["skills"]
    text = run_cli("career", "analyze", str(POSTING), home=home).stdout
    assert "required" in text and "Required skills you have not verified yet" in text
    assert "not taught here" in text and "Not taught here:" in text


def test_analyze_bad_input(home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    out = run_cli("career", "analyze", str(empty), home=home)
    assert out.returncode == 2 and "empty" in out.stderr and "Traceback" not in out.stderr
    missing = run_cli("career", "analyze", str(tmp_path / "nope.txt"), home=home)
    assert missing.returncode == 2 and "no file" in missing.stderr
