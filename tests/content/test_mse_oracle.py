"""mse: the reference against torch's mse_loss and autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("mse")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_on_graded_cases(seed: int) -> None:
    for case in build_cases(EX, seed):
        pred, target = case.args
        t = torch.from_numpy(pred.copy()).requires_grad_(True)
        loss = torch.nn.functional.mse_loss(t, torch.from_numpy(target))
        if case.call == "mse":
            np.testing.assert_allclose(REF.mse(pred, target), loss.item(), rtol=1e-12)
        else:
            loss.backward()
            np.testing.assert_allclose(REF.mse_grad(pred, target), t.grad.numpy(), rtol=1e-12)
