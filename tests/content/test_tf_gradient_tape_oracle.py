"""tf-gradient-tape: the TensorFlow reference against NumPy formulas and PyTorch autograd."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow", reason="the tensorflow extra is not installed: "
                         "pip install 'deepcareer[tensorflow]'")
torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from deepcareer.curriculum.catalog import default_catalog  # noqa: E402
from deepcareer.grading.grader import build_cases  # noqa: E402

EX = default_catalog().get("tf-gradient-tape")
REF = EX.reference


def _np(value):
    return np.asarray(value)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_numpy_formulas(seed: int) -> None:
    for case in build_cases(EX, seed):
        got = REF.__dict__[case.call](*case.args)
        if case.call == "linear_grads":
            x, W, _b, dout = case.args
            want = (dout @ W.T, x.T @ dout, dout.sum(axis=0))
        elif case.call == "mse_grad":
            pred, target = case.args
            want = (2.0 * (pred - target) / pred.size,)
            got = (got,)
        else:
            X, y, w, b = case.args
            r = _sigmoid(X @ w + b) - y
            want = (X.T @ r / len(y), r.mean())
        for g, w_ in zip(got, want, strict=True):
            np.testing.assert_allclose(_np(g), w_, rtol=1e-10, atol=1e-12)


def test_logistic_gradient_matches_torch() -> None:
    for case in build_cases(EX, 3):
        if case.call != "logistic_grads":
            continue
        X, y, w, b = case.args
        tw = torch.tensor(w, requires_grad=True)
        tb = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
        logits = torch.from_numpy(X) @ tw + tb
        torch.nn.functional.binary_cross_entropy_with_logits(logits,
                                                             torch.from_numpy(y)).backward()
        dw, db = REF.logistic_grads(*case.args)
        np.testing.assert_allclose(_np(dw), tw.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(_np(db), tb.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_readme_worked_example() -> None:
    X = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.5]])
    dw, db = REF.logistic_grads(X, np.array([1.0, 0.0, 1.0, 0.0]), np.zeros(2), 0.0)
    np.testing.assert_allclose(_np(dw), [-0.5, 0.0625])
    assert abs(float(db)) < 1e-12
