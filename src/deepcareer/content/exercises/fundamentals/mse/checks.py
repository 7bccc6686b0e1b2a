"""Cases and misconceptions for mean squared error."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception


def _sum_loss(pred, target):
    return np.sum((pred - target) ** 2)


def _sum_grad(pred, target):
    return 2.0 * (pred - target)


def _no_two(pred, target):
    return (pred - target) / pred.size


def _sign(pred, target):
    return 2.0 * (target - pred) / pred.size


def _batch_only_loss(pred, target):
    return np.sum((pred - target) ** 2) / pred.shape[0]


def _batch_only_grad(pred, target):
    return 2.0 * (pred - target) / pred.shape[0]


def _rmse(pred, target):
    return np.sqrt(np.mean((pred - target) ** 2))


def _abs(pred, target):
    return np.mean(np.abs(pred - target))


def _random_cases(rng):
    return [
        Case("mse", [rng.normal(size=(4, 3)), rng.normal(size=(4, 3))], name="random 4 x 3"),
        Case("mse", [rng.normal(size=6), rng.normal(size=6)], name="random vector"),
        Case("mse_grad", [rng.normal(size=(5, 2)), rng.normal(size=(5, 2))],
             name="random 5 x 2"),
        Case("mse_grad", [rng.normal(size=7), rng.normal(size=7)], name="random vector"),
    ]


P = np.array([2.5, 0.0, 2.0, 8.0])
T = np.array([3.0, -0.5, 2.0, 7.0])
P2 = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, -1.0]])
T2 = np.array([[0.0, 2.0], [3.5, 2.0], [1.0, 1.0]])

CHECKS = Checks(
    cases=[
        Case("mse", [P, T], name="the README example"),
        Case("mse", [P2, T2], name="a 3 x 2 batch"),
        Case("mse", [T, T], name="a perfect prediction"),
        Case("mse_grad", [P, T], name="the README example"),
        Case("mse_grad", [P2, T2], name="a 3 x 2 batch"),
    ],
    hidden=[
        Case("mse", [np.array([[0.1, 0.4, -0.3]]), np.array([[0.0, 0.0, 0.0]])]),
        Case("mse", [np.linspace(-1, 1, 10).reshape(5, 2), np.zeros((5, 2))]),
        Case("mse_grad", [np.linspace(0, 3, 6).reshape(2, 3), np.ones((2, 3))]),
        Case("mse_grad", [np.array([4.0]), np.array([1.0])]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="mse.sum-not-mean",
            title="summing the squared errors instead of averaging them",
            explanation="The mean makes the loss (and the step size that suits it) independent "
            "of how many elements there are. Summing makes both grow with the batch.",
            hints=[
                "Does your loss change if you duplicate every example?",
                "Divide by the number of elements, pred.size.",
                "np.mean((pred - target) ** 2), and 2 * (pred - target) / pred.size for the "
                "gradient.",
            ],
            replace={"mse": _sum_loss, "mse_grad": _sum_grad},
        ),
        Misconception(
            id="mse.grad-missing-two",
            title="a gradient without the factor 2 from the square",
            explanation="d/dp (p - t)^2 = 2 (p - t). Some texts define the loss with a 1/2 in "
            "front to cancel it, but this loss has none, so the 2 stays.",
            hints=[
                "Compare your gradient with a finite difference of your loss.",
                "What is the derivative of x^2?",
                "2 * (pred - target) / pred.size.",
            ],
            replace={"mse_grad": _no_two},
        ),
        Misconception(
            id="mse.grad-sign",
            title="a gradient with the sign flipped (target - pred)",
            explanation="If the prediction is too high, increasing it further increases the loss, "
            "so the gradient must be positive there: pred - target.",
            hints=[
                "If pred > target, should the gradient be positive or negative?",
                "Differentiate with respect to pred, not target.",
                "Use (pred - target), not (target - pred).",
            ],
            replace={"mse_grad": _sign},
        ),
        Misconception(
            id="mse.batch-only",
            title="dividing by the number of rows instead of the number of elements",
            explanation="This loss averages over every element. Dividing by the batch size N "
            "alone gives a sum over the other axes, which is a different (also common) "
            "convention; here it is wrong by a factor of the row length.",
            hints=[
                "For a 3 x 2 input, how many squared errors are there?",
                "pred.shape[0] counts rows; pred.size counts elements.",
                "Divide by pred.size in both functions.",
            ],
            replace={"mse": _batch_only_loss, "mse_grad": _batch_only_grad},
        ),
        Misconception(
            id="mse.rmse",
            title="taking the square root (RMSE) instead of the mean square",
            explanation="RMSE is handy for reporting in the units of the target, but the loss "
            "we train with is the mean of the squares, whose gradient is simpler.",
            hints=[
                "Is your loss the square of something?",
                "MSE = mean of squares; RMSE = sqrt(MSE).",
                "Drop the np.sqrt.",
            ],
            replace={"mse": _rmse},
        ),
        Misconception(
            id="mse.absolute",
            title="averaging absolute errors (MAE) instead of squared errors",
            explanation="Absolute error is another loss (robust to outliers, with a constant "
            "gradient); squared error punishes large errors more and is the maximum-likelihood "
            "loss for Gaussian noise.",
            hints=[
                "Square the differences rather than taking their absolute value.",
                "An error of 2 should cost 4, not 2.",
                "np.mean((pred - target) ** 2).",
            ],
            replace={"mse": _abs},
        ),
    ],
)
