"""transformer-block: the reference against a block built from torch.nn modules with the same
weights (LayerNorm, MultiheadAttention, Linear, GELU(approximate="tanh")), and its numerical
gradient against torch autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("transformer-block")
REF = EX.reference


class _Block(torch.nn.Module):
    def __init__(self, ln1_g, ln1_b, Wq, Wk, Wv, Wo, ln2_g, ln2_b, W1, b1, W2, b2, n_heads):
        super().__init__()
        d, f = W1.shape
        self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.attn = torch.nn.MultiheadAttention(d, n_heads, bias=False, batch_first=True)
        self.fc1, self.fc2 = torch.nn.Linear(d, f), torch.nn.Linear(f, d)
        self.act = torch.nn.GELU(approximate="tanh")
        self.double()
        with torch.no_grad():
            for module, weight, bias in [(self.ln1, ln1_g, ln1_b), (self.ln2, ln2_g, ln2_b),
                                         (self.fc1, W1.T, b1), (self.fc2, W2.T, b2)]:
                module.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)))
                module.bias.copy_(torch.from_numpy(bias))
            self.attn.in_proj_weight.copy_(torch.from_numpy(np.concatenate([Wq.T, Wk.T, Wv.T])))
            self.attn.out_proj.weight.copy_(torch.from_numpy(Wo.T))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = x.shape[1]
        blocked = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
        z = self.ln1(x)
        h = x + self.attn(z, z, z, attn_mask=blocked, need_weights=False)[0]
        return h + self.fc2(self.act(self.fc1(self.ln2(h))))


@pytest.mark.parametrize("seed", [0, 1])
def test_reference_matches_torch(seed: int) -> None:
    calls = set()
    for case in build_cases(EX, seed):
        calls.add(case.call)
        if case.call == "gelu":
            (x,) = case.args
            want = torch.nn.functional.gelu(torch.from_numpy(x), approximate="tanh").numpy()
            np.testing.assert_allclose(REF.gelu(x), want, rtol=1e-12, atol=1e-15)
        elif case.call == "block_forward":
            x, *params = case.args
            with torch.no_grad():
                want = _Block(*params)(torch.from_numpy(x)).numpy()
            np.testing.assert_allclose(REF.block_forward(*case.args), want,
                                       rtol=1e-9, atol=1e-11)
        else:
            dout, x, *params, _eps = case.args
            xt = torch.from_numpy(x.copy()).requires_grad_(True)
            _Block(*params)(xt).backward(torch.from_numpy(dout))
            # central differences with eps = 1e-3 or 1e-4 are accurate to about eps^2
            np.testing.assert_allclose(REF.block_input_grad(*case.args), xt.grad.numpy(),
                                       rtol=1e-4, atol=1e-6)
    assert calls == {"gelu", "block_forward", "block_input_grad"}
