"""multi-head-attention: the reference against torch.nn.MultiheadAttention and autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("multi-head-attention")
REF = EX.reference


def _torch_layer(x, Wq, Wk, Wv, Wo, n_heads, causal):
    """torch's own layer with our weights copied in (torch stores W^T, as out = x W^T)."""
    d = x.shape[-1]
    mha = torch.nn.MultiheadAttention(d, n_heads, bias=False, batch_first=True).double()
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.from_numpy(np.concatenate([Wq.T, Wk.T, Wv.T])))
        mha.out_proj.weight.copy_(torch.from_numpy(Wo.T))
    t = x.shape[1]
    mask = torch.triu(torch.ones(t, t, dtype=torch.bool), 1) if causal else None  # True = blocked
    xt = torch.from_numpy(x).requires_grad_(True)
    out, weights = mha(xt, xt, xt, attn_mask=mask, need_weights=True,
                       average_attn_weights=False)
    return mha, xt, out, weights


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch(seed: int) -> None:
    calls = set()
    for case in build_cases(EX, seed):
        calls.add(case.call)
        if case.call == "split_heads":
            x, h = case.args
            b, t, d = x.shape
            want = torch.from_numpy(x).view(b, t, h, d // h).permute(0, 2, 1, 3)
            np.testing.assert_array_equal(REF.split_heads(x, h), want.numpy())
            np.testing.assert_array_equal(REF.merge_heads(REF.split_heads(x, h)), x)
        elif case.call == "merge_heads":
            (x,) = case.args
            b, h, t, dh = x.shape
            want = torch.from_numpy(x).permute(0, 2, 1, 3).reshape(b, t, h * dh)
            np.testing.assert_array_equal(REF.merge_heads(x), want.numpy())
        elif case.call == "mha_forward":
            _, _, out, weights = _torch_layer(*case.args)
            got_out, got_w = REF.mha_forward(*case.args)
            np.testing.assert_allclose(got_out, out.detach().numpy(), rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(got_w, weights.detach().numpy(), rtol=1e-9, atol=1e-12)
        else:
            dout, *args = case.args
            mha, xt, out, _ = _torch_layer(*args)
            out.backward(torch.from_numpy(dout))
            dWin = mha.in_proj_weight.grad.numpy()
            d = dout.shape[-1]
            want = [xt.grad.numpy(), dWin[:d].T, dWin[d:2 * d].T, dWin[2 * d:].T,
                    mha.out_proj.weight.grad.numpy().T]
            for got, exp in zip(REF.mha_backward(dout, *args), want, strict=True):
                np.testing.assert_allclose(got, exp, rtol=1e-8, atol=1e-11)
    assert calls == {"split_heads", "merge_heads", "mha_forward", "mha_backward"}


def test_the_causal_weights_ignore_the_future() -> None:
    """Changing a later token leaves earlier outputs unchanged: nothing leaks backwards."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1, 5, 6))
    W = [rng.normal(size=(6, 6)) / 3 for _ in range(4)]
    out, _ = REF.mha_forward(x, *W, 3, True)
    x2 = x.copy()
    x2[0, 3:] += rng.normal(size=(2, 6))
    out2, _ = REF.mha_forward(x2, *W, 3, True)
    np.testing.assert_array_equal(out[0, :3], out2[0, :3])
    assert not np.allclose(out[0, 3:], out2[0, 3:])
