"""Cases and misconceptions for RMSProp."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception


def _eps_inside(w, grad, sq_avg, lr, alpha, eps):
    sq_avg = alpha * sq_avg + (1.0 - alpha) * grad * grad
    return w - lr * grad / np.sqrt(sq_avg + eps), sq_avg


def _no_square(w, grad, sq_avg, lr, alpha, eps):
    sq_avg = alpha * sq_avg + (1.0 - alpha) * np.abs(grad)
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def _swapped_alpha(w, grad, sq_avg, lr, alpha, eps):
    sq_avg = (1.0 - alpha) * sq_avg + alpha * grad * grad
    return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def _no_sqrt(w, grad, sq_avg, lr, alpha, eps):
    sq_avg = alpha * sq_avg + (1.0 - alpha) * grad * grad
    return w - lr * grad / (sq_avg + eps), sq_avg


def _old_average(w, grad, sq_avg, lr, alpha, eps):
    new = alpha * sq_avg + (1.0 - alpha) * grad * grad
    return w - lr * grad / (np.sqrt(sq_avg) + eps), new


def _random_cases(rng):
    return [
        Case("rmsprop_step", [rng.normal(size=(2, 3)), rng.normal(size=(2, 3)),
                              rng.random((2, 3)), 0.01, 0.99, 1e-8], name="random 2 x 3"),
        Case("rmsprop_step", [rng.normal(size=4), rng.normal(size=4), rng.random(4), 0.1, 0.9,
                              1e-8], name="random vector"),
        Case("rmsprop_step", [rng.normal(size=3), rng.normal(size=3), np.zeros(3), 0.05, 0.9,
                              0.1], name="random first step, large eps"),
    ]


W = np.array([1.0, 2.0])
G = np.array([0.5, -2.0])
S = np.array([0.25, 1.0])

def _average_of_gradient(w, grad, sq_avg, lr, alpha, eps):
    sq_avg = alpha * sq_avg + (1.0 - alpha) * grad
    with np.errstate(invalid="ignore"):
        return w - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


CHECKS = Checks(
    cases=[
        Case("rmsprop_step", [W, G, S, 0.1, 0.9, 1e-8], name="the README example"),
        Case("rmsprop_step", [W, G, np.zeros(2), 0.1, 0.9, 1e-8], name="the first step"),
        Case("rmsprop_step", [W, np.array([1e-3, 10.0]), np.array([1e-6, 100.0]), 0.01, 0.9,
                              0.01], name="tiny and huge gradients, eps = 0.01"),
        Case("rmsprop_step", [W, G, S, 0.1, 0.5, 0.5], name="alpha = 0.5, eps = 0.5"),
    ],
    hidden=[
        Case("rmsprop_step", [np.zeros(3), np.array([1.0, -1.0, 0.5]), np.ones(3), 0.2, 0.8,
                              1e-8]),
        Case("rmsprop_step", [np.ones((2, 2)), np.full((2, 2), 3.0), np.full((2, 2), 4.0), 0.05,
                              0.99, 1e-6]),
        Case("rmsprop_step", [np.array([5.0]), np.array([0.2]), np.array([0.0]), 1.0, 0.7,
                              0.3]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="rmsprop.averages-gradient",
            title="averaging the gradient instead of its square",
            explanation="RMSprop divides by the root of a running mean of SQUARED gradients: the "
            "typical size of each coordinate's gradient, whatever its sign. A running mean of the "
            "gradient itself can be negative (its square root is NaN) or near zero.",
            hints=["What should sq_avg hold, whatever the gradient's sign?",
                   "Square the gradient before averaging it.",
                   "sq_avg = alpha * sq_avg + (1 - alpha) * grad * grad."],
            replace={"rmsprop_step": _average_of_gradient},
        ),
        Misconception(
            id="rmsprop.eps-inside-sqrt",
            title="putting eps inside the square root",
            explanation="The convention here (and PyTorch's) adds eps to the root: "
            "sqrt(s) + eps. sqrt(s + eps) differs noticeably when s is small, which is exactly "
            "when eps matters.",
            hints=[
                "Look at the case with eps = 0.01 and a tiny gradient.",
                "eps protects the division, so it belongs next to the divisor.",
                "grad / (np.sqrt(sq_avg) + eps).",
            ],
            replace={"rmsprop_step": _eps_inside},
        ),
        Misconception(
            id="rmsprop.abs-not-square",
            title="averaging |grad| instead of grad squared",
            explanation="RMSProp is the Root of the Mean of Squares: average g^2, then take the "
            "square root. Averaging |g| gives a different scale.",
            hints=[
                "What does the R-M-S in the name stand for?",
                "The running average is of grad * grad.",
                "sq_avg = alpha * sq_avg + (1 - alpha) * grad ** 2.",
            ],
            replace={"rmsprop_step": _no_square},
        ),
        Misconception(
            id="rmsprop.alpha-swapped",
            title="weighting the new squared gradient by alpha instead of (1 - alpha)",
            explanation="alpha (0.9 or 0.99) is the weight of the past: the average changes "
            "slowly. Swapping the weights makes it forget almost everything each step.",
            hints=[
                "With alpha = 0.99, how much should one new gradient move the average?",
                "The old average keeps weight alpha.",
                "alpha * sq_avg + (1 - alpha) * grad * grad.",
            ],
            replace={"rmsprop_step": _swapped_alpha},
        ),
        Misconception(
            id="rmsprop.no-sqrt",
            title="dividing by the mean square instead of its root",
            explanation="Dividing by s = E[g^2] makes the step scale like 1/g, not like a "
            "normalised unit step; the root makes grad / sqrt(s) dimensionless.",
            hints=[
                "If every gradient doubles, should the step change?",
                "grad / sqrt(E[grad^2]) is about +-1 whatever the gradient's scale.",
                "Divide by np.sqrt(sq_avg) + eps.",
            ],
            replace={"rmsprop_step": _no_sqrt},
        ),
        Misconception(
            id="rmsprop.stale-average",
            title="scaling the step by the average from before this gradient",
            explanation="Update the running average with this step's gradient first, then use "
            "it; otherwise the first step divides by sqrt(0) + eps and explodes.",
            hints=[
                "How large is your first step from sq_avg = 0?",
                "Which average contains the current gradient?",
                "Compute the new sq_avg, then use it in the step.",
            ],
            replace={"rmsprop_step": _old_average},
        ),
    ],
)
