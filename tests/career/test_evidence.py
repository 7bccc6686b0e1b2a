"""Issue 14: one evidence model, so quizzes, references, imports and resubmissions cannot
make a learner look verified, mastered or ready."""

from __future__ import annotations

from pathlib import Path

from deepcareer.app import practice
from deepcareer.career.evidence import (
    UNISOLATED,
    VALUES,
    attempt_level,
    skill_evidence,
)
from deepcareer.career.readiness import readiness
from deepcareer.career.roles import load_roles
from deepcareer.curriculum.catalog import Catalog
from deepcareer.mentor.insights import strengths_and_weaknesses
from deepcareer.mentor.mastery import MASTERED, UNVERIFIED_CAP, mastery
from deepcareer.mentor.quiz import get_quiz, questions_for, record_quiz
from deepcareer.store.db import Store, open_store
from deepcareer.store.exchange import export_file, import_file
from tests.mentor.test_mastery import Clock


def _perfect_quiz(store: Store, quiz_id: str, seed: int) -> None:
    from deepcareer.mentor.quiz import Choice, judge

    quiz = get_quiz(quiz_id)
    asked = questions_for(quiz, seed)
    verdicts = [judge(a, chr(97 + int(a.answer)) if isinstance(a.question, Choice)
                      else repr(float(a.answer))) for a in asked]
    assert all(v.correct for v in verdicts)
    record_quiz(store, quiz, seed, verdicts)


def _passed(store: Store, catalog: Catalog) -> set[str]:
    from deepcareer.mentor.progress import exercise_progress

    return {p.id for p in exercise_progress(store, catalog) if p.state == "passed"}


def test_quizzes_alone_any_number_of_times_verify_nothing(tmp_path: Path,
                                                          catalog: Catalog) -> None:
    with open_store(tmp_path / "h", clock=Clock()) as store:
        for seed in range(12):  # every quiz, perfectly, twelve times
            for quiz_id in ("training-data", "classic-ml", "neuroscience"):
                _perfect_quiz(store, quiz_id, seed)
        evidence = skill_evidence(store, catalog)
        skills = mastery(store, catalog)
        insights = strengths_and_weaknesses(store, catalog, skills)
        passed = _passed(store, catalog)
    assert not any(e.level == "verified" for e in evidence.values())
    assert evidence["data-splits"].level == "practised"
    assert any("quiz training-data" in s for s in evidence["data-splits"].sources)
    assert not any(m.mastered for m in skills.values())
    assert max(m.p for m in skills.values()) <= UNVERIFIED_CAP < MASTERED
    for role in load_roles().values():
        r = readiness(role, evidence, catalog, passed)
        assert r.score <= VALUES["practised"] and not r.ready, role.id
        assert "40 %" in r.counting
    assert insights["strengths"] == []  # quiz answers are practice, not a strength to show


def test_a_correct_pass_inside_the_sandbox_is_verified(store: Store, catalog: Catalog) -> None:
    ex = catalog.get("softmax")
    report = practice.check_source(store, ex, ex.reference_source + "\n# my own words\n")
    assert report.status == "pass"
    evidence = skill_evidence(store, catalog)["softmax"]
    assert evidence.level == "verified"
    assert "exercise softmax passed, verified by automated tests" in evidence.sources[0]
    assert (UNISOLATED in evidence.sources[0]) == (report.isolation != "os")
    assert mastery(store, catalog)["softmax"].verified


def test_our_solution_pasted_and_a_pass_after_viewing_it_are_not_verified(
        store: Store, catalog: Catalog) -> None:
    ex = catalog.get("softmax")
    assert practice.check_source(store, ex, ex.reference_source).status == "pass"
    assert skill_evidence(store, catalog)["softmax"].level == "none"
    store.add_event("softmax", "solution", {"forced": True})
    assert practice.check_source(store, ex, ex.reference_source + "\n# typed\n").status == \
        "pass"
    ev = skill_evidence(store, catalog)["softmax"]
    assert ev.level == "practised"
    assert any("passed after viewing the solution" in s for s in ev.sources)
    assert any("not counted: the code is our solution" in s for s in ev.sources)


def test_an_imported_pass_is_not_verified(tmp_path: Path, catalog: Catalog) -> None:
    with open_store(tmp_path / "a") as s:
        s.add_attempt(exercise_id="softmax", content_version=1, status="pass",
                      isolation="os", code_sha256="ab" * 32)
        assert skill_evidence(s, catalog)["softmax"].level == "verified"
        export_file(s, tmp_path / "out.json")
    with open_store(tmp_path / "b") as s:
        import_file(s, tmp_path / "out.json")
        ev = skill_evidence(s, catalog)["softmax"]
        skills = mastery(s, catalog)
    assert ev.level == "none"
    assert any("imported from another home" in line for line in ev.sources)
    assert not skills["softmax"].verified and skills["softmax"].evidence == 0


def test_repeated_identical_code_is_one_piece_of_evidence(store: Store,
                                                          catalog: Catalog) -> None:
    for _ in range(3):
        store.add_attempt(exercise_id="softmax", content_version=1, status="fail",
                          code_sha256="cd" * 32)
        mastery(store, catalog)  # the cached estimate reads only the new row each time
    rows = store.attempt_summaries()
    assert [r["repeat"] for r in rows] == [0, 1, 1]
    assert [r["repeat"] for r in store.attempt_summaries(rows[0]["id"])] == [1, 1]
    assert mastery(store, catalog)["softmax"].evidence == 1
    assert mastery(store, catalog, cached=False)["softmax"].evidence == 1
    ev = skill_evidence(store, catalog)["softmax"]
    assert any("not counted: the same code as an earlier attempt (attempts #2, #3)" in s
               for s in ev.sources)


def test_failing_never_raises_mastery(store: Store, catalog: Catalog) -> None:
    # The testers saw softmax go 15 % -> 26 % after a failed check (BKT's learning step).
    before = mastery(store, catalog)["softmax"].p
    for i in range(3):
        store.add_attempt(exercise_id="softmax", content_version=1, status="fail",
                          code_sha256=f"{i:064x}")
        after = mastery(store, catalog)["softmax"].p
        assert after <= before
        before = after


def test_levels_of_single_attempts() -> None:
    row = {"status": "pass", "hint_level": 0, "origin": "learner", "repeat": 0}
    assert attempt_level(row, solution_seen=False, last_hint=3)[0] == "verified"
    assert attempt_level({**row, "hint_level": 3}, solution_seen=False,
                         last_hint=3)[0] == "practised"
    assert attempt_level({**row, "origin": "reference"}, solution_seen=False,
                         last_hint=3)[0] == "none"
    assert attempt_level({**row, "status": "not_attempted"}, solution_seen=False,
                         last_hint=3)[0] == "none"
    assert attempt_level({**row, "status": "fail"}, solution_seen=False,
                         last_hint=3)[0] == "practised"
