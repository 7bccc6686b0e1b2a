"""torch-autograd: the torch reference against NumPy formulas and central differences."""

import numpy as np
import pytest

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

pytest.importorskip("torch", reason="needs torch: pip install 'deepcareer[torch]'")

EX = default_catalog().get("torch-autograd")
REF = EX.reference


def _np(value):
    return value.detach().numpy() if hasattr(value, "detach") else np.asarray(value)


def _numeric_grad(f, w, eps=1e-6):
    g = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        wp, wm = w.copy(), w.copy()
        wp[idx] += eps
        wm[idx] -= eps
        g[idx] = (f(wp) - f(wm)) / (2 * eps)
    return g


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_numpy_formulas(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "linear_grads":
            x, W, b, dout = case.args
            got = [_np(g) for g in REF.linear_grads(x.copy(), W.copy(), b.copy(), dout)]
            for ours, want in zip(got, (dout @ W.T, x.T @ dout, dout.sum(axis=0)), strict=True):
                np.testing.assert_allclose(ours, want, rtol=1e-12, atol=1e-14)
        elif case.call == "mse_grad":
            pred, target = case.args
            np.testing.assert_allclose(_np(REF.mse_grad(pred.copy(), target)),
                                       2 * (pred - target) / pred.size, rtol=1e-12)
        else:
            w, x1, x2 = case.args
            g1, g2 = (_np(g) for g in REF.two_losses_grads(w.copy(), x1, x2))
            np.testing.assert_allclose(g1, _numeric_grad(lambda v, a=x1: np.sum((a @ v) ** 2), w),
                                       rtol=1e-6, atol=1e-8)
            np.testing.assert_allclose(g2, _numeric_grad(lambda v, a=x2: np.sum((a @ v) ** 2), w),
                                       rtol=1e-6, atol=1e-8)
