"""linear-regression-gd: autograd gradients, torch SGD, and least squares."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("linear-regression-gd")
REF = EX.reference


def _torch_fit(X, y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(steps):
        opt.zero_grad()
        torch.mean((tX @ w + b - ty) ** 2).backward()
        opt.step()
    return w.detach().numpy(), b.item()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_on_graded_cases(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "predict":
            X, w, b = case.args
            np.testing.assert_allclose(REF.predict(X, w, b),
                                       (torch.from_numpy(X) @ torch.from_numpy(w) + b).numpy())
        elif case.call == "gradients":
            X, y, w, b = case.args
            tw = torch.from_numpy(w.copy()).requires_grad_(True)
            tb = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
            torch.mean((torch.from_numpy(X) @ tw + tb - torch.from_numpy(y)) ** 2).backward()
            dw, db = REF.gradients(X, y, w, b)
            np.testing.assert_allclose(dw, tw.grad.numpy(), rtol=1e-10)
            np.testing.assert_allclose(db, tb.grad.item(), rtol=1e-10, atol=1e-12)
        else:
            X, y, lr, steps = case.args
            w, b = REF.fit(X, y, lr, steps)
            tw, tb = _torch_fit(X, y, lr, steps)
            np.testing.assert_allclose(w, tw, rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(b, tb, rtol=1e-9, atol=1e-12)


def test_fit_converges_to_least_squares() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.7 + 0.05 * rng.normal(size=50)
    w, b = REF.fit(X, y, 0.1, 2000)
    solution, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(50)]), y, rcond=None)
    np.testing.assert_allclose(np.append(w, b), solution, rtol=1e-6, atol=1e-8)
