"""The planner over eight simulated weeks (injected clock), and its rules one by one."""

from __future__ import annotations

from pathlib import Path

from deepcareer.app import practice
from deepcareer.curriculum.catalog import Catalog
from deepcareer.grading import sandbox
from deepcareer.grading.report import Report
from deepcareer.mentor import review
from deepcareer.mentor.mastery import mastery
from deepcareer.mentor.planner import plan
from deepcareer.mentor.quiz import load_quizzes
from deepcareer.store.db import Store, open_store
from tests.mentor.test_mastery import Clock

WRONG_SOFTMAX = ("np.max(logits", "np.min(logits")


def _log_pass(store: Store, catalog: Catalog, ex_id: str) -> None:
    """A pass logged without grading (framework exercises would make the test slow)."""
    ex = catalog.get(ex_id)
    store.add_attempt(exercise_id=ex_id, content_version=1, status="pass", findings=[],
                      report={})
    practice._schedule(store, ex, Report(ex_id, "pass", ""), hint_level=0)


def _log_verified_project(store: Store, project_id: str) -> None:
    """A passing run and its matching re-run, logged without training."""
    row = {"project_id": project_id, "seed": 0, "status": "pass", "metric": 0.97, "passed": 1,
           "duration_s": 1.0, "code_sha256": "c", "code": "", "result": {}}
    first = store.add_run(**row)
    store.mark_verified(first, store.add_run(**row, reproduces=first))


def _prerequisites_passed(store: Store, catalog: Catalog, ex_id: str) -> bool:
    passed = {a["exercise_id"] for a in store.attempt_summaries() if a["status"] == "pass"}
    return all(q in passed for q in catalog.get(ex_id).meta.prerequisites
               if q in catalog.exercises)


def test_eight_weeks_of_study(tmp_path: Path, catalog: Catalog) -> None:
    clock = Clock()
    softmax = catalog.get("softmax")
    wrong = softmax.reference_source.replace(*WRONG_SOFTMAX)
    seen_kinds: set[str] = set()
    reteach_seen = False
    with open_store(tmp_path / "h", clock=clock) as store, sandbox.warm():
        start = mastery(store, catalog)
        for _day in range(56):
            for _session in range(3):  # three things a day
                due = review.due_cards(store)
                step = plan(store, catalog)
                seen_kinds.add(step.kind)
                if due:
                    assert step.kind == "review", step  # due reviews always come first
                    assert step.id == due[0].id
                    kind = "quiz" if due[0].kind == "quiz" else due[0].kind
                    review.record(store, kind, due[0].ref, review.Rating.Good, source="review")
                elif step.kind == "exercise":
                    assert step.id is not None
                    assert _prerequisites_passed(store, catalog, step.id), step
                    if step.id == "softmax" and not reteach_seen:
                        report = practice.check_source(store, softmax, wrong)
                        reteach_seen = bool(report.findings[0].reteach)
                    elif step.id == "softmax":
                        practice.check_source(store, softmax, softmax.reference_source)
                    else:
                        _log_pass(store, catalog, step.id)
                elif step.kind == "drill":
                    review.record(store, "drill", step.id or "", review.Rating.Good,
                                  source="review")
                elif step.kind == "quiz":
                    store.add_event(f"quiz:{step.id}", "quiz", {"score": 4, "total": 4})
                elif step.kind == "project":
                    _log_verified_project(store, step.id or "")
            clock.advance(days=1)
        end = mastery(store, catalog)
    assert reteach_seen  # the third min-shift brought the re-teaching note
    assert store_card_exists(tmp_path / "h", "drill:softmax.min-shift")
    assert {"exercise", "review"} <= seen_kinds
    assert sum(m.mastered for m in end.values()) >= 5
    assert end["softmax"].p > start["softmax"].p


def store_card_exists(home: Path, card: str) -> bool:
    with open_store(home) as store:
        return store.card(card) is not None


def test_a_recent_drill_comes_after_its_exercise_is_passed(tmp_path: Path,
                                                            catalog: Catalog) -> None:
    clock = Clock()
    softmax = catalog.get("softmax")
    with open_store(tmp_path / "h", clock=clock) as store:
        for prereq in softmax.meta.prerequisites:
            _log_pass(store, catalog, prereq)
        clock.advance(days=3)
        for card in store.cards():  # clear the prerequisites' reviews, so none is due
            review.record(store, card["kind"], card["ref"], review.Rating.Easy, source="review")
        practice.check_source(store, softmax, softmax.reference_source.replace(*WRONG_SOFTMAX))
        step = plan(store, catalog)
        assert step.kind == "exercise" and step.id == "softmax"  # finish what you started
        practice.check_source(store, softmax, softmax.reference_source)
        step = plan(store, catalog)
        assert step.kind == "drill" and step.id == "softmax.min-shift", step
        assert "blank file" in step.reason


def test_empty_history_and_then_done(tmp_path: Path, catalog: Catalog) -> None:
    with open_store(tmp_path / "h", clock=Clock()) as store:
        step = plan(store, catalog)
        assert step.kind == "exercise" and step.id == next(iter(catalog)).id
        assert "first exercise" in step.reason
        for ex in catalog:
            store.add_attempt(exercise_id=ex.id, content_version=1, status="pass",
                              findings=[], report={})
        for qid in load_quizzes():
            store.add_event(f"quiz:{qid}", "quiz", {"score": 4, "total": 4})
        projects = []
        while (step := plan(store, catalog)).kind == "project":  # ready projects come next
            assert step.id not in projects
            projects.append(step.id)
            _log_verified_project(store, step.id or "")
        assert projects and step.kind == "done"


def test_a_ready_project_is_suggested_then_verified_then_left(tmp_path: Path,
                                                               catalog: Catalog) -> None:
    from deepcareer.projects.spec import load_projects

    with open_store(tmp_path / "h") as store:
        needed = load_projects()["digits-mlp"].spec.skills
        assert plan(store, catalog).kind == "exercise"  # nothing mastered: no project
        states = {sid: {"skill": sid, "p": 0.99 if sid in needed else 0.1, "evidence": 5,
                        "correct": 5} for sid in catalog.skills}
        store.save_skill_states(states, {"key": "x"})
        import deepcareer.mentor.planner as planner

        skills = {sid: planner.SkillMastery(sid, st["p"], 5, 5) for sid, st in states.items()}
        step = planner._ready_project(store, catalog, skills)
        assert step is not None and step.id == "digits-mlp" and step.kind == "project"
        assert "Multilayer perceptrons" in step.reason
        assert step.command == "deepcareer project new digits-mlp"
        row = {"project_id": "digits-mlp", "seed": 0, "status": "pass", "metric": 0.97,
               "passed": 1, "duration_s": 1.0, "code_sha256": "c", "code": "", "result": {}}
        first = store.add_run(**row)
        step = planner._ready_project(store, catalog, skills)
        assert step is not None and step.command == "deepcareer project verify digits-mlp"
        store.mark_verified(first, store.add_run(**row, reproduces=first))
        step = planner._ready_project(store, catalog, skills)
        assert step is None or step.id != "digits-mlp"
