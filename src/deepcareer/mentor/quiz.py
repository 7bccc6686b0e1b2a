"""Concept quizzes: what is not code still gets checked, and wrong answers are named.

A quiz is a Python module in ``content/quizzes/`` exporting ``QUIZ``. Multiple-choice
questions explain every wrong option; numeric questions draw fresh parameters for each
attempt, and a wrong number that equals what a known misconception would compute is
named as that misconception.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepcareer.curriculum.modules import load_module
from deepcareer.curriculum.quizzes import QUIZ_DIR, quiz_files
from deepcareer.errors import ContentError, UsageError


@dataclass(frozen=True)
class Choice:
    """A multiple-choice question; ``why_not`` explains each wrong option (same order)."""

    prompt: str
    options: Sequence[str]
    answer: int
    why_not: Mapping[int, str]
    explanation: str
    skill: str = ""  # the one skill of the quiz this question is about ("" = the quiz as a whole)


@dataclass(frozen=True)
class Numeric:
    """A numeric question. ``make(rng)`` returns (params, answer, misconceptions).

    ``prompt`` is formatted with the params; misconceptions map a name to the value a learner
    holding that idea would compute.
    """

    prompt: str
    make: Callable[[Any], tuple[dict[str, Any], float, dict[str, float]]]
    explanation: str
    rel_tol: float = 1e-2
    skill: str = ""  # the one skill of the quiz this question is about ("" = the quiz as a whole)


Question = Choice | Numeric


def distinct(answer: float, wrong: Mapping[str, float],
             rel_tol: float = 2e-2) -> dict[str, float]:
    """The misconceptions whose value a learner could tell apart from ``answer`` and from
    the misconceptions before them.

    A draw of numbers sometimes makes a mistake harmless (``n + m`` equals ``n * m`` when both
    are 2) or makes two mistakes give the same number; naming the first would call a right
    answer wrong, naming the second would guess which idea the learner held, so such a draw
    drops the name. ``rel_tol`` should be at least the question's own tolerance.
    """
    kept: dict[str, float] = {}
    for name, value in wrong.items():
        v = float(value)
        if math.isfinite(v) and all(not math.isclose(v, other, rel_tol=rel_tol, abs_tol=1e-9)
                                    for other in (answer, *kept.values())):
            kept[name] = v
    return kept


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    skills: Sequence[str]
    questions: Sequence[Question] = field(default_factory=tuple)


@dataclass(frozen=True)
class Asked:
    """A question as put to the learner, with its drawn parameters."""

    question: Question
    text: str
    answer: float | int
    misconceptions: dict[str, float]


@dataclass(frozen=True)
class Verdict:
    correct: bool
    feedback: str
    misconception: str | None = None
    unreadable: bool = False  # not an answer (a typo, a blank): asked again, never recorded


def ask(question: Question, rng: Any) -> Asked:
    if isinstance(question, Choice):
        options = [f"  {chr(97 + i)}) {o}" for i, o in enumerate(question.options)]
        lines = [question.prompt, *options]
        return Asked(question, "\n".join(lines), question.answer, {})
    params, answer, wrong = question.make(rng)
    return Asked(question, question.prompt.format(**params), answer, wrong)


def judge(asked: Asked, reply: str) -> Verdict:
    """Grade one reply; never raises for a malformed reply, it says what was expected."""
    q = asked.question
    reply = reply.strip()
    if isinstance(q, Choice):
        letters = [chr(97 + i) for i in range(len(q.options))]
        # "b", "B", "b)", "(b)" and "b." are all the letter b: the format is not the test
        letter = reply.lower().strip("().] ")
        if letter not in letters:
            return Verdict(False, f"Answer with one letter: {', '.join(letters)}.",
                           unreadable=True)
        picked = letters.index(letter)
        if picked == q.answer:
            return Verdict(True, q.explanation)
        return Verdict(False, f"{q.why_not.get(picked, '')} {q.explanation}".strip())
    try:
        value = float(reply.replace(",", "").removesuffix("%")) / (100 if reply.endswith("%")
                                                                   else 1)
    except ValueError:
        return Verdict(False, "Answer with a number, like 0.25 or 1e-3.", unreadable=True)
    if math.isclose(value, float(asked.answer), rel_tol=q.rel_tol, abs_tol=1e-12):
        return Verdict(True, q.explanation)
    for name, wrong in asked.misconceptions.items():
        if math.isclose(value, wrong, rel_tol=q.rel_tol, abs_tol=1e-12):
            return Verdict(False, f"That is what you get from {name}. {q.explanation}", name)
    return Verdict(False, f"The answer is {asked.answer:.4g}. {q.explanation}")


def questions_for(quiz: Quiz, seed: int) -> list[Asked]:
    """The quiz's questions with parameters drawn from ``seed`` (the same seed asks the
    same numbers, so a web form can be judged after the page that showed it)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return [ask(q, rng) for q in quiz.questions]


def record_quiz(store: Any, quiz: Quiz, seed: int, verdicts: list[Verdict]) -> int:
    """Log the attempt (evidence for mastery) and rate each question's review card;
    returns the score."""
    from deepcareer.mentor.review import Rating, record

    score = sum(v.correct for v in verdicts)
    store.add_event(f"quiz:{quiz.id}", "quiz",
                    {"seed": seed, "score": score, "total": len(verdicts),
                     "misconceptions": [v.misconception for v in verdicts if v.misconception]})
    for n, v in enumerate(verdicts):  # each question becomes a card, asked anew later
        record(store, "quiz", f"{quiz.id}:{n}", Rating.Good if v.correct else Rating.Again,
               source="quiz")
    return score


def load_quizzes(folder: Path = QUIZ_DIR) -> dict[str, Quiz]:
    quizzes: dict[str, Quiz] = {}
    for path in quiz_files(folder):
        quiz = getattr(load_module(path), "QUIZ", None)
        if not isinstance(quiz, Quiz):
            raise ContentError(f"{path} must define QUIZ = Quiz(...)")
        quizzes[quiz.id] = quiz
    return quizzes


def get_quiz(quiz_id: str) -> Quiz:
    quizzes = load_quizzes()
    if quiz_id not in quizzes:
        raise UsageError(f"There is no quiz called {quiz_id!r}. Quizzes: {', '.join(quizzes)}.")
    return quizzes[quiz_id]


def validate_quiz(quiz: Quiz, skills: set[str], seeds: Sequence[int] = (0, 1, 2)) -> list[str]:
    """Problems with a quiz: unknown skills, bad answers, misconceptions equal to the answer."""
    import numpy as np

    problems = [f"quiz {quiz.id}: unknown skill {s!r}" for s in quiz.skills if s not in skills]
    if len(quiz.questions) < 3:
        problems.append(f"quiz {quiz.id}: needs at least 3 questions")
    for n, q in enumerate(quiz.questions, 1):
        if q.skill and q.skill not in quiz.skills:
            problems.append(f"quiz {quiz.id} q{n}: skill {q.skill!r} is not one of the quiz's")
        if isinstance(q, Choice):
            if not 0 <= q.answer < len(q.options):
                problems.append(f"quiz {quiz.id} q{n}: answer index out of range")
            wrong = set(range(len(q.options))) - {q.answer}
            if set(q.why_not) != wrong:
                problems.append(f"quiz {quiz.id} q{n}: explain every wrong option")
            continue
        for seed in seeds:
            asked = ask(q, np.random.default_rng(seed))
            for name, value in asked.misconceptions.items():
                if math.isclose(value, float(asked.answer), rel_tol=q.rel_tol, abs_tol=1e-12):
                    problems.append(f"quiz {quiz.id} q{n}: {name!r} gives the right answer "
                                    f"for seed {seed}")
    return problems
