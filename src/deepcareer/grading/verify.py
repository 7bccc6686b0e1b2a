"""Dynamic verification of content: the checks must be able to tell ideas apart.

For each exercise: the reference passes through the real sandbox; every
misconception's variant is diagnosed as itself (and as nothing else); every
pair of implementations, reference included, differs on at least one case.
A misconception that no case exposes is a promise the grader cannot keep.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from deepcareer.curriculum.catalog import Exercise
from deepcareer.grading import sandbox
from deepcareer.grading.diagnose import _RAISED, _agree, diagnose, variant_outputs
from deepcareer.grading.grader import build_cases, case_labels, expected_outputs, grade

SEEDS = (0, 1)


def verify_exercise(ex: Exercise, seeds: Sequence[int] = SEEDS, *,
                    frameworks: bool = True) -> list[str]:
    """Problems found, as sentences; empty when the exercise is sound.

    With ``frameworks``, installed frameworks must also agree with the reference
    wherever the exercise has a cross-framework table.
    """
    problems: list[str] = framework_problems(ex, seeds[0]) if frameworks else []
    report = grade(ex, ex.reference_source, seed=seeds[0])
    if report.status != "pass":
        problems.append(f"{ex.id}: the reference does not pass its own checks: {report.message}")
    starter = grade(ex, ex.starter, seed=seeds[0])
    if starter.status != "not_attempted":
        problems.append(f"{ex.id}: the starter grades as {starter.status}, not not_attempted")
    checks = ex.checks
    for seed in seeds:
        # Judged cases (trained models) have no reference output to tell variants apart by.
        cases = [c for c in build_cases(ex, seed) if c.judge is None]
        expected = expected_outputs(ex, cases)
        outputs = {m.id: variant_outputs(m, cases, ex.reference_function)
                   for m in checks.misconceptions}
        impls = {"reference": expected, **outputs}
        ids = list(impls)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                if all(_agree(x, y, c, checks.rtol, checks.atol) or _both_raised(x, y)
                       for x, y, c in zip(impls[a], impls[b], cases, strict=True)):
                    problems.append(f"{ex.id}: {a} and {b} give the same outputs on every "
                                    f"case (seed {seed}); add a case that tells them apart")
        reveals: dict[str, Any] = {}  # shared by the diagnoses below
        for m in checks.misconceptions:
            learner = outputs[m.id]
            # Where the variant raises, a learner's code would raise in the sandbox too and
            # leave no output to compare: the grader diagnoses from the other cases.
            found = diagnose(cases, learner, expected, checks.misconceptions,
                             ex.reference_function, rtol=checks.rtol, atol=checks.atol,
                             available=[out is not _RAISED for out in learner],
                             precomputed=outputs, reveals=reveals)
            top = found[0] if found else None
            if top is None or top.misconception.id != m.id or top.confidence != "diagnosed":
                got = f"{top.misconception.id} ({top.confidence})" if top else "nothing"
                problems.append(f"{ex.id}: the variant for {m.id} is diagnosed as {got} "
                                f"(seed {seed})")
    return sorted(set(problems))


def framework_problems(ex: Exercise, seed: int) -> list[str]:
    """Every installed framework must agree with the reference on the fixed cases."""
    from deepcareer.grading import crosscheck

    if not crosscheck.implementations(ex):
        return []
    cases = build_cases(ex, seed)
    expected = expected_outputs(ex, cases)
    labels = case_labels(cases)
    return [f"{ex.id}: {a.sentence()} (against the reference)"
            for a in crosscheck.agreements(ex, cases, expected, [True] * len(cases), labels)
            if a.status == "disagrees"]


def _both_raised(x: object, y: object) -> bool:
    return x is _RAISED and y is _RAISED


def verify_many(
    exercises: Sequence[Exercise], on_done: Callable[[Exercise], None] | None = None,
    *, frameworks: bool = True,
) -> list[str]:
    """Verify several exercises, overlapping their sandbox runs on the available cores.

    Content modules are imported first, in this thread, so workers only read them.
    Framework comparisons run in this thread while the workers grade: frameworks
    such as TensorFlow cannot be imported from several threads at once.
    """
    for ex in exercises:
        ex.checks  # noqa: B018  (import checks.py and solution.py before going parallel)
        ex.reference  # noqa: B018
    problems: list[str] = []
    workers = max(2, min(8, (os.cpu_count() or 2) * 2))
    with sandbox.warm(), ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(verify_exercise, ex, frameworks=False) for ex in exercises]
        if frameworks:
            for ex in exercises:
                problems += framework_problems(ex, SEEDS[0])
        for ex, future in zip(exercises, futures, strict=True):
            problems += future.result()
            if on_done is not None:
                on_done(ex)
    return problems
