"""Maximum-likelihood estimates, in closed form and by gradient ascent."""

import numpy as np


def mle_bernoulli(x):
    """x: (n,) array of 0s and 1s. Returns the MLE of p."""
    # BEGIN SOLUTION: the fraction of ones
    return np.mean(x)
    # END SOLUTION


def mle_gaussian(x):
    """x: (n,) floats. Returns the tuple (mu, sigma) of maximum likelihood."""
    # BEGIN SOLUTION: sample mean, and the root of the mean squared deviation (divide by n)
    mu = np.mean(x)
    sigma = np.sqrt(np.mean((x - mu) ** 2))
    return mu, sigma
    # END SOLUTION


def mle_poisson(k):
    """k: (n,) non-negative integer counts. Returns the MLE of the rate lambda."""
    # BEGIN SOLUTION: the mean count
    return np.mean(k)
    # END SOLUTION


def mle_exponential(x):
    """x: (n,) positive waiting times. Returns the MLE of the rate (events per unit time)."""
    # BEGIN SOLUTION: one over the mean waiting time
    return 1.0 / np.mean(x)
    # END SOLUTION


def poisson_rate_by_ascent(k, lr, steps, theta0):
    """Maximise the average Poisson log-likelihood over theta = log(lambda).

    Start at theta0, take `steps` gradient-ascent steps of size lr, return exp(theta).
    """
    # BEGIN SOLUTION: the gradient of mean(k * theta - exp(theta) - log k!) is mean(k) - exp(theta)
    theta = theta0
    for _ in range(steps):
        theta = theta + lr * (np.mean(k) - np.exp(theta))
    return np.exp(theta)
    # END SOLUTION
