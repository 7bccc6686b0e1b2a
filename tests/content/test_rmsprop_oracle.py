"""rmsprop: the reference against torch.optim.RMSprop."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("rmsprop")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_rmsprop(seed: int) -> None:
    for case in build_cases(EX, seed):
        w, grad, sq_avg, lr, alpha, eps = case.args
        p = torch.nn.Parameter(torch.from_numpy(w.copy()))
        opt = torch.optim.RMSprop([p], lr=lr, alpha=alpha, eps=eps)
        p.grad = torch.from_numpy(grad.copy())
        # Seed torch's running average with ours (torch starts it at zero).
        opt.state[p]["step"] = torch.tensor(0.0)
        opt.state[p]["square_avg"] = torch.from_numpy(sq_avg.copy())
        opt.step()
        new_w, new_sq = REF.rmsprop_step(w.copy(), grad, sq_avg.copy(), lr, alpha, eps)
        np.testing.assert_allclose(new_w, p.detach().numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(new_sq, opt.state[p]["square_avg"].numpy(), rtol=1e-12)
