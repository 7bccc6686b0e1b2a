"""layer-norm: the reference against torch.nn.functional.layer_norm and autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("layer-norm")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "layernorm_forward":
            x, gamma, beta, eps = case.args
            want = torch.nn.functional.layer_norm(torch.from_numpy(x), (x.shape[-1],),
                                                  torch.from_numpy(gamma),
                                                  torch.from_numpy(beta), eps)
            np.testing.assert_allclose(REF.layernorm_forward(*case.args), want.numpy(),
                                       rtol=1e-10, atol=1e-12)
        else:
            dout, x, gamma, eps = case.args
            tx = torch.from_numpy(x.copy()).requires_grad_(True)
            tg = torch.from_numpy(gamma.copy()).requires_grad_(True)
            tb = torch.zeros_like(tg, requires_grad=True)
            torch.nn.functional.layer_norm(tx, (x.shape[-1],), tg, tb, eps).backward(
                torch.from_numpy(dout))
            for ours, theirs in zip(REF.layernorm_backward(*case.args),
                                    (tx.grad, tg.grad, tb.grad), strict=True):
                np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-8, atol=1e-10)
