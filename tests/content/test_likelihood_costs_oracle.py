"""likelihood-costs: against scipy.stats log densities, and the MSE identity."""

import numpy as np
import pytest
from scipy import stats

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("likelihood-costs")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_against_scipy(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "bernoulli_nll":
            p, y = case.args
            clipped = np.clip(p, 1e-12, 1 - 1e-12)
            want = -np.mean(stats.bernoulli.logpmf(y.astype(int), clipped))
            assert REF.bernoulli_nll(p, y) == pytest.approx(want, rel=1e-10)
        elif case.call == "gaussian_nll":
            mu, y, sigma = case.args
            want = -np.mean(stats.norm.logpdf(y, loc=mu, scale=sigma))
            assert REF.gaussian_nll(mu, y, sigma) == pytest.approx(want, rel=1e-10)
        else:
            (sigma,) = case.args
            scale, offset = REF.mse_from_gaussian_nll(sigma)
            rng = np.random.default_rng(seed)
            mu, y = rng.normal(size=10), rng.normal(size=10)
            mse = np.mean((y - mu) ** 2)
            assert REF.gaussian_nll(mu, y, sigma) == pytest.approx(scale * mse + offset)
