"""positional-encoding: the reference against torch formulations written differently.

Sinusoids: the exp(-log(base) * 2i / D) form. RoPE: pairs viewed as complex numbers and
multiplied by exp(i p w), as Meta's Llama code does, instead of explicit sines and cosines.
"""

import math

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("positional-encoding")
REF = EX.reference


def _torch_table(n: int, d: int, base: float = 10000.0) -> np.ndarray:
    position = torch.arange(n, dtype=torch.float64).unsqueeze(1)
    div = torch.exp(torch.arange(0, d, 2, dtype=torch.float64) * (-math.log(base) / d))
    pe = torch.zeros(n, d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * div)
    pe[:, 1::2] = torch.cos(position * div)
    return pe.numpy()


def _torch_rope(x: np.ndarray, positions: np.ndarray, base: float = 10000.0) -> np.ndarray:
    xt = torch.from_numpy(np.ascontiguousarray(x))
    d = xt.shape[-1]
    freqs = 1.0 / base ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
    angles = torch.outer(torch.from_numpy(np.asarray(positions, dtype=np.float64)), freqs)
    turn = torch.polar(torch.ones_like(angles), angles)  # (T, D/2) complex
    pairs = torch.view_as_complex(xt.reshape(*xt.shape[:-1], d // 2, 2).contiguous())
    return torch.view_as_real(pairs * turn).reshape(xt.shape).numpy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch(seed: int) -> None:
    calls = set()
    for case in build_cases(EX, seed):
        calls.add(case.call)
        if case.call == "sinusoidal_encoding":
            want = _torch_table(*case.args)
            np.testing.assert_allclose(REF.sinusoidal_encoding(*case.args), want,
                                       rtol=1e-10, atol=1e-12)
        else:
            want = _torch_rope(*case.args)
            np.testing.assert_allclose(REF.rope(*case.args), want, rtol=1e-10, atol=1e-12)
    assert calls == {"sinusoidal_encoding", "rope"}


def test_rope_scores_depend_only_on_the_distance() -> None:
    rng = np.random.default_rng(0)
    q, k = rng.normal(size=(1, 8)), rng.normal(size=(1, 8))
    scores = {(m, n): (REF.rope(q, np.array([m])) @ REF.rope(k, np.array([n])).T).item()
              for m in range(0, 40, 7) for n in range(0, 40, 5)}
    for (m, n), s in scores.items():
        for (m2, n2), s2 in scores.items():
            if n - m == n2 - m2:
                assert s == pytest.approx(s2, rel=1e-9, abs=1e-12)
    assert len({round(s, 6) for s in scores.values()}) > 10  # it does depend on the distance


def test_a_shift_of_k_positions_is_one_rotation_for_every_position() -> None:
    pe = REF.sinusoidal_encoding(60, 8)
    k = 9
    swap = np.arange(8).reshape(4, 2)[:, ::-1].ravel()  # [1, 0, 3, 2, ...]
    rotated = REF.rope(pe[:-k, swap], np.full(60 - k, k))[:, swap]
    # Swapping within pairs turns each (sin, cos) into (cos, sin); a rotation by k w_i then
    # moves (cos p w, sin p w) to (cos (p + k) w, sin (p + k) w), whatever p is.
    np.testing.assert_allclose(rotated, pe[k:], atol=1e-12)
