"""Cases and misconceptions for maximum-likelihood estimation."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception


def _bernoulli_count(x):
    return np.sum(x)


def _gaussian_unbiased(x):
    return np.mean(x), np.std(x, ddof=1)


def _gaussian_variance(x):
    mu = np.mean(x)
    return mu, np.mean((x - mu) ** 2)


def _exponential_scale(x):
    return np.mean(x)


def _poisson_median(k):
    return np.median(k)


def _descent(k, lr, steps, theta0):
    theta = theta0
    for _ in range(steps):
        theta = theta - lr * (np.mean(k) - np.exp(theta))
    return np.exp(theta)


def _summed_gradient(k, lr, steps, theta0):
    theta = theta0
    for _ in range(steps):
        theta = theta + lr * (np.sum(k) - len(k) * np.exp(theta))
    return np.exp(theta)


def _returns_theta(k, lr, steps, theta0):
    theta = theta0
    for _ in range(steps):
        theta = theta + lr * (np.mean(k) - np.exp(theta))
    return theta


def _random_cases(rng):
    return [
        Case("mle_bernoulli", [(rng.random(20) < 0.3).astype(np.int64)], name="random coin flips"),
        Case("mle_gaussian", [rng.normal(2.0, 3.0, size=15)], name="random Gaussian sample"),
        Case("mle_poisson", [rng.poisson(4.0, size=12)], name="random counts"),
        Case("mle_exponential", [rng.exponential(0.5, size=10)], name="random waiting times"),
        Case("poisson_rate_by_ascent", [rng.poisson(3.0, size=8), 0.05, 20, 0.0],
             name="random counts, 20 steps"),
    ]


CHECKS = Checks(
    cases=[
        Case("mle_bernoulli", [np.array([1, 0, 1, 1, 0], dtype=np.int64)],
             name="the README example"),
        Case("mle_gaussian", [np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])],
             name="the README example"),
        Case("mle_poisson", [np.array([2, 0, 3, 1, 4], dtype=np.int64)], name="the README example"),
        Case("mle_poisson", [np.array([0, 0, 1, 5, 9, 9], dtype=np.int64)],
             name="mean and median differ"),
        Case("mle_exponential", [np.array([0.5, 1.5, 1.0])], name="the README example"),
        Case("poisson_rate_by_ascent", [np.array([2, 0, 3, 1, 4], dtype=np.int64), 0.1, 1, 0.0],
             name="one step from theta = 0"),
        Case("poisson_rate_by_ascent", [np.array([2, 0, 3, 1, 4], dtype=np.int64), 0.1, 200, 0.0],
             name="200 steps converge to the mean"),
    ],
    hidden=[
        Case("mle_bernoulli", [np.array([0, 0, 0, 1], dtype=np.int64)]),
        Case("mle_gaussian", [np.array([-1.0, 1.0, 3.0])]),
        Case("mle_exponential", [np.array([0.1, 0.2, 0.3, 0.4])]),
        Case("poisson_rate_by_ascent", [np.array([5, 7, 6], dtype=np.int64), 0.02, 10, 1.0]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="mle.gaussian-unbiased-sigma",
            title="dividing by n - 1 in the Gaussian sigma",
            explanation="The n - 1 (Bessel) correction makes the variance estimate unbiased, but "
            "it is not the maximum-likelihood estimate: setting the derivative of the "
            "log-likelihood to zero gives a division by n.",
            hints=[
                "Which ddof does the likelihood give you?",
                "Differentiate -n log sigma - sum (x - mu)^2 / (2 sigma^2) with respect to "
                "sigma.",
                "sigma = sqrt(mean((x - mu) ** 2)), i.e. np.std(x, ddof=0).",
            ],
            replace={"mle_gaussian": _gaussian_unbiased},
            reteach="Maximum likelihood and unbiasedness are different criteria. The MLE of the "
            "variance is biased low by a factor (n - 1) / n, which vanishes as n grows.",
        ),
        Misconception(
            id="mle.gaussian-variance-as-sigma",
            title="returning the variance where sigma (the standard deviation) is asked for",
            explanation="sigma is the square root of the variance.",
            hints=[
                "What are the units of your sigma compared with the data's?",
                "sigma^2 is the variance.",
                "Take the square root.",
            ],
            replace={"mle_gaussian": _gaussian_variance},
        ),
        Misconception(
            id="mle.exponential-scale",
            title="returning the mean waiting time as the rate",
            explanation="The exponential has two parameterisations: rate lambda (events per unit "
            "time) and scale 1 / lambda (mean waiting time). The MLE of the scale is the mean, "
            "so the rate's is one over it. SciPy's expon uses the scale.",
            hints=[
                "If you wait 2 minutes on average, how many events per minute is that?",
                "rate = 1 / scale.",
                "1 / np.mean(x).",
            ],
            replace={"mle_exponential": _exponential_scale},
        ),
        Misconception(
            id="mle.bernoulli-count",
            title="returning the number of successes instead of their fraction",
            explanation="p is a probability, in [0, 1]: successes divided by trials.",
            hints=[
                "Is your p between 0 and 1?",
                "Divide by the number of trials.",
                "np.mean(x).",
            ],
            replace={"mle_bernoulli": _bernoulli_count},
        ),
        Misconception(
            id="mle.poisson-median",
            title="estimating the Poisson rate with the median",
            explanation="The median is a robust summary, but the likelihood's maximum is at the "
            "mean: d/d lambda of sum(k log lambda - lambda) = sum(k) / lambda - n.",
            hints=[
                "Set the derivative of the log-likelihood to zero.",
                "sum(k) / lambda = n.",
                "np.mean(k).",
            ],
            replace={"mle_poisson": _poisson_median},
        ),
        Misconception(
            id="mle.descent-not-ascent",
            title="stepping down the log-likelihood gradient",
            explanation="We MAXIMISE the likelihood: move along the gradient (or, equivalently, "
            "descend the negative log-likelihood).",
            hints=[
                "Does your log-likelihood go up after a step?",
                "Ascent adds the gradient.",
                "theta = theta + lr * (mean(k) - exp(theta)).",
            ],
            replace={"poisson_rate_by_ascent": _descent},
        ),
        Misconception(
            id="mle.summed-gradient",
            title="stepping with the summed log-likelihood's gradient (n times too large)",
            explanation="The step size here applies to the AVERAGE log-likelihood. The sum's "
            "gradient is n times larger, so the same lr takes n-times larger steps.",
            hints=[
                "Does your step depend on the number of observations?",
                "Average the gradient over the sample.",
                "mean(k) - exp(theta).",
            ],
            replace={"poisson_rate_by_ascent": _summed_gradient},
        ),
        Misconception(
            id="mle.returns-log-rate",
            title="returning theta (the log-rate) instead of the rate",
            explanation="The optimisation runs on theta = log(lambda) so that lambda stays "
            "positive; the answer is lambda = exp(theta).",
            hints=[
                "Can your rate be negative?",
                "Undo the reparameterisation at the end.",
                "return np.exp(theta).",
            ],
            replace={"poisson_rate_by_ascent": _returns_theta},
        ),
    ],
)
