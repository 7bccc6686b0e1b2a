"""The review session, card by card, for every face.

A card is an exercise to re-implement from a blank file (``exercise:ID``), a drill for a
mistake the learner made (``drill:MISCONCEPTION``, redo the exercise without it) or a quiz
question asked with fresh numbers (``quiz:QUIZ:N``). The session offers the due cards,
least likely to be remembered first; any card can also be started *now*, whatever its
review date, because the mentor proposes drills while they are fresh, before they are due.

A card is rated from how it went (see :func:`deepcareer.mentor.review.rating_for`): a pass
after hints or retries is Hard, a check that shows the same mistake again is Again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from deepcareer.errors import UsageError

if TYPE_CHECKING:
    from deepcareer.curriculum.catalog import Catalog
    from deepcareer.grading.report import Report
    from deepcareer.mentor.quiz import Asked, Verdict
    from deepcareer.store.db import Store
    from deepcareer.store.learner import LearnerRecord

CardKind = Literal["exercise", "drill", "quiz"]
CARD_TEXT = re.compile(r"^[a-z0-9][a-z0-9._:-]{0,150}$")


@dataclass(frozen=True)
class Card:
    """One review card, described for people (``title``, ``mistake``) and for commands
    (``id``, the stable card id; ``ref``, what it is about)."""

    id: str
    kind: CardKind
    ref: str
    title: str
    exercise_id: str | None = None
    mistake: str = ""  # a drill's misconception, in words
    explanation: str = ""
    due: str | None = None  # None: no card yet, or not scheduled
    retrievability: float | None = None  # chance of recall now, for a scheduled card

    @property
    def command(self) -> str:
        return f"deepcareer review {self.id}"

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "ref": self.ref, "title": self.title,
                "exercise": self.exercise_id, "mistake": self.mistake or None,
                "due": self.due, "retrievability": None if self.retrievability is None
                else round(self.retrievability, 4)}


@dataclass(frozen=True)
class Session:
    """What is due now, and when the next card falls due when nothing is."""

    due: list[Card]
    next_due: datetime | None

    def to_dict(self) -> dict[str, object]:
        return {"due": [c.to_dict() for c in self.due],
                "next_due": self.next_due.isoformat() if self.next_due else None}


@dataclass(frozen=True)
class Outcome:
    """One check of a review card: the report, and the rating once the card is done."""

    report: Report
    rating: str | None  # again | hard | good | easy, once rated
    same_mistake: bool = False  # a drill that showed its own mistake again
    done: bool = False  # rated: the session moves on


@dataclass
class Attempt:
    """A card being worked on: what the session needs to rate it fairly. A face keeps it
    between checks (the terminal in memory, the browser in the form)."""

    card: Card
    began: datetime
    checks: int = 0
    hints: int = 0
    seen_hints: list[str] = field(default_factory=list)


def resolve(catalog: Catalog, text: str) -> tuple[CardKind, str]:
    """(kind, ref) from a card id (``drill:softmax.no-max-shift``) or a bare reference:
    a misconception id is a drill, an exercise id an exercise, ``QUIZ:N`` a quiz question.
    A clear error for anything else."""
    text = text.strip()
    if not CARD_TEXT.match(text):
        raise UsageError(f"{text!r} is not a review card. `deepcareer review --list` lists "
                         "the due ones.")
    kind, _, rest = text.partition(":")
    if kind in ("exercise", "drill", "quiz") and rest:
        _check(catalog, kind, rest)  # type: ignore[arg-type]
        return kind, rest  # type: ignore[return-value]
    if text in catalog.exercises:
        return "exercise", text
    exercise_id = text.split(".", 1)[0]
    if "." in text and exercise_id in catalog.exercises:
        _check(catalog, "drill", text)
        return "drill", text
    if ":" in text:
        _check(catalog, "quiz", text)
        return "quiz", text
    raise UsageError(f"No review card called {text!r}: give an exercise id, a mistake id "
                     "such as softmax.no-max-shift, or a card id from `deepcareer review "
                     "--list`.")


def _check(catalog: Catalog, kind: CardKind, ref: str) -> None:
    if kind == "exercise":
        catalog.get(ref)
    elif kind == "drill":
        ex = catalog.get(ref.split(".", 1)[0])
        if not any(m.id == ref for m in ex.checks.misconceptions):
            raise UsageError(f"{ex.id} has no mistake called {ref!r}.")
    else:
        from deepcareer.mentor.quiz import get_quiz

        quiz_id, _, index = ref.rpartition(":")
        if not index.isdigit() or int(index) >= len(get_quiz(quiz_id).questions):
            raise UsageError(f"{quiz_id} has no question {index!r}.")


def describe(catalog: Catalog, kind: CardKind, ref: str, due: str | None = None,
             retrievability: float | None = None) -> Card:
    """A card in words: titles for people, never bare ids."""
    from deepcareer.mentor.review import card_id

    cid = card_id(kind, ref)
    if kind == "quiz":
        from deepcareer.mentor.quiz import get_quiz

        quiz_id, _, index = ref.rpartition(":")
        try:
            quiz = get_quiz(quiz_id)
            title = f"{quiz.title}, question {int(index) + 1}"
        except (UsageError, ValueError):
            title = ref  # a card of a quiz since removed: still shown, by its id
        return Card(cid, kind, ref, title, None, due=due, retrievability=retrievability)
    exercise_id = ref if kind == "exercise" else ref.split(".", 1)[0]
    if exercise_id not in catalog.exercises:
        return Card(cid, kind, ref, ref, None, due=due, retrievability=retrievability)
    ex = catalog.get(exercise_id)
    if kind == "exercise":
        return Card(cid, kind, ref, f"Re-implement {ex.meta.title}", ex.id, due=due,
                    retrievability=retrievability)
    m = next((m for m in ex.checks.misconceptions if m.id == ref), None)
    mistake = m.title if m else ref
    return Card(cid, kind, ref, f"Drill: {mistake}", ex.id, mistake=mistake,
                explanation=m.explanation if m else "", due=due,
                retrievability=retrievability)


def session(store: LearnerRecord, catalog: Catalog) -> Session:
    """The due cards, least likely to be remembered first."""
    from deepcareer.mentor.review import due_cards, next_due

    cards = [describe(catalog, d.kind, d.ref, d.due, d.retrievability)  # type: ignore[arg-type]
             for d in due_cards(store)]
    return Session(cards, None if cards else next_due(store))


def card(store: LearnerRecord, catalog: Catalog, text: str) -> Card:
    """Any card, due or not: the mentor's proposals can be started at once."""
    import json

    from deepcareer.mentor.review import card_id, retrievability

    kind, ref = resolve(catalog, text)
    row = store.card(card_id(kind, ref))
    if row is None:
        return describe(catalog, kind, ref)
    return describe(catalog, kind, ref, row["due"],
                    retrievability(json.loads(row["card"]), store.clock()))


def begin(store: LearnerRecord, card: Card) -> Attempt:
    return Attempt(card, store.clock())


def blank_file(store: Store, catalog: Catalog, card: Card) -> Path:
    """The file to re-implement in: a blank starter, kept if the learner already started
    it since the card's last review (stopping midway loses nothing)."""
    import json

    from deepcareer.atomic import write_text_atomic

    if card.exercise_id is None:
        raise UsageError(f"{card.title} is a quiz question, not code to write.")
    ex = catalog.get(card.exercise_id)
    path: Path = store.home / "workspace" / "review" / f"{ex.id}.py"
    row = store.card(card.id)
    last = json.loads(row["card"]).get("last_review") if row else None
    if (path.exists() and last is not None
            and path.stat().st_mtime > datetime.fromisoformat(last).timestamp()):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, ex.starter)
    return path


def starter(catalog: Catalog, card: Card) -> str:
    if card.exercise_id is None:
        raise UsageError(f"{card.title} is a quiz question, not code to write.")
    return catalog.get(card.exercise_id).starter


def hint(catalog: Catalog, attempt: Attempt) -> str:
    """The next step of the ladder that fits the card (a drill's own mistake, else the
    exercise's); the top step repeats. Counted: a pass after hints is rated Hard."""
    card = attempt.card
    if card.exercise_id is None:
        raise UsageError("Quiz questions have no hints; answer, and the feedback explains.")
    ex = catalog.get(card.exercise_id)
    ladder = list(ex.meta.hints)
    if card.kind == "drill":
        m = next((m for m in ex.checks.misconceptions if m.id == card.ref), None)
        ladder = list(m.hints) if m and m.hints else ladder
    step = ladder[min(attempt.hints, len(ladder) - 1)]
    attempt.hints += 1
    return step


def check(store: Store, catalog: Catalog, attempt: Attempt, code: str,
          filename: str | None = None) -> Outcome:
    """Grade a re-implementation; a pass rates the card (Good, Hard after hints or
    retries, Easy when fast), a failure waits for the next check or a skip."""
    from deepcareer.app import practice
    from deepcareer.mentor.review import RATING_NAMES, rating_for, record

    card = attempt.card
    if card.exercise_id is None:
        raise UsageError(f"{card.title} is a quiz question: answer it instead.")
    ex = catalog.get(card.exercise_id)
    report = practice.check_source(store, ex, code, filename=filename, schedule=False)
    if report.status == "not_attempted":
        return Outcome(report, None)
    attempt.checks += 1
    same = card.kind == "drill" and any(f.misconception == card.ref for f in report.findings)
    if report.status != "pass":
        return Outcome(report, None, same_mistake=same)
    taken = (store.clock() - attempt.began).total_seconds() / 60
    rating = rating_for(passed=True, hints=attempt.hints, retries=attempt.checks - 1,
                        minutes_taken=taken, minutes_estimated=ex.meta.minutes)
    record(store, card.kind, card.ref, rating, source="review")
    return Outcome(report, RATING_NAMES[rating], done=True)


def skip(store: LearnerRecord, attempt: Attempt) -> str | None:
    """Leave a card. Tried and given up is a lapse (Again); untouched, it stays due."""
    from deepcareer.mentor.review import RATING_NAMES, Rating, record

    if not attempt.checks:
        return None
    record(store, attempt.card.kind, attempt.card.ref, Rating.Again, source="review")
    return RATING_NAMES[Rating.Again]


def ask(card: Card, seed: int | None = None) -> tuple[Asked, int]:
    """A quiz card's question with fresh numbers, and the seed that drew them (a form
    sends it back so the answer is judged against the numbers shown)."""
    import numpy as np

    from deepcareer.app.quiz import new_seed
    from deepcareer.mentor import quiz as quizzes

    if card.kind != "quiz":
        raise UsageError(f"{card.title} is code to write, not a question.")
    seed = new_seed() if seed is None else seed
    quiz_id, _, index = card.ref.rpartition(":")
    question = quizzes.get_quiz(quiz_id).questions[int(index)]
    return quizzes.ask(question, np.random.default_rng(seed)), seed


def answer(store: LearnerRecord, card: Card, seed: int, reply: str
           ) -> tuple[Asked, Verdict, str | None]:
    """Judge a quiz card's answer and rate it (Good when right, Again when not); a reply
    that is not an answer (a typo, a blank) is not rated: the face asks again."""
    from deepcareer.app.quiz import judge_one
    from deepcareer.mentor.review import RATING_NAMES, Rating, record

    asked, _ = ask(card, seed)
    verdict = judge_one(asked, reply)
    if verdict.unreadable:
        return asked, verdict, None
    rating = Rating.Good if verdict.correct else Rating.Again
    record(store, "quiz", card.ref, rating, source="review")
    return asked, verdict, RATING_NAMES[rating]
