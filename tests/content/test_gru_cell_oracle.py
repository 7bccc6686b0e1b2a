"""gru-cell: the reference against torch.nn.GRUCell."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("gru-cell")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_grucell(seed: int) -> None:
    for case in build_cases(EX, seed):
        x, h, Wx, Wh, bx, bh = case.args
        cell = torch.nn.GRUCell(Wx.shape[0], h.shape[1], dtype=torch.float64)
        with torch.no_grad():  # torch stores (3H, D) weights in the same r, z, n order
            cell.weight_ih.copy_(torch.from_numpy(Wx.T))
            cell.weight_hh.copy_(torch.from_numpy(Wh.T))
            cell.bias_ih.copy_(torch.from_numpy(bx))
            cell.bias_hh.copy_(torch.from_numpy(bh))
        want = cell(torch.from_numpy(x), torch.from_numpy(h)).detach().numpy()
        np.testing.assert_allclose(REF.gru_step(*case.args), want, rtol=1e-10, atol=1e-12)
