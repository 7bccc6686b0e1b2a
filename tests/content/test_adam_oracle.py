"""adam: the reference against torch.optim.Adam, step by step."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("adam")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_adam(seed: int) -> None:
    for case in build_cases(EX, seed):
        w, grad, m, v, t, lr, beta1, beta2, eps = case.args
        p = torch.nn.Parameter(torch.from_numpy(w.copy()))
        opt = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
        p.grad = torch.from_numpy(grad.copy())
        # Put torch at step t - 1 with our moments; its step() then performs step t.
        opt.state[p]["step"] = torch.tensor(float(t - 1))
        opt.state[p]["exp_avg"] = torch.from_numpy(m.copy())
        opt.state[p]["exp_avg_sq"] = torch.from_numpy(v.copy())
        opt.step()
        new_w, new_m, new_v = REF.adam_step(w.copy(), grad, m.copy(), v.copy(), t, lr, beta1,
                                            beta2, eps)
        np.testing.assert_allclose(new_w, p.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(new_m, opt.state[p]["exp_avg"].numpy(), rtol=1e-12)
        np.testing.assert_allclose(new_v, opt.state[p]["exp_avg_sq"].numpy(), rtol=1e-12)


def test_a_hundred_steps_from_zero_match_torch() -> None:
    rng = np.random.default_rng(1)
    w = rng.normal(size=5)
    p = torch.nn.Parameter(torch.from_numpy(w.copy()))
    opt = torch.optim.Adam([p], lr=0.01)
    m = v = np.zeros(5)
    for t in range(1, 101):
        g = rng.normal(size=5)
        w, m, v = REF.adam_step(w, g, m, v, t, 0.01, 0.9, 0.999, 1e-8)
        p.grad = torch.from_numpy(g.copy())
        opt.step()
    np.testing.assert_allclose(w, p.detach().numpy(), rtol=1e-10)
