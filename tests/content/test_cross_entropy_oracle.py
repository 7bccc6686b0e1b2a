"""cross-entropy: the reference against torch's cross_entropy and autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("cross-entropy")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_on_graded_cases(seed: int) -> None:
    for case in build_cases(EX, seed):
        logits, labels = case.args
        t = torch.from_numpy(logits.copy()).requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(t, torch.from_numpy(np.asarray(labels)))
        if case.call == "cross_entropy":
            np.testing.assert_allclose(REF.cross_entropy(logits.copy(), labels), loss.item(),
                                       rtol=1e-10, atol=1e-12)
        else:
            loss.backward()
            np.testing.assert_allclose(REF.cross_entropy_grad(logits.copy(), labels),
                                       t.grad.numpy(), rtol=1e-9, atol=1e-12)
