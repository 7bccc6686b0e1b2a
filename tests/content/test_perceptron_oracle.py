"""perceptron: against scikit-learn-free independent checks and the convergence theorem."""

import numpy as np
import pytest

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("perceptron")
REF = EX.reference


def _oracle_epoch(X, y, w, b, lr):
    # The same rule written with an augmented weight vector [w, b] and inputs [x, 1].
    wb = np.append(np.asarray(w, dtype=float), float(b))
    mistakes = 0
    for xi, yi in zip(np.column_stack([X, np.ones(len(X))]), y, strict=True):
        if yi * (wb @ xi) <= 0:
            wb = wb + lr * yi * xi
            mistakes += 1
    return wb[:-1], wb[-1], mistakes


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_the_augmented_oracle(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "threshold_unit":
            x, w, theta = case.args
            want = np.array([int(sum(a * b for a, b in zip(row, w, strict=True)) >= theta)
                             for row in x])
            np.testing.assert_array_equal(REF.threshold_unit(x, w, theta), want)
        elif case.call == "perceptron_epoch":
            got = REF.perceptron_epoch(*case.args)
            want = _oracle_epoch(*case.args)
            np.testing.assert_allclose(got[0], want[0])
            assert got[1] == pytest.approx(want[1]) and got[2] == want[2]


def test_separable_data_converge_within_the_novikoff_bound() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    u = np.array([1.0, -2.0, 0.3]) / np.linalg.norm([1.0, -2.0, 0.3])
    Xa = np.column_stack([X, np.ones(40)])
    y = np.where(Xa @ u > 0, 1, -1)
    gamma = np.min(y * (Xa @ u))  # margin of the true separator
    radius = np.max(np.linalg.norm(Xa, axis=1))
    w, b, epochs = REF.perceptron_fit(X, y, 1.0, 10_000)
    assert np.all(y * (X @ w + b) > 0)
    assert epochs <= (radius / gamma) ** 2 + 1  # at most (R/gamma)^2 mistakes in total


def test_xor_is_not_learned() -> None:
    bits = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    w, b, epochs = REF.perceptron_fit(bits, np.array([-1, 1, 1, -1]), 1.0, 200)
    assert epochs == 200
    assert np.any(np.array([-1, 1, 1, -1]) * (bits @ w + b) <= 0)
