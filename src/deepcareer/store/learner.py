"""What the application and the domain need of one learner's record: the store interface.

The local app keeps a learner's record in one SQLite file (``store/db.py``, ``Store``); the
class server keeps every learner's in PostgreSQL (``store/pg/learner.py``,
``PgLearnerStore``, one instance per learner). Mastery, evidence, readiness, the planner,
reviews, quizzes and the mentor's report are written against :class:`LearnerRecord` only,
so both run the same code on the same history and cannot disagree (a contract test,
``tests/store/test_learner_contract.py``, runs the same checks against both).

What is deliberately *not* here: writing graded attempts (locally ``Store.add_attempt``
after a sandboxed check; on the server only the grader writes a submission's grade, never
a learner), project runs beyond their summaries, the home folder, and raw SQL. Rows are the
typed dicts of ``store/rows.py``; times are UTC ISO 8601 text with microseconds
(``db.iso``), which sorts in time order in both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from deepcareer.store.rows import (
    AttemptRow,
    AttemptSummary,
    CardRow,
    EventRow,
    RecentAttempt,
    ReviewRow,
    RunSummary,
)

__all__ = ["LearnerRecord"]


@runtime_checkable
class LearnerRecord(Protocol):
    """One learner's record: the append-only log (attempts, events, reviews), the review
    cards, settings, and the caches derived from the log (skill states, the tally)."""

    @property
    def clock(self) -> Callable[[], datetime]:
        """Now, as an aware UTC datetime (tests pass a fixed clock)."""
        ...

    # --- the log ------------------------------------------------------------------------

    def add_event(self, exercise_id: str, kind: str, data: dict[str, Any] | None = None
                  ) -> int:
        """Log something the learner did besides a check (start, hint, solution, quiz)."""
        ...

    def attempts(self, exercise_id: str | None = None) -> list[AttemptRow]:
        """Graded attempts oldest first, ``findings`` parsed."""
        ...

    def events(self, exercise_id: str | None = None, kind: str | None = None,
               after_id: int = 0) -> list[EventRow]:
        """Events oldest first (``id`` grows with time), ``data`` parsed."""
        ...

    def attempt_summaries(self, after_id: int = 0) -> list[AttemptSummary]:
        """Attempts without code and report, with ``repeat`` (same code as an earlier one)."""
        ...

    def tally(self) -> dict[str, Any]:
        """Totals of the attempt log: ``exercises``, ``misconceptions`` and ``days``."""
        ...

    def exercise_summary(self) -> dict[str, dict[str, Any]]: ...

    def recent_attempts(self, n: int) -> list[RecentAttempt]: ...

    def change_stamp(self) -> tuple[Any, ...]:
        """Changes whenever anything the learner did could have changed."""
        ...

    def started_ids(self) -> set[str]: ...

    def count_misconception(self, misconception_id: str) -> int: ...

    # --- spaced review ------------------------------------------------------------------

    def card(self, card_id: str) -> CardRow | None: ...

    def cards(self, due_before: str | None = None) -> list[CardRow]:
        """Cards by due time (only those due at ``due_before``, ISO, when given)."""
        ...

    def count_due(self, before: str) -> int: ...

    def save_review(self, card: dict[str, Any], review: dict[str, Any]) -> None:
        """A card's new state and the review that produced it, in one transaction."""
        ...

    def reviews(self, card_id: str | None = None, kind: str | None = None
                ) -> list[ReviewRow]: ...

    # --- project runs (read only) -------------------------------------------------------

    def run_summaries(self) -> list[RunSummary]: ...

    # --- derived caches and settings ----------------------------------------------------

    def skill_states(self) -> dict[str, dict[str, Any]]: ...

    def save_skill_states(self, states: dict[str, dict[str, Any]], cursor: dict[str, Any]
                          ) -> None:
        """Replace the skill states and set ``mastery_cursor``, atomically."""
        ...

    def settings(self) -> dict[str, Any]: ...

    def setting(self, key: str, default: Any = None) -> Any: ...

    def set_setting(self, key: str, value: Any) -> None: ...

    # --- when the learner was active (attempts, events, reviews) ------------------------

    def activity_stamps(self, since: str = "") -> list[str]:
        """Every activity time at or after ``since`` (ISO text), unsorted."""
        ...

    def minutes_active(self, lo: str, hi: str, gap_min: float, start_min: float) -> float:
        """Minutes of study between ``lo`` and ``hi``: consecutive activity at most
        ``gap_min`` apart counts in full, each session start ``start_min``."""
        ...

    def activity_latest_and_count(self) -> tuple[str | None, int]: ...

    def activity_count_since(self, since: str) -> int: ...

    def active_days(self) -> set[date]: ...


if TYPE_CHECKING:  # mypy checks that the local store has every method above
    from deepcareer.store.db import Store

    def _local(store: Store) -> LearnerRecord:
        return store
