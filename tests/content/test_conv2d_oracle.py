"""conv2d: the reference against torch.nn.functional.conv2d and autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("conv2d")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_on_graded_cases(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "conv2d_forward":
            x, w, b, stride, pad = case.args
            want = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w),
                                              torch.from_numpy(b), stride=stride, padding=pad)
            np.testing.assert_allclose(REF.conv2d_forward(x, w, b, stride, pad), want.numpy(),
                                       rtol=1e-10, atol=1e-12)
        else:
            dout, x, w, stride, pad = case.args
            tx = torch.from_numpy(x.copy()).requires_grad_(True)
            tw = torch.from_numpy(w.copy()).requires_grad_(True)
            tb = torch.zeros(w.shape[0], dtype=torch.float64, requires_grad=True)
            out = torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=pad)
            out.backward(torch.from_numpy(dout))
            for ours, theirs in zip(REF.conv2d_backward(dout, x, w, stride, pad),
                                    (tx.grad, tw.grad, tb.grad), strict=True):
                np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10, atol=1e-12)
