"""rnn-bptt: the reference against torch.nn.RNN, autograd and clip_grad_norm_."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("rnn-bptt")
REF = EX.reference


def _torch_rnn(x, h0, Wx, Wh, b):
    """torch's RNN computes tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    rnn = torch.nn.RNN(Wx.shape[0], Wx.shape[1], batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(Wx.T))
        rnn.weight_hh_l0.copy_(torch.from_numpy(Wh.T))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b))
        rnn.bias_hh_l0.zero_()
    return rnn


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_on_graded_cases(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "rnn_forward":
            x, h0, Wx, Wh, b = case.args
            hs, _ = _torch_rnn(x, h0, Wx, Wh, b)(torch.from_numpy(x),
                                                 torch.from_numpy(h0)[None])
            np.testing.assert_allclose(REF.rnn_forward(*case.args), hs.detach().numpy(),
                                       rtol=1e-10, atol=1e-12)
        elif case.call == "rnn_backward":
            dhs, x, h0, Wx, Wh, b = case.args
            rnn = _torch_rnn(x, h0, Wx, Wh, b)
            tx = torch.from_numpy(x.copy()).requires_grad_(True)
            th0 = torch.from_numpy(h0.copy())[None].requires_grad_(True)
            hs, _ = rnn(tx, th0)
            hs.backward(torch.from_numpy(dhs))
            want = (tx.grad, th0.grad[0], rnn.weight_ih_l0.grad.T, rnn.weight_hh_l0.grad.T,
                    rnn.bias_ih_l0.grad)
            for ours, theirs in zip(REF.rnn_backward(*case.args), want, strict=True):
                np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-9, atol=1e-11)
        else:
            grads, max_norm = case.args
            params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64))
                      for g in grads]
            for p, g in zip(params, grads, strict=True):
                p.grad = torch.from_numpy(np.array(g, dtype=float))
            torch.nn.utils.clip_grad_norm_(params, max_norm)
            for ours, p in zip(REF.clip_by_global_norm(grads, max_norm), params, strict=True):
                # torch adds 1e-6 to the norm in its factor; the difference is below 1e-6.
                np.testing.assert_allclose(ours, p.grad.numpy(), rtol=1e-5, atol=1e-12)
