"""logistic-regression: against torch's binary_cross_entropy_with_logits and autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("logistic-regression")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "predict_proba":
            X, w, b = case.args
            want = torch.sigmoid(torch.from_numpy(X) @ torch.from_numpy(w) + b).numpy()
            np.testing.assert_allclose(REF.predict_proba(X, w, b), want, rtol=1e-12, atol=1e-300)
            continue
        X, y, w, b = case.args
        tw = torch.from_numpy(w.copy()).requires_grad_(True)
        tb = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            torch.from_numpy(X) @ tw + tb, torch.from_numpy(y))
        if case.call == "bce_loss":
            assert REF.bce_loss(X, y, w, b) == pytest.approx(loss.item(), rel=1e-10)
        else:
            loss.backward()
            dw, db = REF.gradients(X, y, w, b)
            np.testing.assert_allclose(dw, tw.grad.numpy(), rtol=1e-10, atol=1e-14)
            assert db == pytest.approx(tb.grad.item(), rel=1e-10, abs=1e-14)
