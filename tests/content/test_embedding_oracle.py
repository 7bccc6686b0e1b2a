"""embedding: the reference against torch.nn.functional.embedding and autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("embedding")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "embedding_forward":
            ids, W = case.args
            want = torch.nn.functional.embedding(torch.from_numpy(ids), torch.from_numpy(W))
            np.testing.assert_array_equal(REF.embedding_forward(ids, W), want.numpy())
        else:
            dout, ids, vocab = case.args
            tW = torch.zeros(vocab, dout.shape[-1], dtype=torch.float64, requires_grad=True)
            torch.nn.functional.embedding(torch.from_numpy(ids), tW).backward(
                torch.from_numpy(dout))
            np.testing.assert_allclose(REF.embedding_backward(dout, ids, vocab), tW.grad.numpy(),
                                       rtol=1e-12)
