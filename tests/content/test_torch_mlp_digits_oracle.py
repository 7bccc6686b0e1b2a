"""torch-mlp-digits: the pieces against NumPy formulas, the model against the target."""

import numpy as np
import pytest

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

pytest.importorskip("torch", reason="needs torch: pip install 'deepcareer[torch]'")

EX = default_catalog().get("torch-mlp-digits")
REF = EX.reference


def _np_logits(X, W1, b1, W2, b2):
    return np.maximum(X @ W1 + b1, 0.0) @ W2 + b2


def _np_step(X, y, W1, b1, W2, b2, lr):
    n = X.shape[0]
    z = X @ W1 + b1
    h = np.maximum(z, 0.0)
    logits = h @ W2 + b2
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    g = (p - np.eye(W2.shape[1])[y]) / n
    dW2, db2 = h.T @ g, g.sum(axis=0)
    dz = (g @ W2.T) * (z > 0)
    return W1 - lr * X.T @ dz, b1 - lr * dz.sum(axis=0), W2 - lr * dW2, b2 - lr * db2


@pytest.mark.parametrize("seed", [0, 1])
def test_pieces_match_numpy_backprop(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "mlp_logits":
            np.testing.assert_allclose(REF.mlp_logits(*case.args).numpy(),
                                       _np_logits(*case.args), rtol=1e-12, atol=1e-12)
        elif case.call == "train_step":
            for ours, theirs in zip(REF.train_step(*case.args), _np_step(*case.args),
                                    strict=True):
                np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-10, atol=1e-12)


def test_reference_model_beats_the_target_and_is_judged_so() -> None:
    case = next(c for c in EX.checks.cases if c.judge is not None)
    predictions = REF.train_and_predict(*case.args)
    assert case.judge(case, predictions) is None
    assert case.judge(case, np.zeros_like(predictions)) is not None  # a constant guess fails
