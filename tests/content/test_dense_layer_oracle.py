"""dense-layer: the reference against torch autograd and central differences."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("dense-layer")
REF = EX.reference


def _torch_backward(dout, x, W):
    tx = torch.from_numpy(x).requires_grad_(True)
    tW = torch.from_numpy(W).requires_grad_(True)
    tb = torch.zeros(W.shape[1], dtype=torch.float64, requires_grad=True)
    (tx @ tW + tb).backward(torch.from_numpy(dout))
    return tx.grad.numpy(), tW.grad.numpy(), tb.grad.numpy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_on_graded_cases(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "dense_forward":
            x, W, b = case.args
            want = torch.nn.functional.linear(torch.from_numpy(x), torch.from_numpy(W.T),
                                              torch.from_numpy(b))
            np.testing.assert_allclose(REF.dense_forward(x, W, b), want.numpy(), rtol=1e-12)
        else:
            for ours, theirs in zip(REF.dense_backward(*case.args),
                                    _torch_backward(*case.args), strict=True):
                np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_backward_matches_central_differences() -> None:
    rng = np.random.default_rng(7)
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dout = rng.normal(size=(4, 2))

    def loss(x_, W_, b_):
        return float(np.sum(REF.dense_forward(x_, W_, b_) * dout))

    eps = 1e-6
    analytic = REF.dense_backward(dout, x, W)
    for which, param in enumerate((x, W, b)):
        numeric = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            args_plus = [x.copy(), W.copy(), b.copy()]
            args_minus = [x.copy(), W.copy(), b.copy()]
            args_plus[which][idx] += eps
            args_minus[which][idx] -= eps
            numeric[idx] = (loss(*args_plus) - loss(*args_minus)) / (2 * eps)
        np.testing.assert_allclose(analytic[which], numeric, rtol=1e-6, atol=1e-8)
