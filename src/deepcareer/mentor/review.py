"""Spaced review with FSRS: what to revisit, when, and how each outcome is rated.

Cards (stable ids): ``exercise:ID`` (re-implement a passed exercise from a blank stub),
``quiz:QUIZ:N`` (a quiz question, asked with fresh numbers) and ``drill:MISCONCEPTION``
(redo the exercise where a misconception was diagnosed). FSRS (the Free Spaced
Repetition Scheduler, package ``fsrs``) keeps each card's stability and difficulty and
schedules it when the chance of recall falls to 90 %.

Ratings from outcomes: Again = failed, diagnosed, or the solution was viewed;
Hard = passed after hints or retries; Good = passed first try; Easy = passed first
try in under a third of the exercise's estimated minutes.

Times are UTC-aware. A clock that goes backwards (a laptop with a wrong date) never
produces a negative interval: a review is dated no earlier than the card's last one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from fsrs import Card, Rating, Scheduler

from deepcareer.store.db import iso
from deepcareer.store.learner import LearnerRecord

Kind = Literal["exercise", "quiz", "drill"]
# No same-day learning steps: a re-implementation is reviewed days later, a lapse the next
# day. No fuzzing: schedules are reproducible (and testable).
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
RATING_NAMES = {Rating.Again: "again", Rating.Hard: "hard", Rating.Good: "good",
                Rating.Easy: "easy"}


def card_id(kind: Kind, ref: str) -> str:
    return f"{kind}:{ref}"


def rating_for(*, passed: bool, diagnosed: bool = False, solution_viewed: bool = False,
               hints: int = 0, retries: int = 0, minutes_taken: float | None = None,
               minutes_estimated: float | None = None) -> Rating:
    """The FSRS rating an outcome earns (see the module docstring)."""
    if not passed or diagnosed or solution_viewed:
        return Rating.Again
    if hints or retries:
        return Rating.Hard
    if (minutes_taken is not None and minutes_estimated
            and minutes_taken < minutes_estimated / 3):
        return Rating.Easy
    return Rating.Good


@dataclass(frozen=True)
class Due:
    """A card that is due, with how likely it is still remembered."""

    id: str
    kind: str
    ref: str
    due: str
    retrievability: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "ref": self.ref, "due": self.due,
                "retrievability": round(self.retrievability, 4)}


def _load(row: Mapping[str, Any]) -> Card:
    return Card.from_dict(json.loads(row["card"]))


def record(store: LearnerRecord, kind: Kind, ref: str, rating: Rating, *, source: str,
           now: datetime | None = None) -> dict[str, Any]:
    """Rate a card (creating it on first sight) and save the new state; returns the row."""
    now = now or store.clock()
    cid = card_id(kind, ref)
    row = store.card(cid)
    card = _load(row) if row else Card(due=now)
    if card.last_review is not None and now < card.last_review:
        now = card.last_review  # the clock went backwards: never a negative interval
    card, log = SCHEDULER.review_card(card, rating, review_datetime=now)
    new_row = {"id": cid, "kind": kind, "ref": ref,
               "created_at": row["created_at"] if row else iso(now),
               "due": iso(card.due), "card": json.dumps(card.to_dict())}
    store.save_review(new_row, {"card_id": cid, "rating": int(rating), "reviewed_at": iso(now),
                                "source": source, "log": json.dumps(log.to_dict())})
    return new_row


def retrievability(card: dict[str, Any], now: datetime) -> float:
    """FSRS's recall probability from a card's JSON, without building a Card (the
    dashboard ranks every due card on each request); equal to
    ``SCHEDULER.get_card_retrievability`` (a test keeps them so)."""
    last, stability = card.get("last_review"), card.get("stability")
    if last is None or stability is None:
        return 0.0
    last_review = datetime.fromisoformat(last)
    elapsed = max(0, (max(now, last_review) - last_review).days)
    factor, decay = SCHEDULER._FACTOR, SCHEDULER._DECAY
    return float((1 + factor * elapsed / stability) ** decay)


def due_cards(store: LearnerRecord, now: datetime | None = None) -> list[Due]:
    """Cards due now, least likely to be remembered first."""
    now = now or store.clock()
    out = [Due(row["id"], row["kind"], row["ref"], row["due"],
               retrievability(json.loads(row["card"]), now))
           for row in store.cards(due_before=iso(now))]
    return sorted(out, key=lambda d: (d.retrievability, d.due))


def due_count(store: LearnerRecord, now: datetime | None = None) -> int:
    return store.count_due(iso(now or store.clock()))


def next_due(store: LearnerRecord, now: datetime | None = None) -> datetime | None:
    """When the next card falls due (None without cards)."""
    rows = store.cards()
    return datetime.fromisoformat(rows[0]["due"]) if rows else None


def fast_threshold(minutes_estimated: float) -> timedelta:
    return timedelta(minutes=minutes_estimated / 3)
