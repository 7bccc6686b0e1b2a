"""mle: the reference against SciPy's fitting and a numerical optimiser."""

import numpy as np
import pytest
from scipy import optimize, stats

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("mle")
REF = EX.reference


def _numeric_mle(logpmf, data, x0, bounds):
    result = optimize.minimize_scalar(lambda t: -np.sum(logpmf(data, t)), bounds=bounds,
                                      method="bounded", options={"xatol": 1e-10})
    return result.x


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_scipy_on_graded_cases(seed: int) -> None:
    for case in build_cases(EX, seed):
        (data, *rest) = case.args
        if case.call == "mle_bernoulli":
            want = _numeric_mle(stats.bernoulli.logpmf, data, 0.5, (1e-9, 1 - 1e-9))
            assert REF.mle_bernoulli(data) == pytest.approx(want, abs=1e-6)
        elif case.call == "mle_gaussian":
            loc, scale = stats.norm.fit(data)
            np.testing.assert_allclose(REF.mle_gaussian(data), (loc, scale), rtol=1e-6)
        elif case.call == "mle_poisson":
            want = _numeric_mle(stats.poisson.logpmf, data, 1.0, (1e-9, 100))
            assert REF.mle_poisson(data) == pytest.approx(want, rel=1e-6)
        elif case.call == "mle_exponential":
            _, scale = stats.expon.fit(data, floc=0)
            assert REF.mle_exponential(data) == pytest.approx(1.0 / scale, rel=1e-9)
        else:
            lr, steps, theta0 = rest
            theta = theta0
            for _ in range(steps):  # the same ascent, on scipy's log-likelihood
                eps = 1e-6  # central differences of the mean log-pmf
                grad = (np.mean(stats.poisson.logpmf(data, np.exp(theta + eps)))
                        - np.mean(stats.poisson.logpmf(data, np.exp(theta - eps)))) / (2 * eps)
                theta = theta + lr * grad
            assert REF.poisson_rate_by_ascent(data, lr, steps, theta0) == pytest.approx(
                np.exp(theta), rel=1e-6)


def test_ascent_converges_to_the_closed_form() -> None:
    k = np.random.default_rng(0).poisson(3.0, size=50)
    assert REF.poisson_rate_by_ascent(k, 0.1, 500, 0.0) == pytest.approx(np.mean(k), rel=1e-8)
