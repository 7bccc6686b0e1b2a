"""Quiz replies are normalised in the application layer before grading, so the terminal,
the browser and a review session read "b)", " B " and "95%" alike, and a reply that is not
an answer is asked again, never recorded as wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepcareer.app.quiz import answer, judge_one, normalise, sit
from deepcareer.mentor.quiz import Asked, Choice, Numeric, judge
from deepcareer.store.db import open_store

CHOICE = Choice(prompt="Which squashes logits into probabilities?",
                options=["ReLU", "Softmax", "Dropout"], answer=1,
                why_not={0: "ReLU clips.", 2: "Dropout drops."}, explanation="Softmax.")


def _choice() -> Asked:
    return Asked(CHOICE, "Which...\n  a) ReLU\n  b) Softmax\n  c) Dropout", 1, {})


def _numeric(text: str, value: float) -> Asked:
    q = Numeric(prompt=text, make=lambda rng: ({}, value, {}), explanation="Because.")
    return Asked(q, text, value, {})


@pytest.mark.parametrize("reply", ["b", " B ", "b)", "(b)", "b.", "B) softmax", "softmax",
                                   "  Softmax. ", "b: Softmax"])
def test_every_way_of_writing_a_letter_is_that_letter(reply: str) -> None:
    assert normalise(_choice(), reply) == "b"
    assert judge_one(_choice(), reply).correct


@pytest.mark.parametrize("reply", ["", "  ", "bb", "d", "b) relu", "sigmoid", "a or b"])
def test_a_reply_that_is_no_option_is_asked_again(reply: str) -> None:
    verdict = judge_one(_choice(), reply)
    assert verdict.unreadable and not verdict.correct


FRACTION = "A model is right on {k} of 20 examples. What is its accuracy, as a fraction?"
PERCENT = "A model is right on 19 of 20 examples. What is its accuracy in percent?"


@pytest.mark.parametrize(("reply", "value"), [
    ("0.95", 0.95), ("95%", 0.95), (" 95 % ", 0.95), ("19/20", 0.95), ("0,95", 0.95),
    ("9.5 x 10^-1", 0.95), ("9.5e-1", 0.95)])
def test_numbers_in_the_forms_people_write_them(reply: str, value: float) -> None:
    asked = _numeric(FRACTION, value)
    assert float(normalise(asked, reply)) == pytest.approx(value)
    assert judge_one(asked, reply).correct


def test_a_percent_sign_means_a_fraction_only_where_one_is_asked() -> None:
    assert judge_one(_numeric(PERCENT, 95.0), "95%").correct
    assert judge_one(_numeric(PERCENT, 95.0), "95").correct
    # "%" in the question's data does not make it ask for a percentage
    data = _numeric("In a dataset 80 % are negative. Accuracy (as a fraction)?", 0.8)
    assert judge_one(data, "80%").correct


@pytest.mark.parametrize(("reply", "value"), [("1,024", 1024.0), ("\u22120.5", -0.5),
                                              ("1\u202f000", 1000.0), ("-3", -3.0)])
def test_separators_and_signs(reply: str, value: float) -> None:
    assert float(normalise(_numeric(FRACTION, value), reply)) == pytest.approx(value)


@pytest.mark.parametrize("reply", ["", "abc", "0.2.5", "1/0", "nan", "inf", "95%%", "--1"])
def test_a_malformed_number_is_asked_again(reply: str) -> None:
    verdict = judge_one(_numeric(FRACTION, 0.95), reply)
    assert verdict.unreadable and not verdict.correct


def test_the_grader_alone_would_call_these_wrong_or_unreadable() -> None:
    # The normalising is what makes them right: without it the domain grader refuses them.
    assert judge(_choice(), "softmax").unreadable
    assert judge(_numeric(FRACTION, 0.95), "19/20").unreadable
    assert not judge(_numeric(FRACTION, 0.5), "0,5").correct


def test_a_sitting_with_a_malformed_reply_records_nothing(tmp_path: Path) -> None:
    sitting = sit("classic-ml", seed=7)
    right = [chr(97 + a.question.answer) + ")" if isinstance(a.question, Choice)
             else f"{float(a.answer) * 100:.10g}%" for a in sitting.asked]
    with open_store(tmp_path / "h") as store:
        broken = answer(store, sitting, ["not an answer", *right[1:]])
        assert not broken.recorded and broken.unreadable == [0]
        assert not store.events(kind="quiz")
        done = answer(store, sitting, right)
        assert done.recorded and done.score == len(right)
