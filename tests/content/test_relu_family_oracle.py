"""relu-family: the reference against torch's activations and autograd."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("relu-family")
REF = EX.reference


def _torch(name, t, args):
    if name == "leaky_relu":
        return F.leaky_relu(t, negative_slope=args[0])
    if name == "elu":
        return F.elu(t, alpha=args[0])
    return F.gelu(t, approximate="tanh")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch(seed: int) -> None:
    for case in build_cases(EX, seed):
        x, *rest = case.args
        base = case.call.removesuffix("_grad")
        t = torch.from_numpy(x.copy()).requires_grad_(True)
        out = _torch(base, t, rest)
        if case.call == base:
            np.testing.assert_allclose(getattr(REF, base)(x, *rest), out.detach().numpy(),
                                       rtol=1e-10, atol=1e-12)
        else:
            out.backward(torch.ones_like(out))
            want = t.grad.numpy()
            np.testing.assert_allclose(getattr(REF, case.call)(x, *rest), want, rtol=1e-9,
                                       atol=1e-12)
