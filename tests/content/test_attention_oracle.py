"""attention: the reference against torch's scaled_dot_product_attention."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("attention")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch(seed: int) -> None:
    for case in build_cases(EX, seed):
        Q, K, V, mask = case.args
        want = torch.nn.functional.scaled_dot_product_attention(
            torch.from_numpy(Q), torch.from_numpy(K), torch.from_numpy(V),
            attn_mask=torch.from_numpy(mask))
        out, weights = REF.attention(Q, K, V, mask)
        np.testing.assert_allclose(out, want.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
        assert np.all(weights[~mask] == 0.0)
