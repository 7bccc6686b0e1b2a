"""The vocabulary an exercise's ``checks.py`` is written in.

An exercise author describes *what to call* (cases), *what must hold* (properties)
and *which wrong ideas to recognise* (misconceptions, each with a buggy
implementation that shows it). The grader turns those into calls in the sandbox
and comparisons in the parent process. Nothing here runs learner code.

Kept free of heavy imports: ``checks.py`` files are imported on every check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

CaseKind = Literal["edge", "random", "hidden"]


@dataclass(frozen=True)
class Case:
    """One call of an entry function: ``call(*args, **kwargs)``.

    ``kind`` decides what the learner may see: ``edge`` and ``random`` cases are
    shown with their inputs when they fail; ``hidden`` cases are never shown,
    only counted. ``rtol``/``atol`` override the exercise's tolerance for this
    case (for example a looser one after many float32 operations).
    """

    call: str
    args: Sequence[Any] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""
    kind: CaseKind = "edge"
    rtol: float | None = None
    atol: float | None = None
    # For outputs with no single right answer (a trained model's predictions): judge(case,
    # output) returns None when the output is good enough, else a learner-facing sentence.
    # Judged cases are not compared with the reference and take no part in diagnosis.
    judge: Callable[[Case, Any], str | None] | None = None
    # The grader fails a call that changes its arguments in place (the caller's arrays must
    # survive it). Set True only where the exercise's contract is to update an argument
    # in place (say so in the README); the reference is then free to do it too.
    mutates: bool = False
    # What the model this call trains must contain (keys of grading.traps.STRUCTURES:
    # "convolution", "recurrence", "hidden layer"). The sandbox watches which layers ran;
    # a call that ran without one fails a named check, whatever its accuracy.
    structure: tuple[str, ...] = ()


@dataclass(frozen=True)
class Property:
    """A law every correct output obeys, checked when the output is wrong.

    ``check(case, output)`` returns ``None`` when the law holds and a short,
    learner-facing sentence when it does not. Properties explain failures that
    no catalogued misconception matches ("rows do not sum to 1").
    """

    name: str
    check: Callable[[Case, Any], str | None]
    calls: tuple[str, ...] = ()  # restrict to these entry functions; empty means all


@dataclass(frozen=True)
class Misconception:
    """A named wrong idea, with a buggy implementation that shows it.

    ``replace`` maps entry-function names to the buggy versions; entries not
    named fall back to the reference. ``hints`` is a ladder from a nudge to
    nearly the answer; ``reteach`` is a short note for when it keeps recurring.
    """

    id: str
    title: str
    explanation: str
    hints: Sequence[str]
    replace: Mapping[str, Callable[..., Any]]
    reteach: str = ""


@dataclass(frozen=True)
class Checks:
    """Everything ``checks.py`` exports, as the module-level name ``CHECKS``.

    ``random_cases(rng)`` builds fresh cases from a ``numpy.random.Generator``
    each time the learner checks; they are the only inputs ever shown as a
    counterexample for a failure, so a learner cannot fit a shown input.
    """

    cases: Sequence[Case]
    hidden: Sequence[Case] = ()
    random_cases: Callable[[Any], Sequence[Case]] | None = None
    properties: Sequence[Property] = ()
    misconceptions: Sequence[Misconception] = ()
    rtol: float = 1e-5
    atol: float = 1e-8


# --- inputs that expose whole classes of bugs ----------------------------------------
# exp overflows float64 above about 709.78: logits of +-800 are past it, so code that
# exponentiates raw values fails on them every time, not only on an unlucky seed.
BEYOND_OVERFLOW = 800.0  # for cases: `np.array([[BEYOND_OVERFLOW, 0.0, -BEYOND_OVERFLOW]])`


def rows_on_scales(rng: Any, shape: tuple[int, ...],
                   offsets: Sequence[float] = (0.0, 900.0, -900.0, 300.0)) -> Any:
    """Standard-normal rows, row ``i`` shifted by ``offsets[i % len(offsets)]``.

    For anything normalised per row (softmax, log-softmax, attention): one shift for the
    whole array instead of one per row underflows every row far below the largest to
    0 / 0 = NaN. The offsets are fixed, so the bug shows on every seed.
    """
    import numpy as np

    values = rng.normal(size=shape)
    shift = np.resize(np.asarray(offsets, dtype=float), shape[0])
    return values + shift.reshape((-1,) + (1,) * (len(shape) - 1))


def load_reference(checks_file: str) -> Any:
    """The ``solution.py`` beside ``checks_file`` (for building variants), imported on
    first use.

    ``checks.py`` may reuse reference helpers in its buggy variants so that a
    variant differs from the reference in exactly one idea. The import waits until a
    variant runs: a framework track's solution imports PyTorch or TensorFlow, and a check
    whose reference outputs ship with the content never needs it (see ``references``).
    """
    from pathlib import Path

    return _LazyModule(Path(checks_file).with_name("solution.py"))


class _LazyModule:
    """A module imported (through the content loader's cache) on its first attribute."""

    def __init__(self, path: Any) -> None:
        self._path = path
        self._module: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._module is None:
            from deepcareer.curriculum.modules import load_module

            self._module = load_module(self._path)
        return getattr(self._module, name)
