"""batch-norm: the reference against torch.nn.functional.batch_norm and autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("batch-norm")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_on_graded_cases(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "batchnorm_forward":
            x, gamma, beta, rm, rv, momentum, eps, training = case.args
            t_rm, t_rv = torch.from_numpy(rm.copy()), torch.from_numpy(rv.copy())
            out = torch.nn.functional.batch_norm(
                torch.from_numpy(x), t_rm, t_rv, torch.from_numpy(gamma),
                torch.from_numpy(beta), training=training, momentum=momentum, eps=eps)
            ours = REF.batchnorm_forward(x, gamma, beta, rm.copy(), rv.copy(), momentum, eps,
                                         training)
            for mine, theirs in zip(ours, (out, t_rm, t_rv), strict=True):
                np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-9, atol=1e-12)
        else:
            dout, x, gamma, eps = case.args
            tx = torch.from_numpy(x.copy()).requires_grad_(True)
            tg = torch.from_numpy(gamma.copy()).requires_grad_(True)
            tb = torch.zeros_like(tg, requires_grad=True)
            out = torch.nn.functional.batch_norm(tx, None, None, tg, tb, training=True, eps=eps)
            out.backward(torch.from_numpy(dout))
            ours = REF.batchnorm_backward(dout, x, gamma, eps)
            for mine, theirs in zip(ours, (tx.grad, tg.grad, tb.grad), strict=True):
                np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-8, atol=1e-10)


def test_a_training_batch_of_one_is_refused_as_torch_does() -> None:
    """One example has no variance: N / (N - 1) would make running_var NaN without a word."""
    x, ones, zeros = np.array([[1.0, 2.0]]), np.ones(2), np.zeros(2)
    with pytest.raises(ValueError, match="at least 2"):
        REF.batchnorm_forward(x, ones, zeros, zeros, ones, 0.1, 1e-5, True)
    with pytest.raises(ValueError):  # PyTorch refuses it too
        torch.nn.functional.batch_norm(torch.from_numpy(x), torch.zeros(2, dtype=torch.float64),
                                       torch.ones(2, dtype=torch.float64), training=True)
    out, rm, rv = REF.batchnorm_forward(x, ones, zeros, zeros, ones, 0.1, 1e-5, False)
    assert np.all(np.isfinite(out)) and rm is zeros and rv is ones  # evaluation is fine
