"""lstm-cell: the reference against torch.nn.LSTMCell and autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("lstm-cell")
REF = EX.reference


def _cell(Wx, Wh, b):
    d, four_h = Wx.shape
    cell = torch.nn.LSTMCell(d, four_h // 4, dtype=torch.float64)
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(Wx.T))  # torch stores (4H, D), same gate order
        cell.weight_hh.copy_(torch.from_numpy(Wh.T))
        cell.bias_ih.copy_(torch.from_numpy(b))
        cell.bias_hh.zero_()
    return cell


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_lstmcell(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "lstm_step":
            x, h_prev, c_prev, Wx, Wh, b = case.args
            h, c = _cell(Wx, Wh, b)(torch.from_numpy(x),
                                    (torch.from_numpy(h_prev), torch.from_numpy(c_prev)))
            ours = REF.lstm_step(*case.args)
            np.testing.assert_allclose(ours[0], h.detach().numpy(), rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(ours[1], c.detach().numpy(), rtol=1e-10, atol=1e-12)
        else:
            dh, dc, x, h_prev, c_prev, Wx, Wh, b = case.args
            cell = _cell(Wx, Wh, b)
            tx, th, tc = (torch.from_numpy(a.copy()).requires_grad_(True)
                          for a in (x, h_prev, c_prev))
            h, c = cell(tx, (th, tc))
            torch.autograd.backward([h, c], [torch.from_numpy(dh), torch.from_numpy(dc)])
            want = (tx.grad, th.grad, tc.grad, cell.weight_ih.grad.T, cell.weight_hh.grad.T,
                    cell.bias_ih.grad)
            for ours, theirs in zip(REF.lstm_step_backward(*case.args), want, strict=True):
                np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-9, atol=1e-11)


def test_readme_example() -> None:
    zeros = np.zeros((1, 4))
    h, c = REF.lstm_step(np.zeros((1, 1)), np.zeros((1, 1)), np.array([[2.0]]), np.zeros((1, 4)),
                         np.zeros((1, 4)), zeros[0])
    np.testing.assert_allclose(c, [[1.0]])
    np.testing.assert_allclose(h, [[0.5 * np.tanh(1.0)]])
