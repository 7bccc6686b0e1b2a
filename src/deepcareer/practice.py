"""The practice loop as library calls: start, check, hint, solution.

The CLI, the web app and the notebook API all call these, so a check done in
one shows up in the others. Every call that teaches something leaves a row in
the append-only log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from deepcareer.curriculum.catalog import Catalog, Exercise, default_catalog
from deepcareer.errors import UsageError
from deepcareer.grading.report import Report
from deepcareer.home import exercise_file
from deepcareer.store.db import Store

SOLUTION_AFTER_FAILURES = 3
FAILED = ("fail", "error", "timeout")


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
        tmp = path.with_suffix(".py.tmp")
        tmp.write_text(ex.starter, encoding="utf-8")
        tmp.replace(path)
    store.add_event(ex.id, "start", {"created": created})
    return Started(ex, path, created)


def read_source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UsageError(f"There is no file at {path}.") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text; save it as UTF-8 and check again.") from exc
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror}.") from exc


def source_for(store: Store, ex: Exercise, file: Path | None) -> tuple[str, Path]:
    path = file if file is not None else exercise_file(store.home, ex.id)
    if file is None and not path.exists():
        raise UsageError(f"You have not started {ex.id} yet. Run `deepcareer start {ex.id}` "
                         f"to create {path}, or pass --file PATH.")
    return read_source(path), path


def check_source(store: Store, ex: Exercise, source: str, filename: str | None = None) -> Report:
    """Grade ``source`` for ``ex`` and append the attempt to the log."""
    from deepcareer.grading.grader import grade

    hint_level = hint_level_now(store, ex.id)
    report = grade(ex, source, forbidden=[str(store.home)], filename=filename,
                   frameworks_cache=store.home / "cache")
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
    )
    return report


def check(store: Store, exercise_id: str, file: Path | None = None,
          catalog: Catalog | None = None) -> Report:
    ex = (catalog or default_catalog()).get(exercise_id)
    source, path = source_for(store, ex, file)
    return check_source(store, ex, source, filename=path.name)


def hint_level_now(store: Store, exercise_id: str) -> int:
    return len(store.events(exercise_id, "hint"))


@dataclass(frozen=True)
class Hint:
    level: int  # 1-based step on the ladder
    steps: int  # length of the ladder
    text: str
    about: str  # the misconception title, or "" for the exercise's general ladder


def next_hint(store: Store, exercise_id: str, catalog: Catalog | None = None) -> Hint:
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
    seen = [e for e in store.events(ex.id, "hint") if e["data"].get("ladder", "") == key]
    level = min(len(seen) + 1, len(ladder))
    store.add_event(ex.id, "hint", {"ladder": key, "level": level})
    return Hint(level, len(ladder), ladder[level - 1], about)


@dataclass(frozen=True)
class SolutionAccess:
    unlocked: bool
    failures: int
    source: str  # empty when locked


def solution(store: Store, exercise_id: str, *, force: bool = False,
             catalog: Catalog | None = None) -> SolutionAccess:
    """The reference, once earned: three honest failed attempts, a pass, or --force.

    Viewing it is logged (with ``forced``), because it changes what a later
    pass proves about the learner.
    """
    ex = (catalog or default_catalog()).get(exercise_id)
    attempts = store.attempts(ex.id)
    failures = sum(a["status"] in FAILED for a in attempts)
    passed = any(a["status"] == "pass" for a in attempts)
    if not (force or passed or failures >= SOLUTION_AFTER_FAILURES):
        return SolutionAccess(False, failures, "")
    store.add_event(ex.id, "solution", {"forced": force and not passed
                                        and failures < SOLUTION_AFTER_FAILURES})
    return SolutionAccess(True, failures, ex.reference_source)
