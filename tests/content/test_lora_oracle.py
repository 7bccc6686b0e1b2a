"""lora: the reference against a frozen torch.nn.Linear with a trainable adapter, autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("lora")
REF = EX.reference


class _LoRALinear(torch.nn.Module):
    """The layout of the peft library: base layer frozen, lora_A (r, in), lora_B (out, r)."""

    def __init__(self, W: np.ndarray, b: np.ndarray, A: np.ndarray, B: np.ndarray,
                 alpha: float) -> None:
        super().__init__()
        self.base = torch.nn.Linear(*W.shape).double()
        with torch.no_grad():
            self.base.weight.copy_(torch.from_numpy(W.T))
            self.base.bias.copy_(torch.from_numpy(b))
        self.base.requires_grad_(False)
        self.lora_A = torch.nn.Linear(A.shape[0], A.shape[1], bias=False).double()
        self.lora_B = torch.nn.Linear(B.shape[0], B.shape[1], bias=False).double()
        with torch.no_grad():
            self.lora_A.weight.copy_(torch.from_numpy(A.T))
            self.lora_B.weight.copy_(torch.from_numpy(B.T))
        self.scaling = alpha / A.shape[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.lora_B(self.lora_A(x)) * self.scaling


def _layer(W, b, A, B, alpha):
    return _LoRALinear(W, b, A, B, alpha)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch(seed: int) -> None:
    calls = set()
    for case in build_cases(EX, seed):
        calls.add(case.call)
        if case.call == "lora_forward":
            x, W, b, A, B, alpha = case.args
            with torch.no_grad():
                want = _layer(W, b, A, B, alpha)(torch.from_numpy(x)).numpy()
            np.testing.assert_allclose(REF.lora_forward(*case.args), want, rtol=1e-10, atol=1e-12)
        elif case.call == "lora_backward":
            dout, x, A, B, alpha = case.args
            rng = np.random.default_rng(0)
            W, b = rng.normal(size=(A.shape[0], B.shape[1])), rng.normal(size=B.shape[1])
            layer = _layer(W, b, A, B, alpha)
            layer(torch.from_numpy(x)).backward(torch.from_numpy(dout))
            assert layer.base.weight.grad is None  # frozen: torch computes nothing for it
            dA, dB = REF.lora_backward(*case.args)
            np.testing.assert_allclose(dA, layer.lora_A.weight.grad.numpy().T,
                                       rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(dB, layer.lora_B.weight.grad.numpy().T,
                                       rtol=1e-10, atol=1e-12)
        elif case.call == "lora_merge":
            W, A, B, alpha = case.args
            b = np.zeros(W.shape[1])
            x = np.random.default_rng(1).normal(size=(3, W.shape[0]))
            with torch.no_grad():
                want = _layer(W, b, A, B, alpha)(torch.from_numpy(x)).numpy()
            np.testing.assert_allclose(x @ REF.lora_merge(*case.args), want,
                                       rtol=1e-10, atol=1e-12)
        else:
            d_in, d_out, r = case.args
            layer = torch.nn.Module()
            layer.base = torch.nn.Linear(d_in, d_out, device="meta").requires_grad_(False)
            layer.lora_A = torch.nn.Linear(d_in, r, bias=False, device="meta")
            layer.lora_B = torch.nn.Linear(r, d_out, bias=False, device="meta")
            params = list(layer.parameters())
            want = (sum(p.numel() for p in params if p.requires_grad),
                    sum(p.numel() for p in params if not p.requires_grad))
            assert tuple(REF.lora_param_counts(*case.args)) == want
    assert calls == {"lora_forward", "lora_backward", "lora_merge", "lora_param_counts"}
