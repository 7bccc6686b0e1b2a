"""torch-training-loop: the torch loop against a NumPy implementation of the same SGD."""

import numpy as np
import pytest

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

pytest.importorskip("torch", reason="needs torch: pip install 'deepcareer[torch]'")

EX = default_catalog().get("torch-training-loop")
REF = EX.reference


def _np_epoch(X, y, W, b, lr, batch_size, perm):
    W, b, losses = W.copy(), b.copy(), []
    for start in range(0, len(perm), batch_size):
        idx = perm[start:start + batch_size]
        logits = X[idx] @ W + b
        z = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        losses.append(-np.mean(np.log(p[np.arange(len(idx)), y[idx]])))
        g = (p - np.eye(W.shape[1])[y[idx]]) / len(idx)
        W, b = W - lr * X[idx].T @ g, b - lr * g.sum(axis=0)
    return np.array(losses), W, b


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_numpy_sgd(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "train_epoch":
            for ours, theirs in zip(REF.train_epoch(*case.args), _np_epoch(*case.args),
                                    strict=True):
                np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
        else:
            W, b = case.args
            got_W, got_b = REF.checkpoint_roundtrip(W, b)
            np.testing.assert_array_equal(got_W, W)
            np.testing.assert_array_equal(got_b, b)
