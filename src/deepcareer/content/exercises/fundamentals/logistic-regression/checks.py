"""Cases and misconceptions for logistic regression."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _naive_loss(X, y, w, b):
    p = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    with np.errstate(all="ignore"):
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def _mse_gradient(X, y, w, b):
    # The gradient of the squared error through the sigmoid, not of the cross-entropy.
    p = ref.sigmoid(X @ w + b)
    err = 2 * (p - y) * p * (1 - p)
    return X.T @ err / len(y), np.sum(err) / len(y)


def _sign_flip(X, y, w, b):
    dw, db = ref.gradients(X, y, w, b)
    return -dw, -db


def _extra_derivative(X, y, w, b):
    # Multiplies by sigmoid'(z) again, as if the cross-entropy did not cancel it.
    p = ref.sigmoid(X @ w + b)
    err = (p - y) * p * (1 - p)
    return X.T @ err / len(y), np.sum(err) / len(y)


def _no_bias(X, w, b):
    return ref.sigmoid(X @ w)


def _linear_proba(X, w, b):
    return X @ w + b


def _random_cases(rng):
    X = rng.normal(size=(8, 3))
    y = (rng.random(8) < 0.5).astype(float)
    w, b = rng.normal(size=3), float(rng.normal())
    return [
        Case("bce_loss", [X, y, w, b], name="random data"),
        Case("gradients", [X, y, w, b], name="random data"),
        Case("predict_proba", [X, w, b], name="random data"),
        Case("gradients", [X[:1], y[:1], w, b], name="random batch of one example"),
    ]


X1 = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.0]])
Y1 = np.array([1.0, 0.0, 1.0])
W1 = np.array([0.5, -0.25])

XX = np.array([[2.0, 1.0], [-2.0, 0.0], [0.0, 1.0], [1.0, -1.0]])  # a batch of 4, D = 2
YX = np.array([0.0, 1.0, 1.0, 0.0])
WX = np.array([400.0, 0.5])  # logits [800.5, -800, 0.5, 399.5]

CHECKS = Checks(
    cases=[
        Case("bce_loss", [X1, Y1, W1, 0.1], name="the README example"),
        Case("bce_loss", [X1, Y1, 400.0 * W1, 0.0], name="confident weights (large logits)"),
        Case("gradients", [X1, Y1, W1, 0.1], name="the README example"),
        Case("gradients", [X1, Y1, np.zeros(2), 0.0], name="from zero weights"),
        # Logits of +-800, past exp's overflow point (about 709.8), each on the wrong side of
        # its label: log(1 + exp(z)) and 1 / (1 + exp(-z)) written directly overflow here.
        Case("bce_loss", [XX, YX, WX, 0.0], name="logits of +-800"),
        Case("gradients", [XX, YX, WX, 0.0], name="logits of +-800"),
        Case("predict_proba", [X1, W1, 0.1], name="the README example"),
    ],
    hidden=[
        Case("bce_loss", [np.eye(3), np.array([1.0, 1.0, 0.0]), np.array([2.0, -1.0, 0.5]),
                          -0.3]),
        Case("gradients", [np.linspace(-1, 1, 8).reshape(4, 2), np.array([0.0, 1.0, 1.0, 0.0]),
                           np.array([1.0, 1.0]), 0.5]),
        Case("predict_proba", [np.array([[800.0, 0.0], [-800.0, 0.0]]), np.ones(2), 0.0]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="logistic-regression.naive-log",
            title="log of a sigmoid computed from exp(-z), which breaks for large logits",
            explanation="For confident predictions the sigmoid rounds to exactly 0 or 1 and "
            "log(0) is -inf. From the logit, -log sigmoid(z) = log(1 + exp(-z)), which "
            "np.logaddexp computes without overflow.",
            hints=["What is your loss for logits near 400?",
                   "Simplify the loss in terms of z before computing it.",
                   "np.mean(np.logaddexp(0, z) - y * z)."],
            replace={"bce_loss": _naive_loss},
        ),
        Misconception(
            id="logistic-regression.mse-gradient",
            title="the gradient of the squared error instead of the cross-entropy",
            explanation="Training a sigmoid with squared error gives gradients scaled by "
            "p (1 - p), which vanish when the unit is confidently wrong; the cross-entropy's "
            "gradient is simply (p - y).",
            hints=["Is your gradient tiny for a confidently wrong prediction?",
                   "d/dz of the cross-entropy of sigmoid(z) is p - y.",
                   "X.T @ (p - y) / N."],
            replace={"gradients": _mse_gradient},
        ),
        Misconception(
            id="logistic-regression.extra-sigmoid-derivative",
            title="multiplying by the sigmoid's derivative on top of (p - y)",
            explanation="The cross-entropy's derivative and the sigmoid's derivative cancel: "
            "dL/dz = p - y already includes the sigmoid. Multiplying by p (1 - p) again counts "
            "it twice.",
            hints=["Write dL/dp and dp/dz, then multiply: what is left?",
                   "(y / p - (1 - y) / (1 - p)) * p (1 - p) simplifies to y - p.",
                   "Use (p - y) directly."],
            replace={"gradients": _extra_derivative},
        ),
        Misconception(
            id="logistic-regression.gradient-sign",
            title="a gradient with the sign flipped (y - p)",
            explanation="Descent on the loss needs d loss / d w = X^T (p - y) / N.",
            hints=["If p > y for every example, should dw push w up or down?",
                   "(p - y), not (y - p).", "X.T @ (p - y) / N."],
            replace={"gradients": _sign_flip},
        ),
        Misconception(
            id="logistic-regression.no-bias",
            title="predicting without the bias",
            explanation="The logit is X w + b; without b the decision boundary must pass through "
            "the origin.",
            hints=["Does predict_proba use b?", "z = X @ w + b.", "sigmoid(X @ w + b)."],
            replace={"predict_proba": _no_bias},
        ),
        Misconception(
            id="logistic-regression.logit-as-probability",
            title="returning the logit as the probability",
            explanation="X w + b can be any real number; the sigmoid maps it into (0, 1).",
            hints=["Are your probabilities between 0 and 1?", "Apply the sigmoid.",
                   "sigmoid(X @ w + b)."],
            replace={"predict_proba": _linear_proba},
        ),
    ],
)
