"""softmax-regression: against torch training, and a real accuracy on held-out digits."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("softmax-regression")
REF = EX.reference


def _torch_steps(X, y, W, b, lr, steps):
    tW = torch.nn.Parameter(torch.from_numpy(W.copy()))
    tb = torch.nn.Parameter(torch.from_numpy(b.copy()))
    opt = torch.optim.SGD([tW, tb], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(torch.from_numpy(X) @ tW + tb,
                                                 torch.from_numpy(y))
        loss.backward()
        opt.step()
    return tW.detach().numpy(), tb.detach().numpy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_on_graded_cases(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "gradient_step":
            X, y, W, b, lr = case.args
            want = _torch_steps(X, y, W, b, lr, 1)
            got = REF.gradient_step(X, y, W, b, lr)
        elif case.call == "fit":
            X, y, k, lr, steps = case.args
            want = _torch_steps(X, y, np.zeros((X.shape[1], k)), np.zeros(k), lr, steps)
            got = REF.fit(X, y, k, lr, steps)
        else:
            X, W, b = case.args
            logits = torch.from_numpy(X) @ torch.from_numpy(W) + torch.from_numpy(b)
            np.testing.assert_array_equal(REF.predict(X, W, b), logits.argmax(dim=1).numpy())
            continue
        for ours, theirs in zip(got, want, strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_reaches_ninety_percent_on_held_out_digits() -> None:
    digits = load_digits()
    X_tr, X_te, y_tr, y_te = train_test_split(digits.data / 16.0, digits.target, test_size=0.3,
                                              random_state=0, stratify=digits.target)
    W, b = REF.fit(X_tr, y_tr, 10, 0.5, 500)
    assert np.mean(REF.predict(X_te, W, b) == y_te) >= 0.9
