"""weight-penalties: against torch autograd and torch's own weight_decay."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("weight-penalties")
REF = EX.reference


def _torch(call: str, w: np.ndarray, lam: float):
    t = torch.from_numpy(w.copy()).requires_grad_(True)
    penalty = 0.5 * lam * (t**2).sum() if call.startswith("l2") else lam * t.abs().sum()
    if call.endswith("penalty"):
        return penalty.item()
    penalty.backward()
    return t.grad.numpy()  # torch's abs() has gradient 0 at 0, like np.sign


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_autograd(seed: int) -> None:
    for case in build_cases(EX, seed):
        w, lam = case.args
        np.testing.assert_allclose(getattr(REF, case.call)(w, lam), _torch(case.call, w, lam),
                                   rtol=1e-12, atol=1e-15)


def test_l2_grad_is_torch_weight_decay() -> None:
    w = np.random.default_rng(0).normal(size=5)
    p = torch.nn.Parameter(torch.from_numpy(w.copy()))
    opt = torch.optim.SGD([p], lr=1.0, weight_decay=0.3)
    p.grad = torch.zeros_like(p)
    opt.step()  # with a zero loss gradient, the step is exactly -weight_decay * w
    np.testing.assert_allclose(w - REF.l2_grad(w, 0.3), p.detach().numpy(), rtol=1e-12)
