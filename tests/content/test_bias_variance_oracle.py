"""bias-variance: fits against scipy least squares; the decomposition by simulation."""

import numpy as np
import pytest
from scipy import linalg

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("bias-variance")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_against_scipy_least_squares(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "bootstrap_predictions":
            x, y, degree, idx, grid = case.args
            want = []
            for rows in idx:
                vander = np.vander(x[rows], degree + 1)
                coeffs, *_ = linalg.lstsq(vander, y[rows])
                want.append(np.vander(grid, degree + 1) @ coeffs)
            np.testing.assert_allclose(REF.bootstrap_predictions(x, y, degree, idx, grid),
                                       np.array(want), rtol=1e-6, atol=1e-8)
        else:
            preds, f_true = case.args
            bias_sq, variance, mse = REF.decompose(preds, f_true)
            assert bias_sq + variance == pytest.approx(mse, rel=1e-12)
            assert mse == pytest.approx(np.mean([(p - f_true) ** 2 for p in preds]))


def test_capacity_trades_bias_for_variance() -> None:
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-1, 1, 30))
    y = np.sin(3 * x) + 0.3 * rng.normal(size=30)
    idx = rng.integers(0, 30, size=(200, 30))
    grid = np.linspace(-0.9, 0.9, 25)
    low = REF.decompose(REF.bootstrap_predictions(x, y, 1, idx, grid), np.sin(3 * grid))
    high = REF.decompose(REF.bootstrap_predictions(x, y, 9, idx, grid), np.sin(3 * grid))
    assert low[0] > high[0]  # a line is more biased than a degree-9 polynomial
    assert low[1] < high[1]  # and varies less from sample to sample
