"""Name the misconception behind a wrong answer.

Every catalogued misconception comes with a buggy implementation. We run each
one on the same cases as the learner (in this, the parent, process: it is our
code) and ask which one the learner's outputs agree with. Agreement on every
case is ``diagnosed``; agreement on most (more than half) of the cases where the mistake shows
is ``likely``. Cases where a mistake gives the same answer as the reference say
nothing about it and are left out of its score.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from deepcareer.grading.compare import close, summarize
from deepcareer.grading.detectors import example_order
from deepcareer.grading.spec import Case, Misconception

_RAISED = object()  # a variant that raised on a case: matches nothing
LIKELY_THRESHOLD = 0.5  # "likely" needs more than this share: most cases, not 1 of 2


@dataclass(frozen=True)
class Diagnosis:
    """A misconception and how strongly the learner's outputs point to it."""

    misconception: Misconception
    confidence: str  # diagnosed | likely
    score: float  # share of revealing cases where the learner agrees with it
    evidence: str


def run_case(fn: Callable[..., Any], case: Case) -> Any:
    """Call trusted code (reference or variant) on a copy of a case's inputs."""
    args = [a.copy() if hasattr(a, "copy") else a for a in case.args]
    kwargs = {k: (v.copy() if hasattr(v, "copy") else v) for k, v in case.kwargs.items()}
    # Buggy variants overflow on purpose; their warnings are not news to anyone.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return fn(*args, **kwargs)
        except Exception:
            return _RAISED


def variant_outputs(
    misconception: Misconception, cases: Sequence[Case], reference: Callable[[str], Any]
) -> list[Any]:
    """Outputs of the buggy variant: its replacements, the reference elsewhere."""
    out = []
    for case in cases:
        fn = misconception.replace.get(case.call) or reference(case.call)
        out.append(run_case(fn, case))
    return out


def _agree(a: Any, b: Any, case: Case, rtol: float, atol: float) -> bool:
    if a is _RAISED or b is _RAISED:
        return False
    return close(a, b, rtol=case.rtol or rtol, atol=case.atol or atol)


def case_label(case: Case, index_among_hidden: int | None = None) -> str:
    """How a case is named to the learner; hidden cases are only numbered."""
    if case.kind == "hidden":
        return f"hidden case {index_among_hidden if index_among_hidden is not None else ''}".strip()
    return f"{case.call}({case.name})" if case.name else f"{case.call}(...)"


def diagnose(
    cases: Sequence[Case],
    learner: Sequence[Any],
    expected: Sequence[Any],
    catalog: Sequence[Misconception],
    reference: Callable[[str], Any],
    *,
    rtol: float,
    atol: float,
    available: Sequence[bool],
    precomputed: Mapping[str, Sequence[Any]] | None = None,
    reveals: dict[str, list[int]] | None = None,
) -> list[Diagnosis]:
    """Rank the catalog against the learner's outputs; best first, weak ones dropped.

    ``precomputed`` maps misconception ids to their outputs on these cases, and
    ``reveals`` (filled in on first use) the cases where each differs from the
    reference, for callers (content verification) that diagnose many learners
    against the same catalog and cases.
    """
    found: list[Diagnosis] = []
    for m in catalog:
        if precomputed is not None and m.id in precomputed:
            outs = list(precomputed[m.id])
        else:
            outs = variant_outputs(m, cases, reference)
        if reveals is not None and m.id in reveals:
            differs = reveals[m.id]
        else:
            differs = [i for i, case in enumerate(cases)
                       if not _agree(outs[i], expected[i], case, rtol, atol)]
            if reveals is not None:
                reveals[m.id] = differs
        revealing = [i for i in differs if available[i]]
        if not revealing:
            continue
        matched = [i for i in revealing if _agree(learner[i], outs[i], cases[i], rtol, atol)]
        if not matched:
            continue
        everywhere = all(
            _agree(learner[i], outs[i], case, rtol, atol)
            for i, case in enumerate(cases) if available[i]
        )
        score = len(matched) / len(revealing)
        if everywhere:
            confidence = "diagnosed"
        elif score > LIKELY_THRESHOLD:
            confidence = "likely"
        else:
            continue
        found.append(Diagnosis(m, confidence, score, _evidence(cases, learner, matched, revealing)))
    found.sort(key=lambda d: (d.confidence != "diagnosed", -d.score))
    if found and found[0].confidence == "diagnosed":
        return found[:1]
    return found[:2]


def _evidence(
    cases: Sequence[Case], learner: Sequence[Any], matched: list[int], revealing: list[int]
) -> str:
    visible = [i for i in matched if cases[i].kind != "hidden"]
    share = f"{len(matched)} of the {len(revealing)} cases where this mistake shows"
    if not visible:
        return f"Your outputs agree with this mistake on {share}."
    i = min(visible, key=lambda j: example_order(cases[j], j))  # ordinary inputs, small
    return (
        f"On {case_label(cases[i])} you returned {summarize(learner[i])}, which is exactly "
        f"what this mistake produces; your outputs agree with it on {share}."
    )
