"""Concept quizzes: valid content, fresh numbers, named misconceptions, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from deepcareer.curriculum.catalog import Catalog
from deepcareer.mentor.quiz import Numeric, ask, judge, load_quizzes, validate_quiz
from tests.conftest import run_cli


def test_shipped_quizzes_are_valid(catalog: Catalog) -> None:
    quizzes = load_quizzes()
    assert {"neuroscience", "training-data", "classic-ml"} <= set(quizzes)
    for q in quizzes.values():
        assert validate_quiz(q, set(catalog.skills)) == []


def test_numeric_questions_draw_fresh_parameters_and_name_misconceptions() -> None:
    q = next(x for x in load_quizzes()["classic-ml"].questions if isinstance(x, Numeric))
    texts = {ask(q, np.random.default_rng(s)).text for s in range(6)}
    assert len(texts) > 1  # parameterised per attempt
    asked = ask(q, np.random.default_rng(0))
    assert judge(asked, str(asked.answer)).correct
    wrong = judge(asked, "0.5")
    assert not wrong.correct and wrong.misconception == "chance level (50 %)"
    assert "number" in judge(asked, "ninety").feedback


def test_choice_feedback_explains_the_wrong_option() -> None:
    q = load_quizzes()["training-data"].questions[1]
    asked = ask(q, np.random.default_rng(0))
    verdict = judge(asked, "a")
    assert not verdict.correct and "test rows" in verdict.feedback
    assert "one letter" in judge(asked, "z").feedback


def test_quiz_cli_records_the_attempt(home: Path) -> None:
    result = run_cli("quiz", "classic-ml", "--answers", "b,b,0.5", "--seed", "1", "--json",
                     home=home)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["score"] == 2 and data["results"][2]["misconception"] == "chance level (50 %)"
    from deepcareer.store.db import open_store

    with open_store(home) as s:
        events = s.events("quiz:classic-ml", "quiz")
    assert events[0]["data"]["misconceptions"] == ["chance level (50 %)"]


def test_quiz_cli_rejects_a_wrong_number_of_answers(home: Path) -> None:
    result = run_cli("quiz", "neuroscience", "--answers", "a", home=home)
    assert result.returncode == 2 and "3 questions" in result.stderr


def test_skills_list_quizzes_as_evidence() -> None:
    skills = json.loads(run_cli("skills", "--json").stdout)
    neuro = next(s for s in skills if s["id"] == "neuroscience-inspiration")
    assert "neuroscience" in neuro["quizzes"]


def test_a_typo_at_the_prompt_is_asked_again_and_never_recorded(home: Path) -> None:
    """Interactive quiz: "zz" is not an answer, so the same question is asked again; the
    answers that follow are judged and the sitting recorded once."""
    from deepcareer.app.quiz import sit
    from deepcareer.app.session import open_home

    sitting = sit("classic-ml", 1)
    right = [chr(97 + int(a.answer)) if a.question.__class__.__name__ == "Choice"
             else repr(float(a.answer)) for a in sitting.asked]
    typed = "\n".join(["zz", *right]) + "\n"
    out = run_cli("quiz", "classic-ml", "--seed", "1", home=home, input=typed)
    assert out.returncode == 0, out.stdout
    assert out.stdout.count("Answer with") == 1  # the typo, said once, then asked again
    assert f"Score: {len(right)} of {len(right)}" in out.stdout
    with open_home(home) as store:
        assert len(store.events(kind="quiz")) == 1
