"""Bayesian knowledge tracing: the update rule by hand, and mastery from a simulated log."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deepcareer.curriculum.catalog import Catalog
from deepcareer.curriculum.schema import BKTParams
from deepcareer.mentor.mastery import MASTERED, bkt_update, evidence, mastery
from deepcareer.store.db import open_store


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def test_update_matches_bayes_rule_by_hand() -> None:
    params = BKTParams(prior=0.3, learn=0.1, guess=0.2, slip=0.1)
    # correct: P(L|right) = 0.3*0.9 / (0.3*0.9 + 0.7*0.2) = 0.27 / 0.41
    posterior = 0.27 / 0.41
    assert bkt_update(0.3, True, params) == pytest.approx(posterior + (1 - posterior) * 0.1)
    # wrong: P(L|wrong) = 0.3*0.1 / (0.3*0.1 + 0.7*0.8) = 0.03 / 0.59
    posterior = 0.03 / 0.59
    assert bkt_update(0.3, False, params) == pytest.approx(posterior + (1 - posterior) * 0.1)


def test_update_stays_a_probability_and_moves_the_right_way() -> None:
    params = BKTParams()
    for p in (0.0, 0.01, 0.5, 0.99, 1.0):
        up, down = bkt_update(p, True, params), bkt_update(p, False, params)
        assert 0.0 <= down <= up <= 1.0
    assert bkt_update(0.5, True, params) > 0.5 > bkt_update(0.5, False, params)


def _attempt(store, ex_id: str, status: str, *, hints: int = 0, findings=()) -> None:
    store.add_attempt(exercise_id=ex_id, content_version=1, status=status,
                      findings=list(findings), hint_level=hints, report={})


def test_first_try_passes_master_a_skill_and_help_does_not(tmp_path: Path,
                                                           catalog: Catalog) -> None:
    clock = Clock()
    with open_store(tmp_path / "a", clock=clock) as store:
        assert mastery(store, catalog)["softmax"].evidence == 0  # empty history: the prior
        for ex in catalog:
            if "softmax" in ex.meta.skills:
                _attempt(store, ex.id, "pass")
                clock.advance(days=1)
        learned = mastery(store, catalog)["softmax"]
    assert learned.p > catalog.skills["softmax"].bkt.prior
    with open_store(tmp_path / "b", clock=clock) as store:
        for ex in catalog:
            if "softmax" in ex.meta.skills:
                store.add_event(ex.id, "solution", {"forced": True})
                clock.advance(minutes=1)
                _attempt(store, ex.id, "pass")
        helped = mastery(store, catalog)["softmax"]
    assert helped.p < learned.p
    assert helped.correct == 0


def test_repeated_first_try_passes_reach_mastery(tmp_path: Path, catalog: Catalog) -> None:
    clock = Clock()
    with open_store(tmp_path / "h", clock=clock) as store:
        for _week in range(8):
            for ex in catalog:
                if "relu" in ex.meta.skills:
                    _attempt(store, ex.id, "pass")
                    clock.advance(hours=6)
        result = mastery(store, catalog)["relu"]
    assert result.p >= MASTERED and result.mastered


def test_diagnosed_failures_lower_mastery_and_errors_are_not_evidence(
    tmp_path: Path, catalog: Catalog
) -> None:
    with open_store(tmp_path / "h", clock=Clock()) as store:
        _attempt(store, "softmax", "pass")
        before = mastery(store, catalog)["softmax"].p
        _attempt(store, "softmax", "error")
        _attempt(store, "softmax", "timeout")
        assert mastery(store, catalog)["softmax"].p == before
        _attempt(store, "softmax", "fail", findings=[{"misconception": "softmax.min-shift"}])
        found = evidence(store, catalog)
        assert found[-1].why == "diagnosed misconception" and not found[-1].correct
        assert mastery(store, catalog)["softmax"].p < before


def test_a_pass_after_the_last_hint_is_needed_help(tmp_path: Path, catalog: Catalog) -> None:
    last = len(catalog.get("softmax").meta.hints)
    with open_store(tmp_path / "h", clock=Clock()) as store:
        _attempt(store, "softmax", "pass", hints=last - 1)
        _attempt(store, "softmax", "pass", hints=last)
        before_last, after_last = evidence(store, catalog)
    assert before_last.correct and before_last.verified
    assert not after_last.correct and after_last.why == "passed after the last hint"


def test_quiz_answers_are_evidence_for_the_quiz_skills(tmp_path: Path,
                                                        catalog: Catalog) -> None:
    from deepcareer.mentor.quiz import load_quizzes

    quiz = next(iter(load_quizzes().values()))
    with open_store(tmp_path / "h", clock=Clock()) as store:
        store.add_event(f"quiz:{quiz.id}", "quiz", {"score": 3, "total": 4})
        found = evidence(store, catalog)
        skills = mastery(store, catalog)
    assert [e.correct for e in found].count(True) == 3 and len(found) == 4
    for sid in quiz.skills:
        assert skills[sid].evidence == 4 and skills[sid].correct == 3


def test_renamed_exercises_keep_their_evidence(tmp_path: Path, catalog: Catalog) -> None:
    # Content renamed "softmax" from "softmax-old": attempts logged under the old id count.
    root = tmp_path / "content"
    dst = root / "exercises" / "fundamentals" / "softmax"
    shutil.copytree(catalog.get("softmax").folder, dst)
    shutil.copy(catalog.root / "skills.yml", root / "skills.yml")
    toml = dst / "exercise.toml"
    text = toml.read_text().replace('prerequisites = ["activations"]', "prerequisites = []")
    toml.write_text(text.replace('id = "softmax"', 'id = "softmax"\naliases = ["softmax-old"]'))
    renamed = Catalog(root)
    with open_store(tmp_path / "h", clock=Clock()) as store:
        _attempt(store, "softmax-old", "pass")
        (ev,) = evidence(store, renamed)
        assert mastery(store, renamed)["softmax"].correct == 1
    assert ev.source == "softmax"


def test_an_exercise_that_no_longer_exists_is_ignored(tmp_path: Path, catalog: Catalog) -> None:
    with open_store(tmp_path / "h", clock=Clock()) as store:
        _attempt(store, "an-exercise-removed-long-ago", "pass")
        assert evidence(store, catalog) == []


def test_the_cached_estimate_equals_a_full_replay(tmp_path: Path, catalog: Catalog) -> None:
    clock = Clock()
    ids = [ex.id for ex in catalog][:6]
    with open_store(tmp_path / "h", clock=clock) as store:
        for round_ in range(4):
            for i, ex_id in enumerate(ids):
                status = "pass" if (i + round_) % 3 else "fail"
                _attempt(store, ex_id, status, hints=round_ % 3)
                if i == round_:
                    store.add_event(ex_id, "solution", {"forced": False})
                clock.advance(hours=3)
            cached = mastery(store, catalog)  # replays only what is new since the last call
            full = mastery(store, catalog, cached=False)
            assert {k: round(v.p, 12) for k, v in cached.items()} == \
                   {k: round(v.p, 12) for k, v in full.items()}
            assert {k: v.evidence for k, v in cached.items()} == \
                   {k: v.evidence for k, v in full.items()}
        assert store.settings()["mastery_cursor"]["attempt"] == len(ids) * 4
