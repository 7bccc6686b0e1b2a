"""dropout: the reference against PyTorch's dropout semantics and autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("dropout")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_forward_and_backward_match_torch_on_graded_cases(seed: int) -> None:
    for case in build_cases(EX, seed):
        first, p, u, training = case.args
        mask = torch.from_numpy((u >= p).astype(np.float64))
        if case.call == "dropout_forward":
            x = torch.from_numpy(first)
            # torch's own eval-mode dropout is the identity; in training we rebuild its
            # inverted-dropout formula from the same mask.
            want = (x * mask / (1 - p) if training
                    else torch.nn.functional.dropout(x, p=p, training=False))
            np.testing.assert_allclose(REF.dropout_forward(first, p, u, training), want.numpy())
        else:
            x = torch.zeros(first.shape, dtype=torch.float64, requires_grad=True)
            out = x * mask / (1 - p) if training else torch.nn.functional.dropout(
                x, p=p, training=False)
            out.backward(torch.from_numpy(first))
            np.testing.assert_allclose(REF.dropout_backward(first, p, u, training),
                                       x.grad.numpy())


def test_expected_value_is_preserved_like_torch() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200_000,))
    p = 0.3
    ours = REF.dropout_forward(x, p, rng.random(x.shape), True)
    theirs = torch.nn.functional.dropout(torch.from_numpy(x), p=p, training=True).numpy()
    # Both are unbiased: the mean over many units matches x's mean within sampling error.
    assert abs(ours.mean() - x.mean()) < 0.01
    assert abs(theirs.mean() - x.mean()) < 0.01
    # And both zero about a fraction p of the units.
    assert abs((ours == 0).mean() - p) < 0.01
    assert abs((theirs == 0).mean() - p) < 0.01
