# expect: likelihood-costs.no-clipping|check:numerically stable
# bug: log(0)
# batch: held-out
"""The two most common losses are maximum likelihood in disguise."""

import numpy as np

EPS = 1e-12


def bernoulli_nll(p, y):
    """Mean negative log-likelihood of labels y in {0, 1} under probabilities p (same shape)."""
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def gaussian_nll(mu, y, sigma):
    """Mean negative log-likelihood of targets y under N(mu, sigma^2), sigma a fixed float."""
    return np.mean((y - mu) ** 2 / (2 * sigma**2) + np.log(sigma) + 0.5 * np.log(2 * np.pi))


def mse_from_gaussian_nll(sigma):
    """The (scale, offset) with gaussian_nll = scale * mse + offset for this sigma."""
    return 1.0 / (2 * sigma**2), np.log(sigma) + 0.5 * np.log(2 * np.pi)
