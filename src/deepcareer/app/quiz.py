"""Taking a concept quiz: one way to draw its numbers, judge the answers and record them.

Quiz answers are practice, never verification (see ``career/evidence.py``): they move
mastery a little and schedule each question for review. A reply that is not an answer
at all (a blank, a typo, a word where a number belongs) is asked again and never recorded,
so a slip of the keyboard is not a wrong answer in the learner's history.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deepcareer.errors import UsageError

if TYPE_CHECKING:
    from deepcareer.mentor.quiz import Asked, Quiz, Verdict
    from deepcareer.store.db import Store


@dataclass(frozen=True)
class QuizInfo:
    id: str
    title: str
    skills: list[str]
    questions: int

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "skills": self.skills,
                "questions": self.questions}


@dataclass(frozen=True)
class Sitting:
    """A quiz as put to the learner: its questions with the numbers ``seed`` drew."""

    quiz: Quiz
    seed: int
    asked: list[Asked]


@dataclass(frozen=True)
class Result:
    """A judged sitting. ``recorded`` is False when some reply was unreadable: nothing
    was stored, and the face asks those questions again."""

    sitting: Sitting
    verdicts: list[Verdict]
    score: int
    recorded: bool

    @property
    def unreadable(self) -> list[int]:
        return [n for n, v in enumerate(self.verdicts) if v.unreadable]

    def to_dict(self) -> dict[str, object]:
        return {"quiz": self.sitting.quiz.id, "score": self.score,
                "total": len(self.verdicts), "seed": self.sitting.seed,
                "recorded": self.recorded,
                "results": [{"question": n + 1, "correct": v.correct,
                             "misconception": v.misconception, "feedback": v.feedback,
                             "unreadable": v.unreadable}
                            for n, v in enumerate(self.verdicts)]}


def new_seed() -> int:
    """Fresh numbers for every sitting, from the OS (the one place seeds are drawn)."""
    return int.from_bytes(os.urandom(4), "little") & 0x7FFFFFFF


def quizzes() -> list[QuizInfo]:
    from deepcareer.mentor.quiz import load_quizzes

    return [QuizInfo(q.id, q.title, list(q.skills), len(q.questions))
            for q in load_quizzes().values()]


def sit(quiz_id: str, seed: int | None = None) -> Sitting:
    """The quiz with numbers drawn from ``seed`` (a fresh one when None); the same seed
    asks the same numbers, so a form is judged against what it showed."""
    from deepcareer.mentor.quiz import get_quiz, questions_for

    chosen = get_quiz(quiz_id)
    seed = new_seed() if seed is None else seed
    if not 0 <= seed < 2**32:
        raise UsageError("A quiz seed is a whole number from 0 to 4294967295.")
    return Sitting(chosen, seed, questions_for(chosen, seed))


def parse_seed(text: str) -> int:
    """A seed sent back by a form; anything else is a clear refusal."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10 and int(text) < 2**32):
        raise UsageError("The quiz form is incomplete; open the quiz again.")
    return int(text)


def judge_one(asked: Asked, reply: str) -> Verdict:
    from deepcareer.mentor.quiz import judge

    return judge(asked, reply)


def answer(store: Store, sitting: Sitting, replies: list[str]) -> Result:
    """Judge every reply; record the sitting only when each reply was an answer."""
    from deepcareer.mentor.quiz import judge, record_quiz

    if len(replies) != len(sitting.asked):
        raise UsageError(f"{sitting.quiz.id} has {len(sitting.asked)} questions; "
                         f"{len(replies)} answers were given.")
    verdicts = [judge(a, r) for a, r in zip(sitting.asked, replies, strict=True)]
    if any(v.unreadable for v in verdicts):
        return Result(sitting, verdicts, sum(v.correct for v in verdicts), recorded=False)
    score = record_quiz(store, sitting.quiz, sitting.seed, verdicts)
    return Result(sitting, verdicts, score, recorded=True)
