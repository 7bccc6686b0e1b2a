"""sgd-momentum: the reference against torch.optim.SGD(momentum=...)."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("sgd-momentum")
REF = EX.reference


def _torch_step(w, grad, velocity, lr, beta):
    p = torch.nn.Parameter(torch.from_numpy(w.copy()))
    opt = torch.optim.SGD([p], lr=lr, momentum=beta)
    if beta > 0:
        # torch initialises its buffer with the first gradient; seed it with our velocity
        # so that its next update computes beta * velocity + grad.
        opt.state[p]["momentum_buffer"] = torch.from_numpy(velocity.copy())
    p.grad = torch.from_numpy(grad.copy())
    opt.step()
    buf = opt.state[p]["momentum_buffer"] if beta > 0 else torch.from_numpy(grad.copy())
    return p.detach().numpy(), buf.numpy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_sgd(seed: int) -> None:
    for case in build_cases(EX, seed):
        w, grad, velocity, lr, beta = case.args
        ours = REF.momentum_step(w.copy(), grad, velocity.copy(), lr, beta)
        theirs = _torch_step(w, grad, velocity, lr, beta)
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-14)
        if beta > 0:
            np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-14)


def test_many_steps_match_torch_from_zero() -> None:
    rng = np.random.default_rng(0)
    w = rng.normal(size=4)
    grads = rng.normal(size=(20, 4))
    p = torch.nn.Parameter(torch.from_numpy(w.copy()))
    opt = torch.optim.SGD([p], lr=0.05, momentum=0.9)
    velocity = np.zeros(4)
    for g in grads:
        w, velocity = REF.momentum_step(w, g, velocity, 0.05, 0.9)
        p.grad = torch.from_numpy(g.copy())
        opt.step()
    np.testing.assert_allclose(w, p.detach().numpy(), rtol=1e-12)
