"""The practice loop as library calls: start, check, hint, solution.

The CLI, the web app and the notebook API all call these, so a check done in
one shows up in the others. Every call that teaches something leaves a row in
the append-only log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepcareer.atomic import write_text_atomic
from deepcareer.curriculum.catalog import Catalog, Exercise, default_catalog
from deepcareer.errors import UsageError
from deepcareer.grading.report import Report
from deepcareer.home import exercise_file
from deepcareer.limits import check_code, read_code_file
from deepcareer.store.db import Store
from deepcareer.store.learner import LearnerRecord

SOLUTION_AFTER_FAILURES = 3
FAILED = ("fail", "error", "timeout")
RETEACH_AFTER = 3  # the same misconception this many times: the message re-teaches


@dataclass(frozen=True)
class Started:
    exercise: Exercise
    path: Path
    created: bool  # False when the learner's file already existed (it is never overwritten)


def start(store: Store, exercise_id: str, catalog: Catalog | None = None) -> Started:
    """Create the learner's starter file (once) and log the start."""
    ex = (catalog or default_catalog()).get(exercise_id)
    path = exercise_file(store.home, ex.id)
    created = not path.exists()
    if created:
        path.parent.mkdir(parents=True, exist_ok=True)
        created = write_text_atomic(path, ex.starter, overwrite=False)  # 2 starts: 1 creates
    store.add_event(ex.id, "start", {"created": created})
    return Started(ex, path, created)


def read_source(path: Path) -> str:
    """The learner's file, refused with a sentence when it is missing, not UTF-8 or over
    ``MAX_CODE_BYTES`` (a huge file is not read whole)."""
    return read_code_file(path)


def source_for(store: Store, ex: Exercise, file: Path | None) -> tuple[str, Path]:
    path = file if file is not None else exercise_file(store.home, ex.id)
    if file is None and not path.exists():
        raise UsageError(f"You have not started {ex.id} yet. Run `deepcareer start {ex.id}` "
                         f"to create {path}, or pass --file PATH.")
    return read_source(path), path


def keep_ready(ex: Exercise) -> None:
    """In a long-lived grader (inside ``sandbox.warm()``), have a sandboxed child with this
    exercise's framework already imported waiting for its next check, so a PyTorch or
    TensorFlow check does not start by importing the framework. Nothing for NumPy tracks
    (their children are always kept ready) or a framework that is not installed."""
    from deepcareer.curriculum.tracks import TRACKS
    from deepcareer.grading import sandbox

    track = TRACKS[ex.meta.track]
    if track.preload and track.available():
        sandbox.prepare(track.limits, track.preload)


def check_source(store: Store, ex: Exercise, source: str, filename: str | None = None,
                 *, schedule: bool = True) -> Report:
    """Grade ``source`` for ``ex`` and append the attempt to the log.

    With ``schedule`` (every check except those a review session rates itself), a
    first pass creates the exercise's review card and a diagnosed misconception
    (re)schedules its drill. A misconception seen ``RETEACH_AFTER`` times or more
    comes with a short re-teaching note.
    """
    from deepcareer.grading.grader import grade

    check_code(source)  # too large or not Unicode: refused before grading or storing
    hint_level = hint_level_now(store, ex.id)
    report = grade(ex, source, forbidden=[str(store.home)], filename=filename,
                   frameworks_cache=store.home / "cache")
    _escalate(store, ex, report)
    if schedule:
        _schedule(store, ex, report, hint_level)
    data = report.to_dict()
    store.add_attempt(
        exercise_id=ex.id,
        content_version=ex.meta.version,
        status=report.status,
        message=report.message,
        findings=data["findings"],
        hint_level=hint_level,
        duration_s=report.duration_s,
        code_sha256=hashlib.sha256(source.encode()).hexdigest(),
        code=source,
        report=data,
        isolation=report.isolation or "guard",
    )
    return report


def _escalate(store: LearnerRecord, ex: Exercise, report: Report) -> None:
    """Turn a recurring misconception's finding into a re-teaching note."""
    if not report.findings or report.findings[0].confidence != "diagnosed":
        return
    finding = report.findings[0]
    seen = store.count_misconception(finding.misconception) + 1  # this check included
    if seen < RETEACH_AFTER:
        return
    m = next((m for m in ex.checks.misconceptions if m.id == finding.misconception), None)
    if m is None:
        return
    lesson = m.reteach or f"{m.explanation} The step that fixes it: {m.hints[-1]}"
    finding.reteach = (f"This is the {_ordinal(seen)} time this mistake has shown up. "
                       f"{lesson} A drill for it is now in your reviews "
                       "(`deepcareer review`).")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _schedule(store: LearnerRecord, ex: Exercise, report: Report, hint_level: int) -> None:
    """After a check (before its attempt is logged): a diagnosed misconception (re)schedules
    its drill; a first pass creates the exercise's review card, rated by how it went. The
    class server calls it too, for each graded submission (``app/classwork.py``)."""
    from deepcareer.mentor import review

    diagnosed = [f for f in report.findings if f.confidence == "diagnosed"]
    if diagnosed:
        review.record(store, "drill", diagnosed[0].misconception, review.Rating.Again,
                      source="check")
    if report.status != "pass" or store.card(review.card_id("exercise", ex.id)) is not None:
        return
    attempts = store.attempts(ex.id)
    retries = sum(a["status"] in ("fail", "error", "timeout") for a in attempts)
    starts = store.events(ex.id, "start")
    taken = None
    if starts:
        from datetime import datetime

        began = datetime.fromisoformat(starts[0]["created_at"])
        taken = max((store.clock() - began).total_seconds() / 60, 0.0)
    rating = review.rating_for(passed=True, solution_viewed=bool(store.events(ex.id, "solution")),
                               hints=hint_level, retries=retries, minutes_taken=taken,
                               minutes_estimated=ex.meta.minutes)
    review.record(store, "exercise", ex.id, rating, source="check")


schedule_after_check = _schedule  # the name the class server calls


def check(store: Store, exercise_id: str, file: Path | None = None,
          catalog: Catalog | None = None) -> Report:
    ex = (catalog or default_catalog()).get(exercise_id)
    source, path = source_for(store, ex, file)
    return check_source(store, ex, source, filename=path.name)


def hint_level_now(store: LearnerRecord, exercise_id: str) -> int:
    return len(store.events(exercise_id, "hint"))


@dataclass(frozen=True)
class Hint:
    level: int  # 1-based step on the ladder
    steps: int  # length of the ladder
    text: str
    about: str  # the misconception title, or "" for the exercise's general ladder


def next_hint(store: LearnerRecord, exercise_id: str, catalog: Catalog | None = None) -> Hint:
    """Climb one step of the hint ladder that fits the learner's latest mistake.

    When the last attempt was diagnosed, the ladder is that misconception's;
    otherwise the exercise's own. The top step repeats once reached.
    """
    ex = (catalog or default_catalog()).get(exercise_id)
    attempts = store.attempts(ex.id)
    ladder, about, key = list(ex.meta.hints), "", ""
    if attempts and attempts[-1]["findings"]:
        mid = attempts[-1]["findings"][0]["misconception"]
        for m in ex.checks.misconceptions:
            if m.id == mid:
                ladder, about, key = list(m.hints), m.title, m.id
    elif attempts:
        shape = _named_shape(attempts[-1]["report"])
        if shape is not None:  # no catalogued mistake, but its shape was named: start there
            name, hint = shape
            ladder, about, key = [hint, *ex.meta.hints], name, name
    seen = [e for e in store.events(ex.id, "hint") if e["data"].get("ladder", "") == key]
    level = min(len(seen) + 1, len(ladder))
    store.add_event(ex.id, "hint", {"ladder": key, "level": level})
    return Hint(level, len(ladder), ladder[level - 1], about)


def _named_shape(report_json: str) -> tuple[str, str] | None:
    """(check name, hint) of the first generic shape a stored report named, if any."""
    import json

    try:
        checks = json.loads(report_json or "{}").get("checks", [])
    except (ValueError, AttributeError):
        return None
    for c in checks:
        name, message = str(c.get("name", "")), str(c.get("message", ""))
        if name.startswith("shape of the mistake") and "Hint: " in message:
            return name, message.split("Hint: ", 1)[1]
    return None


@dataclass(frozen=True)
class SolutionAccess:
    unlocked: bool
    failures: int  # honest failed attempts: ran, failed, and each with different code
    source: str  # empty when locked
    repeats: int = 0  # failed attempts not counted: the same code as a counted one

    @property
    def why(self) -> str:
        """Why it is still locked, in one sentence (empty once unlocked)."""
        if self.unlocked:
            return ""
        skipped = (f" ({self.repeats} resubmission{'s' if self.repeats != 1 else ''} of "
                   "earlier code not counted)") if self.repeats else ""
        return (f"The solution opens after {SOLUTION_AFTER_FAILURES} failed attempts with "
                f"different code, or a pass: {self.failures} of {SOLUTION_AFTER_FAILURES} "
                f"different attempts so far{skipped}; identical resubmissions and the "
                "untouched starter do not count.")


def honest_failures(attempts: Sequence[Mapping[str, Any]], starter: str
                    ) -> tuple[int, int]:
    """(counted, repeats): failed attempts that ran (fail, error or timeout; never
    not_attempted), the learner's own, each with code different from the starter and from
    every earlier counted one. Submitting the same stub three times is one attempt, not
    three: the solution is earned by trying, not by pressing a key."""
    seen = {hashlib.sha256(starter.encode()).hexdigest()}
    counted = repeats = 0
    for a in attempts:
        if a["status"] not in FAILED or a.get("origin", "learner") != "learner":
            continue
        sha = a.get("code_sha256") or ""
        if sha and sha in seen:
            repeats += 1
            continue
        seen.add(sha)
        counted += 1
    return counted, repeats


def solution(store: LearnerRecord, exercise_id: str, *, force: bool = False,
             catalog: Catalog | None = None) -> SolutionAccess:
    """The reference, once earned: three honest failed attempts (different code each
    time, see :func:`honest_failures`), a pass, or --force.

    Viewing it is logged (with ``forced``), because it changes what a later
    pass proves about the learner.
    """
    ex = (catalog or default_catalog()).get(exercise_id)
    attempts = store.attempts(ex.id)
    failures, repeats = honest_failures(attempts, ex.starter)
    passed = any(a["status"] == "pass" for a in attempts)
    if not (force or passed or failures >= SOLUTION_AFTER_FAILURES):
        return SolutionAccess(False, failures, "", repeats)
    store.add_event(ex.id, "solution", {"forced": force and not passed
                                        and failures < SOLUTION_AFTER_FAILURES})
    return SolutionAccess(True, failures, ex.reference_source, repeats)


def check_and_save(store: Store, ex: Exercise, code: str) -> Report:
    """The editor's check: save the code to the learner's workspace file (so the terminal
    sees the same code; the file is created if needed) and grade it. Code that is too
    large or not Unicode text is refused before anything is written."""
    check_code(code)
    path = exercise_file(store.home, ex.id)
    if not path.exists():
        start(store, ex.id)
    write_text_atomic(path, code)  # a unique temp name: concurrent checks cannot collide
    return check_source(store, ex, code, filename=path.name)


@dataclass(frozen=True)
class ExercisePage:
    """What an exercise page shows besides the task: the learner's code, their real
    attempts so far, whether they have passed, and the mastery of its skills."""

    exercise: Exercise
    code: str
    attempts: int
    passed: bool
    mastery: list[tuple[str, float]]  # (skill title, P(known))


def exercise_page(store: Store, catalog: Catalog, ex: Exercise,
                  code: str | None = None) -> ExercisePage:
    from deepcareer.mentor.mastery import mastery

    path = exercise_file(store.home, ex.id)
    if code is None:
        code = path.read_text(encoding="utf-8") if path.exists() else ex.starter
    summary = store.exercise_summary().get(ex.id, {})
    skills = mastery(store, catalog)
    return ExercisePage(ex, code, int(summary.get("real", 0)),
                        bool(summary.get("passed", 0)),
                        [(catalog.skills[s].title, skills[s].p) for s in ex.meta.skills
                         if s in skills])


def warm() -> Any:
    """A context in which checks take sandboxed children started ahead of time (the web
    app's lifetime, ``check --watch``): the learner does not wait for a start-up."""
    from deepcareer.grading import sandbox

    return sandbox.warm()


def first_check_note(ex: Exercise, home: Path) -> str | None:
    """Why the first check of a cross-framework exercise takes a few seconds, or None."""
    from deepcareer.grading import crosscheck

    slow = crosscheck.needs_computing(ex, home / "cache")
    if not slow:
        return None
    return (f"First check of {ex.id}: computing {' and '.join(slow)}'s outputs to compare "
            "with yours (a few seconds, once).")


def isolation_note() -> str:
    """The one line shown when checks run behind the in-process guard only."""
    from deepcareer.grading import isolation

    return isolation.weaker_note()
