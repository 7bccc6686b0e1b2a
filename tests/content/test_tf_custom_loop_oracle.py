"""tf-custom-loop: the tf.function loop against a plain NumPy gradient descent."""

import numpy as np
import pytest

pytest.importorskip("tensorflow", reason="the tensorflow extra is not installed: "
                    "pip install 'deepcareer[tensorflow]'")

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("tf-custom-loop")
REF = EX.reference


def _np_train(X, y, lr, epochs, batch_size):
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    size = len(y) if batch_size is None else batch_size
    for _ in range(epochs):
        for start in range(0, len(y), size):
            xb, yb = X[start:start + size], y[start:start + size]
            err = xb @ w + b - yb
            losses.append(np.mean(err ** 2))
            w, b = w - lr * 2 * xb.T @ err / len(yb), b - lr * 2 * err.mean()
    return w, b, np.array(losses)


@pytest.mark.parametrize("seed", [0, 1])
def test_reference_matches_numpy_gradient_descent(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "train_full_batch":
            X, y, lr, steps = case.args
            want = _np_train(X, y, lr, steps, None)
        else:
            want = _np_train(*case.args)
        for got, expected in zip(REF.__dict__[case.call](*case.args), want, strict=True):
            np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-10, atol=1e-12)


def test_readme_worked_example() -> None:
    _w, _b, losses = REF.train_full_batch(np.array([[1.0], [2.0], [3.0]]),
                                        np.array([2.0, 4.0, 6.0]), 0.1, 2)
    np.testing.assert_allclose(losses, [18.6667, 0.2963], atol=1e-4)
