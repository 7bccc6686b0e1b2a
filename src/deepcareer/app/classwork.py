"""A learner's own work on the class server: hints, the solution, quizzes and reviews.

The same use cases as the local app (``practice``, ``quiz``, ``review``), called on the
learner's record in PostgreSQL (``store/pg/learner.py``) instead of their SQLite file, so the
hint ladder, the rule for when the solution opens, quiz judging and review scheduling are
the local app's own code. Every function takes the signed-in user and works on that user's
record only: no id of another learner is ever taken from a request.

What differs is when a check happens: locally the check runs in the learner's process and
schedules reviews as it logs the attempt; on the server a worker grades later. So each page
that shows reviews first replays, for every graded submission not yet seen, what a local
check does at that moment (``practice.schedule_after_check``, on a view of the record as it
was then); and a pass of an exercise whose review card (or a drill for one of its mistakes)
was due counts as that review, rated as a review check rates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from deepcareer.curriculum.catalog import Catalog, Exercise, default_catalog
from deepcareer.errors import ContentError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Engine

    from deepcareer.app.practice import Hint, SolutionAccess
    from deepcareer.app.quiz import QuizInfo, Result, Sitting
    from deepcareer.app.review import Card, Session
    from deepcareer.mentor.quiz import Asked, Verdict
    from deepcareer.store.pg.learner import PgLearnerStore

REVIEW_CURSOR = "server_review_cursor"  # the last attempt whose reviews were scheduled


def _record(engine: Engine, user: Any) -> PgLearnerStore:
    from deepcareer.store.pg.learner import PgLearnerStore

    return PgLearnerStore(engine, int(user.id))


@dataclass(frozen=True)
class ExerciseState:
    """What the server's exercise page shows besides the task."""

    attempts: int  # graded submissions that ran
    passed: bool
    mastery: list[tuple[str, float]]  # (skill title, P(known)) of the exercise's skills
    quizzes: list[QuizInfo]  # the quizzes that practise its skills


def open_exercise(engine: Engine, user: Any, ex: Exercise,
                  catalog: Catalog | None = None) -> ExerciseState:
    """The page's state; the first visit is logged as the start (as ``deepcareer start``
    is locally: the time an exercise takes is counted from it). Reviews are scheduled for
    the grades that arrived since the last page (:func:`catch_up`)."""
    from deepcareer.app.quiz import quizzes
    from deepcareer.mentor.mastery import mastery

    catalog = catalog or default_catalog()
    record = _record(engine, user)
    catch_up(record, catalog)  # a few new grades at a time, not all at the next review
    if ex.id not in record.started_ids():
        record.add_event(ex.id, "start", {"created": False})
    summary = record.exercise_summary().get(ex.id, {})
    skills = mastery(record, catalog)
    return ExerciseState(int(summary.get("real", 0)), bool(summary.get("passed", 0)),
                         [(catalog.skills[s].title, skills[s].p) for s in ex.meta.skills
                          if s in skills],
                         [q for q in quizzes() if set(q.skills) & set(ex.meta.skills)])


def hint(engine: Engine, user: Any, exercise_id: str, catalog: Catalog | None = None) -> Hint:
    """The next step of the ladder that fits the learner's latest graded submission."""
    from deepcareer.app.practice import next_hint

    return next_hint(_record(engine, user), exercise_id, catalog)


def solution(engine: Engine, user: Any, exercise_id: str,
             catalog: Catalog | None = None) -> SolutionAccess:
    """The reference once earned by the local rule (three honest failed attempts or a
    pass, counted over the server's own grades); logged when shown. Never forced here."""
    from deepcareer.app.practice import solution as reveal

    return reveal(_record(engine, user), exercise_id, catalog=catalog)


def answer_quiz(engine: Engine, user: Any, sitting: Sitting, replies: list[str]) -> Result:
    """Judge a sitting and, when every reply was an answer, record it (evidence of practice,
    and a review card per question)."""
    from deepcareer.app.quiz import answer

    return answer(_record(engine, user), sitting, replies)


def reviews(engine: Engine, user: Any, catalog: Catalog | None = None) -> Session:
    """The learner's due review cards, least likely to be remembered first."""
    from deepcareer.app.review import session

    catalog = catalog or default_catalog()
    record = _record(engine, user)
    catch_up(record, catalog)
    return session(record, catalog)


def review_card(engine: Engine, user: Any, text: str, catalog: Catalog | None = None
                ) -> Card:
    from deepcareer.app.review import card

    return card(_record(engine, user), catalog or default_catalog(), text)


def answer_card(engine: Engine, user: Any, card: Card, seed: int, reply: str
                ) -> tuple[Asked, Verdict, str | None]:
    """Judge a quiz card's answer and rate it, as a local review does."""
    from deepcareer.app.review import answer

    if card.kind != "quiz":
        raise UsageError(f"{card.title} is code to write: redo the exercise and submit it.")
    return answer(_record(engine, user), card, seed, reply)


def catch_up(record: PgLearnerStore, catalog: Catalog) -> int:
    """Schedule reviews for graded submissions not yet seen, each as of its own time;
    returns how many were replayed. Safe to repeat: the cursor moves after each."""
    from deepcareer.app.practice import schedule_after_check
    from deepcareer.grading.report import Report
    from deepcareer.store.pg.learner import PgLearnerStore

    done = int(record.setting(REVIEW_CURSOR, 0) or 0)
    seen = 0
    for a in record.attempt_summaries(done):  # without code: usually none are new
        at = datetime.fromisoformat(a["created_at"])
        then = PgLearnerStore(record.engine, record.user_id, clock=_fixed(at),
                              before=(a["id"], at))
        try:
            ex = catalog.get(catalog.canonical_id(a["exercise_id"]))
            report = Report.from_dict({"exercise": a["exercise_id"], "status": a["status"],
                                       "message": "", "findings": a["findings"]})
        except (ContentError, KeyError, TypeError, ValueError):
            ex = None  # an exercise gone from the course, or a malformed finding: no review
        if ex is not None:
            if report.status == "pass":
                _review_by_pass(then, ex, a["hint_level"])
            schedule_after_check(then, ex, report, a["hint_level"])
        record.set_setting(REVIEW_CURSOR, a["id"])
        seen += 1
    return seen


def _fixed(moment: datetime) -> Callable[[], datetime]:
    """A clock stopped at ``moment``: what a local check would have read then."""
    return lambda: moment


def _review_by_pass(then: PgLearnerStore, ex: Exercise, hint_level: int) -> None:
    """A pass while the exercise's card, or a drill for one of its mistakes, is due is that
    review: rated as a review check rates it (hints and failed tries since it fell due)."""
    from deepcareer.mentor.review import Kind, card_id, rating_for, record

    now = then.clock()
    ids: list[tuple[Kind, str]] = [("exercise", ex.id)]
    ids += [("drill", m.id) for m in ex.checks.misconceptions]
    for kind, ref in ids:
        row = then.card(card_id(kind, ref))
        if row is None or datetime.fromisoformat(row["due"]) > now:
            continue
        since = row["due"]
        tries = sum(a["status"] in ("fail", "error", "timeout") and a["created_at"] >= since
                    for a in then.attempts(ex.id))
        hints = sum(e["created_at"] >= since for e in then.events(ex.id, "hint"))
        rating = rating_for(passed=True, hints=min(hints, hint_level), retries=tries)
        record(then, kind, ref, rating, source="review")
