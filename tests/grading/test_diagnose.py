"""Diagnosis finds a catalogued mistake where it was made: per function, per output."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from deepcareer.grading.diagnose import diagnose, variant_outputs
from deepcareer.grading.spec import Case, Misconception

X = [np.array([1.0, -2.0, 3.0]), np.array([0.5, 4.0]), np.array([[1.0, 2.0], [3.0, 5.0]])]


def ref_f(x: np.ndarray) -> np.ndarray:
    return x + 1.0


def ref_g(x: np.ndarray) -> np.ndarray:
    return x * x


def ref_h(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return x.copy(), 3.0 * x, x - 1.0


REFS: dict[str, Callable[..., Any]] = {"f": ref_f, "g": ref_g, "h": ref_h}
NAMES = {"f": ["y"], "g": ["z"], "h": ["dx", "dw", "db"]}

# One idea, shown in every function it touches: "doubles the result".
DOUBLES = Misconception("ex.doubles", "doubling", "", ["hint d"], {
    "f": lambda x: 2.0 * (x + 1.0),
    "g": lambda x: 2.0 * x * x,
    "h": lambda x: (2.0 * x, 6.0 * x, 2.0 * (x - 1.0)),
})
# Another idea, in g only: "forgets the square".
NO_SQUARE = Misconception("ex.no-square", "no square", "", ["hint s"], {"g": lambda x: x})


def _cases() -> list[Case]:
    return [Case(call, [x], name=f"{call} {i}") for call in ("f", "g", "h")
            for i, x in enumerate(X)]


def _run(learner_fns: dict[str, Callable[..., Any]],
         catalog: list[Misconception]) -> list[Any]:
    cases = _cases()
    expected = [REFS[c.call](*c.args) for c in cases]
    learner = [learner_fns.get(c.call, REFS[c.call])(*c.args) for c in cases]
    return diagnose(cases, learner, expected, catalog, REFS.__getitem__, rtol=1e-9, atol=1e-12,
                    available=[True] * len(cases), names=NAMES.__getitem__)


def test_the_whole_mistake_is_diagnosed_alone() -> None:
    found = _run(dict(DOUBLES.replace), [DOUBLES, NO_SQUARE])
    assert [d.misconception.id for d in found] == ["ex.doubles"]
    assert found[0].confidence == "diagnosed" and not found[0].partial
    assert found[0].place() == ""


def test_a_mistake_made_in_one_function_only_is_named_there() -> None:
    found = _run({"f": DOUBLES.replace["f"]}, [DOUBLES, NO_SQUARE])
    assert [d.misconception.id for d in found] == ["ex.doubles"]
    d = found[0]
    assert d.confidence == "diagnosed" and d.partial
    assert d.place() == "f()"
    assert d.evidence.startswith("In f():")


def test_a_mistake_made_in_one_output_only_is_named_there() -> None:
    def learner_h(x: np.ndarray) -> tuple[np.ndarray, ...]:
        dx, dw, db = ref_h(x)
        return dx, 2.0 * dw, db  # only dw doubled

    found = _run({"h": learner_h}, [DOUBLES, NO_SQUARE])
    assert found and found[0].misconception.id == "ex.doubles"
    assert found[0].confidence == "diagnosed" and found[0].place() == "h()'s dw"
    assert "h()'s dw" in found[0].evidence


def test_two_mistakes_in_two_functions_are_both_named() -> None:
    found = _run({"f": DOUBLES.replace["f"], "g": NO_SQUARE.replace["g"]},
                 [DOUBLES, NO_SQUARE])
    assert {d.misconception.id for d in found} == {"ex.doubles", "ex.no-square"}
    assert all(d.confidence == "diagnosed" for d in found)


def test_other_wrong_outputs_do_not_hide_the_mistake() -> None:
    # f doubled (the catalogued mistake); g wrong in some other, uncatalogued way.
    found = _run({"f": DOUBLES.replace["f"], "g": lambda x: x * x + 7.0}, [DOUBLES])
    assert found and found[0].misconception.id == "ex.doubles"
    assert found[0].place() == "f()"


def test_agreement_on_a_minority_of_revealing_cases_names_nothing() -> None:
    # Doubled on one of the three f cases only: 1 of 3 is not "most".
    def learner_f(x: np.ndarray) -> np.ndarray:
        return 2.0 * (x + 1.0) if x.ndim == 2 else x + 5.0

    found = _run({"f": learner_f}, [DOUBLES])
    assert found == []


def test_likely_on_most_revealing_cases_of_one_output() -> None:
    def learner_f(x: np.ndarray) -> np.ndarray:
        return 2.0 * (x + 1.0) if x.size > 2 else x + 5.0  # 2 of the 3 cases

    found = _run({"f": learner_f}, [DOUBLES])
    assert [d.confidence for d in found] == ["likely"]
    assert found[0].place() == "f()" and abs(found[0].score - 2 / 3) < 1e-9


def test_cases_where_the_mistake_does_not_show_are_no_evidence() -> None:
    # A variant that differs from the reference on one case only; the learner agrees there
    # and is right elsewhere: diagnosed, on 1 of 1 revealing case.
    only_2d = Misconception("ex.only-2d", "2-D only", "", ["h"], {
        "f": lambda x: 2.0 * (x + 1.0) if x.ndim == 2 else x + 1.0})
    found = _run({"f": only_2d.replace["f"]}, [only_2d])
    assert found and found[0].confidence == "diagnosed"
    assert "1 of the 1 cases" in found[0].evidence


def test_judged_cases_are_never_replayed_per_misconception() -> None:
    calls: list[str] = []

    def slow_train(x: np.ndarray) -> np.ndarray:
        calls.append("train")
        return x

    m = Misconception("ex.m", "m", "", ["h"], {"f": lambda x: x * 3})
    cases = [Case("f", [X[0]]), Case("train", [X[0]], judge=lambda case, out: None)]
    outs = variant_outputs(m, cases, {"f": ref_f, "train": slow_train}.__getitem__)
    assert calls == [] and outs[1] is None


def test_a_few_coincidences_beside_many_other_errors_name_nothing() -> None:
    # The learner's f agrees with the mistake on 3 of the 5 cases where it shows (most),
    # but is wrong on 3 more: the mistake explains 3 of 6 wrong cases, not most of them.
    only_some = Misconception("ex.some", "some", "", ["h"], {
        "f": lambda x: 2.0 * (x + 1.0) if x.size != 2 else x + 1.0})
    extra = [np.array([7.0]), np.array([8.0, 9.0, 1.0, 2.0]), np.array([0.25])]

    def learner_f(x: np.ndarray) -> np.ndarray:
        return 2.0 * (x + 1.0) if x.size in (3, 4) else x - 4.0

    cases = [Case("f", [x]) for x in [*X, *extra]]
    expected = [ref_f(*c.args) for c in cases]
    learner = [learner_f(*c.args) for c in cases]
    found = diagnose(cases, learner, expected, [only_some], REFS.__getitem__, rtol=1e-9,
                     atol=1e-12, available=[True] * len(cases), names=NAMES.__getitem__)
    assert found == []


def test_the_same_mistake_the_other_way_round_is_likely() -> None:
    # The catalogue shifts by +0.5 where it matters; this learner shifts by -0.5: its error
    # is exactly minus the variant's on every case where the mistake shows.
    def plus(x: np.ndarray) -> np.ndarray:
        y = x + 1.0
        y[..., 0] += 0.5
        return y

    def minus(x: np.ndarray) -> np.ndarray:
        y = x + 1.0
        y[..., 0] -= 0.5
        return y

    m = Misconception("ex.plus", "plus", "", ["h"], {"f": plus})
    found = _run({"f": minus}, [m])
    assert [(d.misconception.id, d.confidence) for d in found] == [("ex.plus", "likely")]
    assert "other way round" in found[0].evidence
    # A factor mistake's mirror is just another factor: not named this way.
    double = Misconception("ex.double", "double", "", ["h"], {"f": lambda x: 2.0 * (x + 1.0)})
    assert _run({"f": lambda x: 0.0 * x}, [double]) == []
