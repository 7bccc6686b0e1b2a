"""Every NumPy reference leaves its inputs alone and raises no floating-point warning.

The grader fails a learner for either (``grading/grader.py``: "modifies its input in
place", "numerically stable"), so a reference that did either would fail its own exercise.
``content verify`` sees one seed through the sandbox; this runs several seeds in-process.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

from deepcareer.curriculum.catalog import Catalog, default_catalog
from deepcareer.grading.grader import build_cases

NUMPY_EXERCISES = sorted(ex.id for ex in default_catalog() if ex.meta.track == "numpy")


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and bool(
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
    return True


@pytest.mark.parametrize("exercise", NUMPY_EXERCISES)
def test_reference_is_quiet_and_leaves_inputs_alone(catalog: Catalog, exercise: str) -> None:
    ex = catalog.get(exercise)
    for seed in range(4):
        for case in build_cases(ex, seed):
            if case.judge is not None:
                continue
            args = copy.deepcopy(list(case.args))
            with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise",
                                                        divide="raise", under="ignore"):
                warnings.simplefilter("error", RuntimeWarning)
                ex.reference_function(case.call)(*args, **copy.deepcopy(dict(case.kwargs)))
            if not case.mutates:
                assert _same(list(case.args), args), f"{exercise}: {case.call}({case.name})"
