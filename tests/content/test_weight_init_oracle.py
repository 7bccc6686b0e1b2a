"""weight-init: the reference's scales against torch.nn.init."""

import math

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("weight-init")
REF = EX.reference


def _torch_scale(name: str, fan_in: int, fan_out: int) -> float:
    """Uniform bound or normal std that torch.nn.init uses for our (fan_in, fan_out) layer.

    torch stores Linear weights as (out, in), so we build an (fan_out, fan_in) tensor and read
    the scale torch itself computes from its own fan calculation.
    """
    w = torch.empty(fan_out, fan_in, dtype=torch.float64)
    t_in, t_out = torch.nn.init._calculate_fan_in_and_fan_out(w)
    assert (t_in, t_out) == (fan_in, fan_out)
    if name == "xavier_uniform":
        gain = torch.nn.init.calculate_gain("linear")
        return math.sqrt(3.0) * gain * math.sqrt(2.0 / (t_in + t_out))
    if name == "xavier_normal":
        return math.sqrt(2.0 / (t_in + t_out))
    gain = torch.nn.init.calculate_gain("relu")  # sqrt(2)
    std = gain / math.sqrt(t_in)
    return math.sqrt(3.0) * std if name == "he_uniform" else std


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_scales_match_torch_formulas(seed: int) -> None:
    for case in build_cases(EX, seed):
        (samples,) = case.args
        fan_in, fan_out = samples.shape
        scale = _torch_scale(case.call, fan_in, fan_out)
        standard = 2.0 * samples - 1.0 if "uniform" in case.call else samples
        np.testing.assert_allclose(getattr(REF, case.call)(samples.copy()), standard * scale,
                                   rtol=1e-12)


@pytest.mark.parametrize(("name", "torch_init"), [
    ("xavier_uniform", lambda w: torch.nn.init.xavier_uniform_(w)),
    ("xavier_normal", lambda w: torch.nn.init.xavier_normal_(w)),
    ("he_uniform", lambda w: torch.nn.init.kaiming_uniform_(w, mode="fan_in",
                                                            nonlinearity="relu")),
    ("he_normal", lambda w: torch.nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")),
])
def test_empirical_statistics_match_torch_init(name: str, torch_init) -> None:
    fan_in, fan_out = 300, 500
    torch.manual_seed(0)
    theirs = torch_init(torch.empty(fan_out, fan_in, dtype=torch.float64)).numpy()
    rng = np.random.default_rng(0)
    samples = rng.random((fan_in, fan_out)) if "uniform" in name else rng.standard_normal(
        (fan_in, fan_out))
    ours = getattr(REF, name)(samples)
    assert abs(ours.std() / theirs.std() - 1.0) < 0.01
    assert abs(ours.mean()) < 0.01 * ours.std() * 10
    if "uniform" in name:
        assert abs(np.abs(ours).max() / np.abs(theirs).max() - 1.0) < 0.01
