"""`deepcareer review` from the command line: listing, a quiz card, an exercise card."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.mentor.review import Rating, record
from deepcareer.store.db import open_store
from tests.conftest import run_cli


def _make_due(home: Path, kind: str, ref: str) -> None:
    """Rate a card a month ago so that it is due now."""
    past = datetime.now(UTC) - timedelta(days=30)
    with open_store(home, clock=lambda: past) as store:
        record(store, kind, ref, Rating.Hard, source="check")  # type: ignore[arg-type]


def test_nothing_due_is_said_plainly(home: Path) -> None:
    done = run_cli("review", home=home)
    assert done.returncode == 0 and "Nothing is due" in done.stdout
    listed = json.loads(run_cli("review", "--json", home=home).stdout)
    assert listed == {"due": [], "next_due": None}


def test_a_due_quiz_question_is_asked_again_and_rated(home: Path) -> None:
    _make_due(home, "quiz", "neuroscience:0")
    listed = json.loads(run_cli("review", "--list", "--json", home=home).stdout)
    assert [d["id"] for d in listed["due"]] == ["quiz:neuroscience:0"]
    done = run_cli("review", home=home, input="a\n")
    assert done.returncode == 0, done.stderr
    assert "Review done" in done.stdout
    with open_store(home) as store:
        ratings = [r["rating"] for r in store.reviews("quiz:neuroscience:0")]
    assert ratings[0] == int(Rating.Hard) and len(ratings) == 2
    assert json.loads(run_cli("review", "--json", home=home).stdout)["due"] == []


def test_a_due_exercise_is_reimplemented_from_a_blank_file(home: Path) -> None:
    _make_due(home, "exercise", "softmax")
    # The learner has already re-implemented it in the review file (since the card's last
    # review): the session keeps that file and checks it.
    path = home / "workspace" / "review" / "softmax.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(default_catalog().get("softmax").reference_source)
    done = run_cli("review", home=home, input="\n")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS softmax" in done.stdout and "Rated" in done.stdout
    with open_store(home) as store:
        assert store.reviews("exercise:softmax")[-1]["source"] == "review"
        assert store.attempts("softmax")[-1]["status"] == "pass"


def test_stopping_a_review_keeps_it_due(home: Path) -> None:
    _make_due(home, "exercise", "softmax")
    done = run_cli("review", home=home, input="q\n")
    assert done.returncode == 0 and "stays due" in done.stdout
    blank = (home / "workspace" / "review" / "softmax.py").read_text()
    assert blank == default_catalog().get("softmax").starter
    assert len(json.loads(run_cli("review", "--json", home=home).stdout)["due"]) == 1
