"""Spaced review: ratings from outcomes, FSRS scheduling, cards from checks and quizzes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from deepcareer.app import practice
from deepcareer.curriculum.catalog import Catalog
from deepcareer.mentor import review
from deepcareer.mentor.review import Rating, due_cards, rating_for, record
from deepcareer.store.db import open_store
from tests.mentor.test_mastery import Clock


def test_ratings_follow_the_outcome() -> None:
    assert rating_for(passed=False) == Rating.Again
    assert rating_for(passed=True, diagnosed=True) == Rating.Again
    assert rating_for(passed=True, solution_viewed=True) == Rating.Again
    assert rating_for(passed=True, hints=1) == Rating.Hard
    assert rating_for(passed=True, retries=2) == Rating.Hard
    assert rating_for(passed=True, minutes_taken=20, minutes_estimated=30) == Rating.Good
    assert rating_for(passed=True, minutes_taken=5, minutes_estimated=30) == Rating.Easy


def test_a_card_is_scheduled_further_out_after_each_good_review(tmp_path: Path) -> None:
    clock = Clock()
    with open_store(tmp_path / "h", clock=clock) as store:
        gaps = []
        for _ in range(4):
            row = record(store, "exercise", "softmax", Rating.Good, source="review")
            due = datetime.fromisoformat(row["due"])
            gaps.append(due - clock.now)
            clock.now = due
        assert all(b > a for a, b in itertools.pairwise(gaps))
        assert [r["rating"] for r in store.reviews("exercise:softmax")] == [3, 3, 3, 3]
        assert due.tzinfo is not None  # UTC-aware all the way


def test_due_cards_come_least_retrievable_first(tmp_path: Path) -> None:
    clock = Clock()
    with open_store(tmp_path / "h", clock=clock) as store:
        record(store, "exercise", "softmax", Rating.Easy, source="check")  # due in ~8 days
        record(store, "exercise", "mse", Rating.Hard, source="check")  # due tomorrow
        assert due_cards(store) == []
        clock.advance(days=30)
        due = due_cards(store)
        assert [d.ref for d in due] == ["mse", "softmax"]
        assert due[0].retrievability < due[1].retrievability


def test_a_clock_that_goes_backwards_never_gives_a_negative_interval(tmp_path: Path) -> None:
    clock = Clock()
    with open_store(tmp_path / "h", clock=clock) as store:
        record(store, "exercise", "softmax", Rating.Good, source="review")
        clock.advance(days=-10)  # someone fixed the laptop's date
        row = record(store, "exercise", "softmax", Rating.Good, source="review")
        (first, second) = store.reviews("exercise:softmax")
        assert second["reviewed_at"] >= first["reviewed_at"]
        assert row["due"] > second["reviewed_at"]
        assert due_cards(store) == []  # and nothing crashes while listing


def test_checks_create_the_exercise_card_and_drills(tmp_path: Path, catalog: Catalog) -> None:
    ex = catalog.get("softmax")
    wrong = ex.reference_source.replace("np.max(logits", "np.min(logits")
    with open_store(tmp_path / "h", clock=Clock()) as store:
        practice.start(store, "softmax", catalog)
        first = practice.check_source(store, ex, wrong)
        assert first.findings and first.findings[0].misconception == "softmax.min-shift"
        assert store.card("drill:softmax.min-shift") is not None
        assert store.card("exercise:softmax") is None  # not passed yet
        practice.check_source(store, ex, ex.reference_source)
        (rev,) = store.reviews("exercise:softmax")
        assert rev["rating"] == int(Rating.Hard)  # passed after a retry
        practice.check_source(store, ex, ex.reference_source)  # re-checking rates nothing more
        assert len(store.reviews("exercise:softmax")) == 1


def test_a_recurring_misconception_escalates_to_reteaching(tmp_path: Path,
                                                           catalog: Catalog) -> None:
    ex = catalog.get("softmax")
    wrong = ex.reference_source.replace("np.max(logits", "np.min(logits")
    with open_store(tmp_path / "h", clock=Clock()) as store:
        reports = [practice.check_source(store, ex, wrong) for _ in range(3)]
    assert [bool(r.findings[0].reteach) for r in reports] == [False, False, True]
    note = reports[2].findings[0].reteach
    assert "3rd time" in note and "deepcareer review" in note
    assert reports[2].to_dict()["findings"][0]["reteach"] == note


def test_first_try_fast_pass_is_easy(tmp_path: Path, catalog: Catalog) -> None:
    ex = catalog.get("softmax")
    clock = Clock()
    with open_store(tmp_path / "h", clock=clock) as store:
        practice.start(store, "softmax", catalog)
        clock.advance(minutes=2)
        practice.check_source(store, ex, ex.reference_source)
        (rev,) = store.reviews("exercise:softmax")
    assert rev["rating"] == int(Rating.Easy)
    assert review.card_id("quiz", "neuroscience:2") == "quiz:neuroscience:2"


def test_utc_times_survive_the_round_trip(tmp_path: Path) -> None:
    clock = Clock()
    clock.now = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # a DST night in Europe: irrelevant
    with open_store(tmp_path / "h", clock=clock) as store:
        row = record(store, "drill", "softmax.min-shift", Rating.Again, source="check")
    assert datetime.fromisoformat(row["due"]) - clock.now == timedelta(days=1)


def test_retrievability_from_json_equals_fsrs() -> None:
    """Our shortcut against the library's own computation (the oracle)."""
    import json
    import random
    from datetime import UTC, datetime, timedelta

    from fsrs import Card, Rating

    from deepcareer.mentor.review import SCHEDULER, retrievability

    rng = random.Random(3)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(200):
        card, t = Card(due=start), start
        for _ in range(rng.randint(1, 6)):
            t += timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 23))
            card, _log = SCHEDULER.review_card(card, rng.choice(list(Rating)), t)
        at = t + timedelta(days=rng.randint(0, 200), minutes=rng.randint(0, 1000))
        data = json.loads(json.dumps(card.to_dict()))
        assert retrievability(data, at) == SCHEDULER.get_card_retrievability(card, at)
    assert retrievability(Card(due=start).to_dict(), start) == 0.0
