"""Taking a concept quiz: one way to draw its numbers, judge the answers and record them.

Quiz answers are practice, never verification (see ``career/evidence.py``): they move
mastery a little and schedule each question for review. A reply that is not an answer
at all (a blank, a typo, a word where a number belongs) is asked again and never recorded,
so a slip of the keyboard is not a wrong answer in the learner's history.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deepcareer.errors import UsageError

if TYPE_CHECKING:
    from deepcareer.mentor.quiz import Asked, Quiz, Verdict
    from deepcareer.store.learner import LearnerRecord


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
    """Judge one reply after :func:`normalise`: the terminal, the browser and review
    sessions all come through here, so "b)", " B " and "95%" mean the same everywhere."""
    from deepcareer.mentor.quiz import judge

    return judge(asked, normalise(asked, reply))


_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u00a0": "", "\u202f": "",
                        "\u2009": "", "\u00d7": "x"})
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_TIMES_TEN = re.compile(r"^([+-]?[\d.]+)\s*x\s*10\s*\^\s*([+-]?\d+)$")


def normalise(asked: Asked, reply: str) -> str:
    """The reply in the one form the grader reads, so the format is never the test.

    A choice: "b", " B ", "b)", "(b)", "b.", "b) the option's words" and the option's
    words alone are all the letter ``b``. A number: a Unicode minus, thin or no-break
    spaces, thousands commas ("1,024"), a decimal comma ("0,25"), a fraction ("1/4"),
    "3 x 10^-2", and a percent sign: "95%" is 0.95 where the question asks for a
    fraction, and 95 where it asks for a percentage. Anything else comes back in a form
    the grader calls unreadable: it is asked again, never recorded as wrong.
    """
    from deepcareer.mentor.quiz import Choice

    text = reply.strip()
    q = asked.question
    if isinstance(q, Choice):
        return _choice_letter(text, list(q.options))
    return _number_text(text, _asks_percent(asked.text))


def _choice_letter(text: str, options: list[str]) -> str:
    letters = [chr(97 + i) for i in range(len(options))]
    low = " ".join(text.lower().split())
    bare = low.strip("().]: ")
    if bare in letters:
        return bare
    m = re.match(r"^\(?([a-z])[).:\]]\s*(.*)$", low)
    if m and m.group(1) in letters:
        words = m.group(2).strip()
        option = " ".join(options[letters.index(m.group(1))].lower().split())
        if not words or option.startswith(words) or words.startswith(option):
            return m.group(1)
        return text  # "b) words of another option": ambiguous, ask again
    matches = [i for i, o in enumerate(options)
               if " ".join(o.lower().split()).rstrip(".") == low.rstrip(".")]
    return letters[matches[0]] if len(matches) == 1 else text


_PERCENT_ASKED = re.compile(r"\b(in percent|as a percentage|in %)|\(%\)|\(in %\)")


def _asks_percent(question: str) -> bool:
    """Whether the question wants a percentage (then "95%" is 95); a "%" in its data
    ("12 % of the examples are negative") does not count."""
    return bool(_PERCENT_ASKED.search(question.lower()))


def _number_text(text: str, percent_asked: bool) -> str:
    t = text.translate(_MINUS).replace(" ", "").lower()
    percent = t.endswith("%")
    t = t.removesuffix("%")
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
    elif t.count(",") == 1 and "." not in t:
        t = t.replace(",", ".")  # a decimal comma: "0,25"
    value = _value(t)
    if value is None:
        return "?"  # not a number ("nan" and "inf" included): the grader asks again
    if percent and not percent_asked:
        value /= 100
    return repr(value)


def _value(t: str) -> float | None:
    m = _TIMES_TEN.match(t)
    try:
        if m:
            return float(m.group(1)) * 10 ** int(m.group(2))
        if t.count("/") == 1:
            top, bottom = (float(p) for p in t.split("/"))
            return top / bottom if bottom else None
        value = float(t)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def answer(store: LearnerRecord, sitting: Sitting, replies: list[str]) -> Result:
    """Judge every reply; record the sitting only when each reply was an answer."""
    from deepcareer.mentor.quiz import judge, record_quiz

    if len(replies) != len(sitting.asked):
        raise UsageError(f"{sitting.quiz.id} has {len(sitting.asked)} questions; "
                         f"{len(replies)} answers were given.")
    verdicts = [judge(a, normalise(a, r)) for a, r in zip(sitting.asked, replies, strict=True)]
    if any(v.unreadable for v in verdicts):
        return Result(sitting, verdicts, sum(v.correct for v in verdicts), recorded=False)
    score = record_quiz(store, sitting.quiz, sitting.seed, verdicts)
    return Result(sitting, verdicts, score, recorded=True)
