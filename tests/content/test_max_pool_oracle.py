"""max-pool: the reference against torch.nn.functional.max_pool2d and autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("max-pool")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_on_graded_cases(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "maxpool_forward":
            x, size, stride = case.args
            want = torch.nn.functional.max_pool2d(torch.from_numpy(x.copy()), size, stride)
            np.testing.assert_array_equal(REF.maxpool_forward(x, size, stride), want.numpy())
        else:
            dout, x, size, stride = case.args
            tx = torch.from_numpy(x.copy()).requires_grad_(True)
            torch.nn.functional.max_pool2d(tx, size, stride).backward(torch.from_numpy(dout))
            np.testing.assert_allclose(REF.maxpool_backward(dout, x, size, stride),
                                       tx.grad.numpy(), rtol=1e-12)
