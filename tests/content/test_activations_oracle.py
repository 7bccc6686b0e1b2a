"""activations: the reference against torch's functions and autograd."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("activations")
REF = EX.reference
TORCH = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_on_graded_cases(seed: int) -> None:
    for case in build_cases(EX, seed):
        (x,) = case.args
        base = case.call.removesuffix("_grad")
        t = torch.from_numpy(x.copy()).requires_grad_(True)
        out = TORCH[base](t)
        if case.call == base:
            np.testing.assert_allclose(getattr(REF, case.call)(x), out.detach().numpy(),
                                       rtol=1e-12, atol=1e-300)
        else:
            out.backward(torch.ones_like(out))
            np.testing.assert_allclose(getattr(REF, case.call)(x), t.grad.numpy(),
                                       rtol=1e-10, atol=1e-300)


def test_derivatives_match_central_differences() -> None:
    x = np.linspace(-4, 4, 33)
    x = x[np.abs(x) > 1e-3]  # ReLU has no derivative at 0
    eps = 1e-6
    for base in ("sigmoid", "tanh", "relu"):
        fn = getattr(REF, base)
        numeric = (fn(x + eps) - fn(x - eps)) / (2 * eps)
        np.testing.assert_allclose(getattr(REF, base + "_grad")(x), numeric, rtol=1e-6,
                                   atol=1e-9)
