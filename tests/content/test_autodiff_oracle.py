"""autodiff: the engine's gradients against torch.autograd on the graded cases."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("autodiff")
REF = EX.reference


def _t(v):
    return torch.tensor(np.asarray(v, dtype=float), requires_grad=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_engine_matches_torch_autograd(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "neuron_grads":
            x, w, b = case.args
            tw, tb = _t(w), _t(b)
            out = torch.tanh(tw @ torch.from_numpy(np.asarray(x, dtype=float)) + tb)
            out.backward()
            got = REF.neuron_grads(x, w, b)
            assert got[0] == pytest.approx(out.item(), rel=1e-12)
            np.testing.assert_allclose(got[1], tw.grad.numpy(), rtol=1e-12)
            assert got[2] == pytest.approx(tb.grad.item(), rel=1e-12)
        elif case.call == "shared_grads":
            a, b = case.args
            ta, tb = _t(a), _t(b)
            f = ta * tb + ta + ta * ta
            f.backward()
            np.testing.assert_allclose(REF.shared_grads(a, b),
                                       (f.item(), ta.grad.item(), tb.grad.item()), rtol=1e-12)
        elif case.call == "diamond_grads":
            a, b = case.args
            ta, tb = _t(a), _t(b)
            c = ta * tb + 1.0
            f = c * c + torch.tanh(c)
            f.backward()
            np.testing.assert_allclose(REF.diamond_grads(a, b),
                                       (f.item(), ta.grad.item(), tb.grad.item()), rtol=1e-12)
        else:
            x, depth = case.args
            tx = _t(x)
            out = tx
            for _ in range(depth):
                out = torch.tanh(out * 1.5)
            out.backward()
            np.testing.assert_allclose(REF.chain_grads(x, depth), (out.item(), tx.grad.item()),
                                       rtol=1e-10, atol=1e-300)
