"""Cases and misconceptions for linear regression by gradient descent."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _grad_no_two(X, y, w, b):
    dw, db = ref.gradients(X, y, w, b)
    return dw / 2.0, db / 2.0


def _grad_sum(X, y, w, b):
    dw, db = ref.gradients(X, y, w, b)
    return dw * X.shape[0], db * X.shape[0]


def _grad_sign(X, y, w, b):
    dw, db = ref.gradients(X, y, w, b)
    return -dw, -db


def _fit_with(grad):
    def fit(X, y, lr, steps):
        w, b = np.zeros(X.shape[1]), 0.0
        for _ in range(steps):
            dw, db = grad(X, y, w, b)
            w = w - lr * dw
            b = b - lr * db
        return w, b

    return fit


def _fit_sequential(X, y, lr, steps):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        dw, _ = ref.gradients(X, y, w, b)
        w = w - lr * dw
        _, db = ref.gradients(X, y, w, b)  # uses the already-updated w
        b = b - lr * db
    return w, b


def _fit_frozen_bias(X, y, lr, steps):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        dw, _ = ref.gradients(X, y, w, b)
        w = w - lr * dw
    return w, b


def _fit_uphill(X, y, lr, steps):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        dw, db = ref.gradients(X, y, w, b)
        w = w + lr * dw
        b = b + lr * db
    return w, b


def _db_mean_of_targets(X, y, w, b):
    dw, _ = ref.gradients(X, y, w, b)
    return dw, 2.0 / X.shape[0] * np.sum(b - y)


def _random_cases(rng):
    X = rng.normal(size=(8, 3))
    y = X @ rng.normal(size=3) + rng.normal() + 0.1 * rng.normal(size=8)
    return [
        Case("predict", [X, rng.normal(size=3), float(rng.normal())], name="random data"),
        Case("gradients", [X, y, rng.normal(size=3), float(rng.normal())], name="random data"),
        Case("fit", [X, y, 0.05, 25], name="random data, 25 steps"),
        Case("gradients", [X[:1], y[:1], rng.normal(size=3), float(rng.normal())],
             name="random batch of one example"),
    ]


X1 = np.array([[1.0, 2.0], [2.0, 0.0], [3.0, 1.0]])
Y1 = np.array([3.0, 2.0, 5.0])
W1 = np.array([0.5, -1.0])

CHECKS = Checks(
    cases=[
        Case("predict", [X1, W1, 1.0], name="the README example"),
        Case("gradients", [X1, Y1, W1, 1.0], name="the README example"),
        Case("gradients", [X1, Y1, np.zeros(2), 0.0], name="starting from zero"),
        Case("fit", [X1, Y1, 0.05, 1], name="one step"),
        Case("fit", [X1, Y1, 0.05, 3], name="three steps"),
        Case("fit", [X1, Y1, 0.02, 200], name="200 steps"),
    ],
    hidden=[
        Case("predict", [np.eye(3), np.array([1.0, 2.0, 3.0]), -0.5]),
        Case("gradients", [np.linspace(-1, 1, 8).reshape(4, 2), np.array([1.0, -1.0, 0.5, 2.0]),
                           np.array([0.3, -0.2]), 0.7]),
        Case("fit", [np.linspace(0, 1, 10).reshape(5, 2), np.array([0.0, 1.0, 2.0, 1.5, 3.0]),
                     0.1, 10]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="linear-regression-gd.grad-missing-two",
            title="gradients without the factor 2 from the square",
            explanation="d/dr r^2 = 2r. Dropping the 2 halves every step: descent still works, "
            "but it is not the gradient of this loss (and fit takes different steps).",
            hints=[
                "Compare your dw with a finite difference of the loss.",
                "The loss squares the residuals; what does the square contribute?",
                "dw = 2/N X^T r and db = 2/N sum(r).",
            ],
            replace={"gradients": _grad_no_two, "fit": _fit_with(_grad_no_two)},
        ),
        Misconception(
            id="linear-regression-gd.sum-not-mean",
            title="gradients of the summed loss instead of the mean",
            explanation="The loss averages over the N examples, so its gradient carries a 1/N. "
            "Without it the steps grow with the dataset, and a learning rate that worked on "
            "100 examples diverges on 10,000.",
            hints=[
                "Does your gradient double if you duplicate every example?",
                "The mean divides by N; so does its gradient.",
                "Multiply by 2 / N, where N = X.shape[0].",
            ],
            replace={"gradients": _grad_sum, "fit": _fit_with(_grad_sum)},
        ),
        Misconception(
            id="linear-regression-gd.uphill",
            title="stepping up the gradient instead of down",
            explanation="The gradient points towards increasing loss. Descent subtracts it: "
            "w <- w - lr * dw. Adding it makes the loss grow every step.",
            hints=[
                "Print the loss after each step: is it falling?",
                "The gradient points uphill.",
                "w = w - lr * dw and b = b - lr * db.",
            ],
            replace={"fit": _fit_uphill},
        ),
        Misconception(
            id="linear-regression-gd.grad-sign",
            title="residuals taken as y - prediction in the gradient",
            explanation="With r = y - Xw - b the formula 2/N X^T r is minus the gradient. The "
            "residual in the gradient of (Xw + b - y)^2 is prediction minus target.",
            hints=[
                "If every prediction is too high, should dL/db be positive or negative?",
                "Differentiate (pred - y)^2 with respect to pred: 2 (pred - y).",
                "residual = predict(X, w, b) - y.",
            ],
            replace={"gradients": _grad_sign, "fit": _fit_with(_grad_sign)},
        ),
        Misconception(
            id="linear-regression-gd.sequential-update",
            title="updating w, then computing the bias gradient at the new w",
            explanation="Gradient descent evaluates the whole gradient at one point and moves "
            "every parameter at once. Recomputing db after w has moved mixes two different "
            "points.",
            hints=[
                "Where in your loop is db computed, before or after w changes?",
                "Compute dw and db together, from the same w and b.",
                "dw, db = gradients(X, y, w, b); then update both.",
            ],
            replace={"fit": _fit_sequential},
        ),
        Misconception(
            id="linear-regression-gd.frozen-bias",
            title="never updating the bias",
            explanation="The bias is a parameter like the weights; without updating it the "
            "fitted line is forced through the origin.",
            hints=[
                "What is your b after fitting?",
                "b has a gradient too: 2/N sum(r).",
                "b = b - lr * db inside the loop.",
            ],
            replace={"fit": _fit_frozen_bias},
        ),
        Misconception(
            id="linear-regression-gd.db-ignores-prediction",
            title="a bias gradient that leaves out the features' contribution",
            explanation="db = 2/N sum(X w + b - y): the bias gradient depends on the whole "
            "prediction, not just on b and y.",
            hints=[
                "Does your db change when w changes? It should.",
                "The residual is the full prediction minus the target.",
                "db = 2 / N * np.sum(predict(X, w, b) - y).",
            ],
            replace={"gradients": _db_mean_of_targets, "fit": _fit_with(_db_mean_of_targets)},
        ),
    ],
)
