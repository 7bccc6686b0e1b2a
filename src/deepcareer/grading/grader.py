"""Grade learner source for an exercise: sandbox, compare, diagnose, report.

The child is started first; the parent computes the reference outputs while
the child imports NumPy and runs the learner's code, so the two overlap.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from deepcareer.curriculum.catalog import Exercise
from deepcareer.curriculum.starter import NOT_IMPLEMENTED, same_code
from deepcareer.curriculum.tracks import TRACKS
from deepcareer.grading import references, sandbox, traps
from deepcareer.grading._child import pack_value
from deepcareer.grading.compare import Mismatch, compare, summarize
from deepcareer.grading.detectors import Shape, detect, example_order, float32_of
from deepcareer.grading.diagnose import case_label, diagnose, run_case
from deepcareer.grading.report import CheckResult, Finding, FrameworkCheck, Report
from deepcareer.grading.sandbox import CallOutcome, Limits, SandboxResult
from deepcareer.grading.spec import Case

# Entry names that train something: NaN or inf from them gets advice about divergence.
TRAINING_WORDS = ("fit", "train", "step", "epoch")


def build_cases(ex: Exercise, seed: int) -> list[Case]:
    """Edge cases, then fresh random cases from ``seed``, then hidden cases."""
    checks = ex.checks
    rng = np.random.default_rng(seed)
    randoms = [
        replace(c, name=c.name or "random input", kind="random")
        for c in (checks.random_cases(rng) if checks.random_cases else [])
    ]
    hidden = [replace(c, kind="hidden") for c in checks.hidden]
    return [*checks.cases, *randoms, *hidden]


def expected_outputs(ex: Exercise, cases: Sequence[Case]) -> list[Any]:
    """The reference's outputs; None for judged cases (no single right answer)."""
    return [None if c.judge else run_case(ex.reference_function(c.call), c) for c in cases]


def case_labels(cases: Sequence[Case]) -> list[str]:
    labels, hidden_n = [], 0
    for case in cases:
        if case.kind == "hidden":
            hidden_n += 1
            labels.append(case_label(case, hidden_n))
        else:
            labels.append(case_label(case))
    return labels


def _inputs(case: Case) -> str:
    parts = [summarize(a) for a in case.args]
    parts += [f"{k}={summarize(v)}" for k, v in case.kwargs.items()]
    return ", ".join(parts)


def _error_text(error: dict[str, Any]) -> str:
    line = f"line {error['line']}: " if error.get("line") else ""
    text = f" (`{error['text'].strip()}`)" if error.get("text") else ""
    return f"{line}{error.get('type', 'Error')}: {error.get('message', '')}{text}"


def grade(
    ex: Exercise,
    source: str,
    *,
    seed: int | None = None,
    limits: Limits | None = None,
    forbidden: Sequence[str] = (),
    filename: str | None = None,
    frameworks_cache: Path | None = None,
) -> Report:
    """Grade ``source`` (the learner's whole file) and return a Report.

    With ``frameworks_cache`` (a folder), exercises that have a ``frameworks.py`` also
    compare the learner's outputs with PyTorch's and TensorFlow's (see crosscheck).
    """
    started = time.perf_counter()
    track = TRACKS[ex.meta.track]
    track.require(ex.id)
    if same_code(source, ex.starter):
        return Report(ex.id, "not_attempted",
                      f"Not attempted yet: fill in the TODOs in your {ex.id} file, then check.",
                      duration_s=time.perf_counter() - started)
    seed = references.draw_seed(ex) if seed is None else seed
    # The child starts first: on a framework track it imports PyTorch or TensorFlow while
    # this process builds the cases and reads the reference outputs that ship with them.
    child = sandbox.reserve(limits or track.limits, track.preload, forbidden)
    try:
        cases = build_cases(ex, seed)
        arrays: list[Any] = []
        calls = [
            {"fn": c.call, "args": [pack_value(a, arrays) for a in c.args],
             "kwargs": {k: pack_value(v, arrays) for k, v in c.kwargs.items()}}
            for c in cases
        ]
    except BaseException:
        child.kill()
        raise
    run = sandbox.start(source, filename or f"{ex.id}.py", calls, arrays,
                        forbidden=forbidden, limits=limits or track.limits,
                        preload=track.preload, child=child)
    expected = references.expected(ex, cases)  # overlaps with the child's work
    result = run.wait()
    report = _build_report(ex, cases, expected, result, run.limits)
    if frameworks_cache is not None and report.status in ("pass", "fail"):
        report.frameworks = _framework_checks(ex, cases, result, frameworks_cache)
    report.seed = seed
    report.isolation = run.isolation
    report.stdout = result.stdout
    report.duration_s = time.perf_counter() - started
    return report


def _framework_checks(ex: Exercise, cases: list[Case], result: SandboxResult,
                      cache: Path) -> list[FrameworkCheck]:
    from deepcareer.grading import crosscheck

    learner = [o.value if o.kind == "result" else None for o in result.calls]
    available = [o.kind == "result" for o in result.calls]
    found = crosscheck.agreements(ex, cases, learner, available, case_labels(cases), cache)
    return [FrameworkCheck(a.framework, a.status, a.sentence(), a.cases)  # type: ignore[arg-type]
            for a in found]


def _build_report(
    ex: Exercise, cases: list[Case], expected: list[Any], result: SandboxResult, limits: Limits
) -> Report:
    labels = case_labels(cases)
    if result.status == "timeout":
        where = ""
        if result.running_index is not None:
            where = f" while running {labels[result.running_index]}"
        return Report(ex.id, "timeout",
                      f"Stopped after {limits.wall_s:g} s{where}: look for a loop that never "
                      "ends or work that grows too fast.")
    if result.status == "load_error":
        err = result.load_error
        if err.get("type") == NOT_IMPLEMENTED:
            return Report(ex.id, "not_attempted", "Not attempted yet: the file still raises "
                          "NotImplementedError when it loads.")
        kind = "a syntax error" if err.get("type") in ("SyntaxError", "IndentationError",
                                                       "TabError") else "an error"
        return Report(ex.id, "error", f"Your file has {kind} before any function could run: "
                      f"{_error_text(err)}", error_line=err.get("line"))
    outcomes = result.calls
    if all(o.kind == "error" and o.error.get("type") == NOT_IMPLEMENTED for o in outcomes):
        return Report(ex.id, "not_attempted",
                      "Not attempted yet: every function still raises NotImplementedError.")

    checked = [_check_case(ex, case, label, out, exp)
               for case, label, out, exp in zip(cases, labels, outcomes, expected, strict=True)]
    checks = [c for c, _ in checked]
    kinds = [k for _, k in checked]
    n_cases = len(checks)
    case_checks = list(checks)
    conduct = _conduct_checks(cases, labels, outcomes)
    trapped = _trap_checks(ex, cases, labels, outcomes, expected)
    conduct += trapped
    checks += conduct
    report = Report(ex.id, "pass", "", checks=checks)
    available = [o.kind == "result" and case.judge is None
                 for o, case in zip(outcomes, cases, strict=True)]
    learner = [o.value if o.kind == "result" else None for o in outcomes]
    failed = [c for c in checks if c.status != "pass"]
    errors = [c for c in checks if c.status == "error"]

    if result.status == "crashed":
        report.status = "error"
        first = labels[result.running_index] if result.running_index is not None else "a case"
        report.message = f"The process running your code {result.exit_detail} during {first}."
    elif errors:
        report.status = "error"
        missing = next((o for o in outcomes if o.kind == "missing"), None)
        if missing is not None:
            report.message = errors[0].message[0].upper() + errors[0].message[1:]
        else:
            report.message = (f"Your code raised an error on {len(errors)} of {n_cases} "
                              f"cases; first, {errors[0].name}: {errors[0].message}")
            first_err = next(o.error for o in outcomes if o.kind == "error")
            report.error_line = first_err.get("line")
    elif failed:
        report.status = "fail"
    else:
        n_hidden = sum(c.kind == "hidden" for c in cases)
        report.message = f"All {len(checks)} checks pass, {n_hidden} hidden ones included."
        return report
    case_failed = [c for c in checks[:n_cases] if c.status != "pass"]
    if report.status == "fail" and not case_failed:  # right values, obtained the wrong way
        problem = conduct[0]
        lead = "one check failed" if len(conduct) == 1 else \
            f"{len(conduct)} checks failed; first, {problem.name}"
        report.message = f"Every output is right, but {lead}: {problem.message}"
        return report

    shapes: list[Shape] = []
    if any(available) and report.status in ("fail", "error"):
        checks_def = ex.checks
        returns = {e.name: list(e.returns) for e in ex.meta.entries}
        found = diagnose(cases, learner, expected, checks_def.misconceptions,
                         ex.reference_function, rtol=checks_def.rtol, atol=checks_def.atol,
                         available=available, names=lambda call: returns.get(call, []))
        report.findings = [
            Finding(d.misconception.id, d.misconception.title, d.confidence,  # type: ignore[arg-type]
                    d.evidence, d.misconception.hints[0] if d.misconception.hints else "",
                    d.misconception.explanation)
            for d in found
        ]
        whole = bool(found) and found[0].confidence == "diagnosed" and not found[0].partial
        if not whole:
            # Where nothing catalogued fits for sure: say what shape the mistake has, if any.
            explained = {s for d in found if d.confidence == "diagnosed" for s in d.where}
            shapes = [s for s in _shapes(ex, cases, labels, learner, expected, available,
                                         case_checks)
                      if (s.call, s.output) not in explained]
            named = [CheckResult(s.name, "fail", s.sentence()) for s in shapes]
            report.checks = named + report.checks
        if not found:
            report.checks += _property_checks(ex, cases, learner, available, case_checks)
    else:
        found = []
    if report.status == "fail":
        n_bad = len(case_failed)
        if trapped and not (report.findings and report.findings[0].confidence == "diagnosed"):
            # What the code was seen doing says more than a catalogue guess or a generic shape.
            report.message = f"Wrong on {n_bad} of {n_cases} cases. {trapped[0].message}"
        elif report.findings:
            f, d = report.findings[0], found[0]
            lead = "This looks like" if f.confidence == "diagnosed" else "This may be"
            place = f" (in {d.place()})" if d.place() else ""
            report.message = f"Wrong on {n_bad} of {n_cases} cases. {lead}: {f.title}{place}."
            others = [g.title for g in report.findings[1:] if g.confidence == "diagnosed"]
            if f.confidence == "diagnosed" and others:
                report.message += " Also: " + "; ".join(others) + "."
        elif shapes:
            top = shapes[0]
            lead = ("Only rounding separates your results from the expected ones"
                    if top.seen.key == "float32" else "The shape of the mistake")
            report.message = (f"Wrong on {n_bad} of {n_cases} cases. {lead}: "
                              f"{top.seen.title}, on {top.where}: {top.seen.detail}.")
        else:
            shown = _most_telling(cases, case_checks, kinds) if case_failed else failed[0]
            report.message = f"Wrong on {n_bad} of {n_cases} cases; first, " \
                             f"{shown.name}: {shown.message}"
    return report


# How telling a failure of each kind is, as the headline's example: a wrong shape says
# more than a wrong value, and a wrong value on ordinary inputs more than a NaN on extreme ones.
_KIND_ORDER = {"none": 0, "structure": 0, "type": 0, "shape": 1, "dtype": 2, "value": 3,
               "nan": 4}


def _most_telling(cases: list[Case], checks: list[CheckResult], kinds: list[str]) -> CheckResult:
    """The failed case to headline: the most telling kind, then a shown, small case."""
    failed = [i for i, c in enumerate(checks) if c.status != "pass"]
    best = min(failed, key=lambda i: (_KIND_ORDER.get(kinds[i], 3), example_order(cases[i], i)))
    return checks[best]


def _shapes(ex: Exercise, cases: list[Case], labels: list[str], learner: list[Any],
            expected: list[Any], available: list[bool],
            checks: list[CheckResult]) -> list[Shape]:
    """Generic shapes of the mistake (transpose, axis, factor...) when nothing catalogued fits."""
    failed = [ok and c.status == "fail" for ok, c in zip(available, checks, strict=True)]
    if not any(failed):
        return []
    returns = {e.name: list(e.returns) for e in ex.meta.entries}
    try:
        return detect(cases, labels, learner, expected, failed,
                      names=lambda call: returns.get(call, []),
                      reference=ex.reference_function,
                      float32=float32_of(ex.reference_function, run_case),
                      rtol=ex.checks.rtol, atol=ex.checks.atol,
                      # Reruns of the reference are cheap in NumPy, not in a framework.
                      run=run_case if ex.meta.track == "numpy" else None)
    except Exception:  # a detector must never turn a fail into a crash of the grader
        return []


def _check_case(ex: Exercise, case: Case, label: str, out: CallOutcome,
                exp: Any) -> tuple[CheckResult, str]:
    """The case's check and the kind of its mismatch ("" when it passes or did not run)."""
    if out.kind == "missing":
        defined = ", ".join(out.defined) or "no functions"
        return CheckResult(label, "error",
                           f"there is no function named {case.call}() in your file (it defines "
                           f"{defined}). Did you rename it?"), "error"
    if out.kind == "not_run":
        return CheckResult(label, "error",
                           "did not run: the process ended before this case"), "error"
    if out.kind == "error":
        if out.error.get("type") == NOT_IMPLEMENTED:
            return CheckResult(label, "fail", f"{case.call}() is not implemented yet"), "none"
        trap = traps.error_trap(out.error)
        if trap is not None:  # a well-known framework mistake: name it before the raw error
            title, explanation = trap
            return CheckResult(label, "error", f"{title}: {explanation}. "
                               f"({_error_text(out.error)})"), "error"
        return CheckResult(label, "error", _error_text(out.error)), "error"
    if case.judge is not None:
        try:
            verdict = case.judge(case, out.value)
        except Exception as exc:  # an output of the wrong kind for the judge
            verdict = f"returned {summarize(out.value)}, which could not be judged ({exc})"
        return (CheckResult(label, "pass"), "") if verdict is None else \
            (CheckResult(label, "fail", verdict), "value")
    entry = next((e for e in ex.meta.entries if e.name == case.call), None)
    batch = None
    if case.args and hasattr(case.args[0], "shape") and len(case.args[0].shape) >= 2:
        batch = int(case.args[0].shape[0])
    mismatch: Mismatch | None = compare(
        out.value, exp,
        rtol=case.rtol or ex.checks.rtol, atol=case.atol or ex.checks.atol,
        names=entry.returns if entry else (), gradient=bool(entry and entry.gradient),
        batch=batch,
    )
    if mismatch is None:
        return CheckResult(label, "pass"), ""
    shown = "" if case.kind == "hidden" else f" Called with {_inputs(case)}."
    text = mismatch.message if mismatch.message.endswith(("?", ".")) else mismatch.message + "."
    if mismatch.kind == "nan" and any(w in case.call for w in TRAINING_WORDS):
        text += (" In a training loop this usually means divergence: try a smaller learning "
                 "rate, check the scale of the initial weights, and look for a missing average "
                 "over the batch.")
    return CheckResult(label, "fail", text + shown), mismatch.kind


# What each kind of NumPy warning means, said to a learner (never the fix itself).
_WARNING_ADVICE = {
    "overflow": "a value grew past the largest float (exp overflows above about 709.8), so "
                "your formula is not numerically stable on large inputs; the README describes "
                "the stable form",
    "invalid value": "an operation produced NaN (inf - inf, 0 * inf, 0 / 0, or the log or "
                     "square root of a negative number); look for a step that is not stable "
                     "on extreme inputs, as the README describes",
    "divide by zero": "a division by zero or a log of 0 happened; the README says how to keep "
                      "the formula away from that point",
}
IN_PLACE = "modifies its input in place"
NUMERICAL = "numerically stable"


def _conduct_checks(cases: list[Case], labels: list[str],
                    outcomes: list[CallOutcome]) -> list[CheckResult]:
    """Failed checks for how an output was obtained, not what it is.

    A function that changes the caller's arrays (``logits -= ...``, ``m *= beta1``) or
    that overflows on the way to a right answer passes every comparison, yet breaks the
    code that calls it. One check per function and kind of problem, naming the first
    case where it showed and how many more there were.
    """
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for case, label, out in zip(cases, labels, outcomes, strict=True):
        if out.kind != "result":
            continue
        if out.mutated and not case.mutates:
            found.setdefault((case.call, IN_PLACE), []).append((label, ", ".join(out.mutated)))
        numeric = [w for w in out.warnings if w.startswith(tuple(_WARNING_ADVICE))]
        if numeric:
            found.setdefault((case.call, NUMERICAL), []).append((label, "\n".join(numeric)))
    checks = []
    for (call, what), seen in found.items():
        label, detail = seen[0]
        more = f" (and {len(seen) - 1} more case{'s' if len(seen) > 2 else ''})" \
            if len(seen) > 1 else ""
        if what == IN_PLACE:
            names = detail.split(", ")
            quoted = ", ".join(f"`{n}`" for n in names)
            plural = "s" if len(names) > 1 else ""
            text = (f"{call}() changed its argument{plural} {quoted} on {label}{more}. The "
                    "caller's arrays must come back as they were: compute into new arrays "
                    "(`x = x - m` makes a new array; `x -= m` overwrites the caller's).")
            checks.append(CheckResult(f"{IN_PLACE}: {call}()", "fail", text))
        else:
            first, *others = detail.split("\n")
            advice = next(v for k, v in _WARNING_ADVICE.items() if first.startswith(k))
            text = f"{call}() raised \"{first}\" on {label}{more}: {advice}."
            if others:
                text += " Then: " + "; ".join(f"\"{o}\"" for o in others) + "."
            checks.append(CheckResult(f"{NUMERICAL}: {call}()", "fail", text))
    return checks


def _trap_checks(ex: Exercise, cases: list[Case], labels: list[str],
                 outcomes: list[CallOutcome], expected: list[Any]) -> list[CheckResult]:
    """Failed checks for framework traps seen while a call ran (grading/traps.py).

    One check per function and kind of problem: the first case's words, then how many
    more cases showed it.
    """
    returns = {e.name: list(e.returns) for e in ex.meta.entries}
    found: dict[tuple[str, str], list[str]] = {}
    for case, label, out, exp in zip(cases, labels, outcomes, expected, strict=True):
        if out.kind != "result":
            continue
        where = "a hidden case" if case.kind == "hidden" else label
        for problem in traps.observed_problems(case.call, where, out.observed, case.structure,
                                               returns.get(case.call, []), exp):
            found.setdefault((case.call, problem.what), []).append(problem.text)
    checks = []
    for (call, what), texts in found.items():
        more = f" (And {len(texts) - 1} more case{'s' if len(texts) > 2 else ''}.)" \
            if len(texts) > 1 else ""
        checks.append(CheckResult(f"{what}: {call}()", "fail", texts[0] + more))
    return checks


def _property_checks(
    ex: Exercise, cases: list[Case], learner: list[Any], available: list[bool],
    checks: list[CheckResult],
) -> list[CheckResult]:
    """When no misconception fits, say which law of a correct answer is broken."""
    out: list[CheckResult] = []
    for prop in ex.checks.properties:
        for case, value, ok, check in zip(cases, learner, available, checks, strict=True):
            if not ok or check.status == "pass" or (prop.calls and case.call not in prop.calls):
                continue
            try:
                problem = prop.check(case, value)
            except Exception:  # a malformed output the law cannot even be asked of
                problem = None
            if problem:
                where = "a hidden case" if case.kind == "hidden" else check.name
                out.append(CheckResult(f"property: {prop.name}", "fail", f"{problem} (on {where})"))
                break
    return out
