"""Cases and misconceptions for losses as negative log-likelihoods."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception


def _no_clip(p, y):
    with np.errstate(all="ignore"):
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def _only_positive(p, y):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -np.mean(y * np.log(p))


def _likelihood_not_log(p, y):
    return -np.mean(y * p + (1 - y) * (1 - p))


def _sum_not_mean(p, y):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def _variance_in_log(mu, y, sigma):
    return np.mean((y - mu) ** 2 / (2 * sigma**2) + np.log(sigma**2) + 0.5 * np.log(2 * np.pi))


def _no_constants(mu, y, sigma):
    return np.mean((y - mu) ** 2 / (2 * sigma**2))


def _sigma_not_squared(mu, y, sigma):
    return np.mean((y - mu) ** 2 / (2 * sigma) + np.log(sigma) + 0.5 * np.log(2 * np.pi))


def _scale_offset_no_half(sigma):
    return 1.0 / sigma**2, np.log(sigma) + 0.5 * np.log(2 * np.pi)




def _random_cases(rng):
    return [
        Case("bernoulli_nll", [rng.random(8), (rng.random(8) < 0.5).astype(float)],
             name="random probabilities and labels"),
        Case("gaussian_nll", [rng.normal(size=6), rng.normal(size=6), float(rng.uniform(0.5, 2))],
             name="random predictions, sigma in [0.5, 2]"),
        Case("mse_from_gaussian_nll", [float(rng.uniform(0.2, 3.0))], name="random sigma"),
    ]


CHECKS = Checks(
    cases=[
        Case("bernoulli_nll", [np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0])],
             name="the README example"),
        Case("bernoulli_nll", [np.array([1.0, 0.0]), np.array([0.0, 1.0])],
             name="certain and wrong"),
        Case("gaussian_nll", [np.array([1.0, 2.0]), np.array([1.5, 1.0]), 1.0],
             name="the README example"),
        Case("gaussian_nll", [np.array([0.0]), np.array([0.0]), 0.5], name="sigma 0.5, no error"),
        Case("mse_from_gaussian_nll", [1.0], name="sigma 1"),
        Case("mse_from_gaussian_nll", [0.25], name="sigma 0.25"),
    ],
    hidden=[
        Case("bernoulli_nll", [np.array([[0.5, 0.99], [0.01, 0.3]]),
                               np.array([[1.0, 1.0], [0.0, 1.0]])]),
        Case("gaussian_nll", [np.linspace(-1, 1, 5), np.zeros(5), 2.0]),
        Case("mse_from_gaussian_nll", [3.0]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="likelihood-costs.no-clipping",
            title="taking log(0) for a probability of exactly 0 or 1",
            explanation="A model that is certain and wrong gets an infinite loss; in floating "
            "point that is inf or NaN, which ruins training. Clip probabilities to "
            "[1e-12, 1 - 1e-12] (or work from logits).",
            hints=[
                "What does your loss give for p = 1 and y = 0?",
                "np.log(0) is -inf.",
                "p = np.clip(p, 1e-12, 1 - 1e-12).",
            ],
            replace={"bernoulli_nll": _no_clip},
        ),
        Misconception(
            id="likelihood-costs.positive-term-only",
            title="dropping the (1 - y) log(1 - p) term",
            explanation="The likelihood of a 0 label is 1 - p. Without that term, predicting p = 1 "
            "everywhere costs nothing.",
            hints=[
                "What does your loss charge for a 0 label?",
                "P(y = 0) = 1 - p.",
                "-(y log p + (1 - y) log(1 - p)).",
            ],
            replace={"bernoulli_nll": _only_positive},
        ),
        Misconception(
            id="likelihood-costs.likelihood-not-log",
            title="averaging probabilities instead of log-probabilities",
            explanation="Maximum likelihood maximises the product of probabilities, i.e. the sum "
            "of their logs. The average probability is a different (and badly behaved) objective.",
            hints=[
                "Where is the log?",
                "log turns the product over examples into a sum.",
                "np.log(p) and np.log(1 - p).",
            ],
            replace={"bernoulli_nll": _likelihood_not_log},
        ),
        Misconception(
            id="likelihood-costs.sum-not-mean",
            title="summing the negative log-likelihood instead of averaging it",
            explanation="The convention here is the mean over examples, so the loss does not grow "
            "with the batch.",
            hints=["Does your loss double with a doubled batch?", "Average.", "np.mean(...)."],
            replace={"bernoulli_nll": _sum_not_mean},
        ),
        Misconception(
            id="likelihood-costs.log-variance",
            title="log(sigma^2) instead of log(sigma) in the Gaussian NLL",
            explanation="The density has 1 / (sigma sqrt(2 pi)) in front: its log is "
            "-log(sigma) - 0.5 log(2 pi).",
            hints=[
                "What is log of 1 / (sigma sqrt(2 pi))?",
                "sigma, not sigma squared, in the log term.",
                "np.log(sigma) + 0.5 * np.log(2 * np.pi).",
            ],
            replace={"gaussian_nll": _variance_in_log},
        ),
        Misconception(
            id="likelihood-costs.dropped-constants",
            title="leaving out the normalising constants",
            explanation="For training with fixed sigma the constants do not matter, but the "
            "negative log-likelihood itself includes them: that is what makes it comparable "
            "across models and sigmas.",
            hints=[
                "With no error and sigma 0.5, is the NLL zero?",
                "The density's normaliser contributes log(sigma) + 0.5 log(2 pi).",
                "Add them.",
            ],
            replace={"gaussian_nll": _no_constants},
        ),
        Misconception(
            id="likelihood-costs.sigma-not-squared",
            title="dividing the squared error by 2 sigma instead of 2 sigma^2",
            explanation="The exponent of the Gaussian is -(y - mu)^2 / (2 sigma^2).",
            hints=[
                "Check the units: (y - mu)^2 over what?",
                "The variance is sigma squared.",
                "/ (2 * sigma ** 2).",
            ],
            replace={"gaussian_nll": _sigma_not_squared},
        ),
        Misconception(
            id="likelihood-costs.scale-missing-half",
            title="a scale of 1 / sigma^2 instead of 1 / (2 sigma^2)",
            explanation="Reading the NLL as scale * mse + offset: the squared error is divided by "
            "2 sigma^2.",
            hints=[
                "With sigma = 1, how does the NLL change when the MSE grows by 1?",
                "By one half.",
                "scale = 1 / (2 * sigma ** 2).",
            ],
            replace={"mse_from_gaussian_nll": _scale_offset_no_half},
        ),
    ],
)
