"""gradient-check: against the analytic gradients and torch.autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("gradient-check")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_against_analytic_and_autograd(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "numerical_gradient":
            A, b, w, eps = case.args
            tw = torch.from_numpy(w.astype(float).copy()).requires_grad_(True)
            (0.5 * tw @ torch.from_numpy(A) @ tw + torch.from_numpy(b) @ tw).backward()
            # exact for a quadratic up to rounding (A is symmetric in every case)
            np.testing.assert_allclose(REF.numerical_gradient(A, b, w, eps), tw.grad.numpy(),
                                       rtol=1e-7, atol=1e-8)
        elif case.call == "relative_error":
            a, n = case.args
            want = max(abs(x - y) / max(abs(x) + abs(y), 1e-12) for x, y in zip(a, n, strict=True))
            assert REF.relative_error(a, n) == pytest.approx(want, rel=1e-12)
        else:
            x, W, b, dout, eps = case.args
            np.testing.assert_allclose(REF.dense_weight_gradcheck(x, W, b, dout, eps),
                                       x.T @ dout, rtol=1e-7, atol=1e-8)
