"""mlp-sigmoid: the reference against a torch model, autograd and torch SGD."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("mlp-sigmoid")
REF = EX.reference


def _torch_params(W1, b1, W2, b2):
    return [torch.from_numpy(a.copy()).requires_grad_(True) for a in (W1, b1, W2, b2)]


def _torch_out(X, params):
    W1, b1, W2, b2 = params
    return torch.sigmoid(torch.from_numpy(X) @ W1 + b1) @ W2 + b2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_on_graded_cases(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "mlp_forward":
            X, *weights = case.args
            _, out = REF.mlp_forward(X, *weights)
            np.testing.assert_allclose(out, _torch_out(X, _torch_params(*weights)).detach(),
                                       rtol=1e-10, atol=1e-12)
        elif case.call == "mlp_backward":
            dout, X, *weights = case.args
            params = _torch_params(*weights)
            _torch_out(X, params).backward(torch.from_numpy(dout))
            for ours, p in zip(REF.mlp_backward(dout, X, *weights), params, strict=True):
                np.testing.assert_allclose(ours, p.grad.numpy(), rtol=1e-10, atol=1e-12)
        else:
            X, y, *weights, lr = case.args
            params = _torch_params(*weights)
            opt = torch.optim.SGD(params, lr=lr)
            torch.mean((_torch_out(X, params) - torch.from_numpy(y)) ** 2).backward()
            opt.step()
            for ours, p in zip(REF.mlp_train_step(X, y, *weights, lr), params, strict=True):
                np.testing.assert_allclose(ours, p.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_two_hidden_units_learn_xor() -> None:
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    for seed in range(4):  # XOR has poor local minima; these starts all reach the answer
        rng = np.random.default_rng(seed)
        W1, b1 = rng.normal(size=(2, 2)), np.zeros(2)
        W2, b2 = rng.normal(size=(2, 1)), np.zeros(1)
        for _ in range(6000):
            W1, b1, W2, b2 = REF.mlp_train_step(X, y, W1, b1, W2, b2, 0.5)
        _, out = REF.mlp_forward(X, W1, b1, W2, b2)
        np.testing.assert_allclose(out, y, atol=0.05)
