"""Cases and misconceptions for the bias-variance decomposition."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, Property, load_reference

ref = load_reference(__file__)


def _no_resample(x, y, degree, boot_idx, x_grid):
    coeffs = np.polyfit(x, y, degree)
    return np.tile(np.polyval(coeffs, x_grid), (len(boot_idx), 1))


def _ddof_one(preds, f_true):
    bias_sq, _, mse = ref.decompose(preds, f_true)
    return bias_sq, np.mean(preds.var(axis=0, ddof=1)), mse


def _bias_not_squared(preds, f_true):
    _, variance, mse = ref.decompose(preds, f_true)
    return np.mean(preds.mean(axis=0) - f_true), variance, mse


def _bias_from_each_fit(preds, f_true):
    _, variance, mse = ref.decompose(preds, f_true)
    return np.mean((preds - f_true) ** 2), variance, mse


def _square_after_grid_mean(preds, f_true):
    _, variance, mse = ref.decompose(preds, f_true)
    return (np.mean(preds) - np.mean(f_true)) ** 2, variance, mse


def _adds_up(case, out):
    try:
        bias_sq, variance, mse = (float(v) for v in out)
    except (TypeError, ValueError):
        return None
    if not np.isclose(bias_sq + variance, mse, rtol=1e-9, atol=1e-12):
        return (f"bias^2 + variance = {bias_sq + variance:.6g} but the mean squared error is "
                f"{mse:.6g}: the decomposition must add up")
    return None


def _problem(rng, n, boots):
    x = np.sort(rng.uniform(-1, 1, size=n))
    y = np.sin(3 * x) + 0.2 * rng.normal(size=n)
    return x, y, rng.integers(0, n, size=(boots, n))


def _random_cases(rng):
    x, y, idx = _problem(rng, 15, 6)
    grid = np.linspace(-1, 1, 9)
    preds = rng.normal(size=(5, 7)) + np.linspace(0, 1, 7)
    return [
        Case("bootstrap_predictions", [x, y, 3, idx, grid], name="random data, degree 3"),
        Case("decompose", [preds, np.linspace(0, 1, 7)], name="random predictions"),
    ]


RNG = np.random.default_rng(7)
X, Y, IDX = _problem(RNG, 12, 5)
GRID = np.linspace(-0.9, 0.9, 7)
P1 = np.array([[1.0, 2.0], [3.0, 2.0], [2.0, 5.0]])
F1 = np.array([1.0, 3.0])

CHECKS = Checks(
    cases=[
        Case("decompose", [P1, F1], name="the README example"),
        Case("bootstrap_predictions", [X, Y, 1, IDX, GRID], name="straight lines"),
        Case("bootstrap_predictions", [X, Y, 5, IDX, GRID], name="degree 5"),
        Case("decompose", [ref.bootstrap_predictions(X, Y, 5, IDX, GRID), np.sin(3 * GRID)],
             name="degree-5 fits of sin(3x)"),
    ],
    hidden=[
        Case("decompose", [np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]), np.zeros(3)]),
        Case("bootstrap_predictions", [np.linspace(0, 1, 6), np.array([0.0, 1, 0, 1, 0, 1]), 2,
                                       np.array([[0, 1, 2, 3, 4, 5], [5, 5, 4, 3, 2, 0]]),
                                       np.array([0.25, 0.75])]),
    ],
    random_cases=_random_cases,
    properties=[Property("bias^2 + variance = MSE", _adds_up, calls=("decompose",))],
    misconceptions=[
        Misconception(
            id="bias-variance.no-resampling",
            title="fitting every 'bootstrap' model on the original data",
            explanation="The variance of a method is how much its fit changes when the training "
            "sample changes. Refitting on the same data gives identical fits and zero variance.",
            hints=[
                "Are your B rows of predictions all the same?",
                "Each fit uses the resample boot_idx[b].",
                "np.polyfit(x[idx], y[idx], degree).",
            ],
            replace={"bootstrap_predictions": _no_resample},
        ),
        Misconception(
            id="bias-variance.variance-ddof-one",
            title="the variance across fits with ddof=1",
            explanation="The decomposition mse = bias^2 + variance is exact with the population "
            "variance (divide by B). With B - 1 it no longer adds up.",
            hints=[
                "Does your bias^2 + variance equal your mse?",
                "Divide by the number of fits.",
                "preds.var(axis=0) with the default ddof=0.",
            ],
            replace={"decompose": _ddof_one},
        ),
        Misconception(
            id="bias-variance.bias-not-squared",
            title="averaging the signed bias instead of its square",
            explanation="Positive and negative biases at different grid points cancel; the "
            "decomposition uses the squared bias at each point.",
            hints=[
                "Can your bias term be negative?",
                "Square at each grid point, then average.",
                "np.mean((mean_pred - f_true) ** 2).",
            ],
            replace={"decompose": _bias_not_squared},
        ),
        Misconception(
            id="bias-variance.bias-from-each-fit",
            title="measuring the bias as the average error of each fit",
            explanation="That is the mean squared error, which already contains the variance. "
            "The bias is the error of the AVERAGE prediction.",
            hints=[
                "Is your bias^2 equal to your mse?",
                "Average the predictions over the fits first.",
                "mean_pred = preds.mean(axis=0); bias^2 from mean_pred.",
            ],
            replace={"decompose": _bias_from_each_fit},
        ),
        Misconception(
            id="bias-variance.average-before-squaring",
            title="averaging over the grid before squaring the bias",
            explanation="The bias is a function of x: a fit can be too high on the left and too "
            "low on the right. Square it point by point, then average over the grid.",
            hints=[
                "Which do you do first: average over x or square?",
                "Square (mean_pred - f_true) at every grid point.",
                "np.mean((mean_pred - f_true) ** 2).",
            ],
            replace={"decompose": _square_after_grid_mean},
        ),
    ],
)
