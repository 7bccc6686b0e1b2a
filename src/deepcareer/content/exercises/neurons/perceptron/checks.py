"""Cases and misconceptions for threshold units and the perceptron."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _strict_threshold(x, w, theta):
    return (x @ w > theta).astype(int)


def _epoch(X, y, w, b, lr, *, strict=False, use_prediction=False, no_bias=False, always=False):
    w = w.astype(float).copy()
    b = float(b)
    mistakes = 0
    for xi, yi in zip(X, y):
        margin = yi * (xi @ w + b)
        wrong = margin < 0 if strict else margin <= 0
        if wrong or always:
            step = (np.sign(xi @ w + b) or 1.0) if use_prediction else yi
            w += lr * step * xi
            if not no_bias:
                b += lr * step
        mistakes += bool(wrong)
    return w, b, mistakes


def _fit_with(**kw):
    def fit(X, y, lr, max_epochs):
        w, b = np.zeros(X.shape[1]), 0.0
        for epoch in range(1, max_epochs + 1):
            w, b, mistakes = _epoch(X, y, w, b, lr, **kw)
            if mistakes == 0:
                return w, b, epoch
        return w, b, max_epochs

    return fit


def _batch_epoch(X, y, w, b, lr):
    wrong = y * (X @ w + b) <= 0
    w = w + lr * (y[wrong, None] * X[wrong]).sum(axis=0)
    b = b + lr * y[wrong].sum()
    return w, float(b), int(wrong.sum())


def _fit_batch(X, y, lr, max_epochs):
    w, b = np.zeros(X.shape[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        w, b, mistakes = _batch_epoch(X, y, w, b, lr)
        if mistakes == 0:
            return w, b, epoch
    return w, b, max_epochs


def _fit_all_epochs(X, y, lr, max_epochs):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(max_epochs):
        w, b, _ = ref.perceptron_epoch(X, y, w, b, lr)
    return w, b, max_epochs


def _separable(rng, n):
    X = rng.normal(size=(n, 2))
    y = np.where(X @ np.array([1.0, -2.0]) + 0.3 > 0, 1, -1)
    return X, y


def _random_cases(rng):
    X, y = _separable(rng, 12)
    return [
        Case("threshold_unit", [rng.integers(0, 2, size=(6, 3)).astype(float),
                                rng.normal(size=3), 0.5], name="random binary inputs"),
        Case("perceptron_epoch", [X, y, rng.normal(size=2), 0.1, 0.5], name="random separable"),
        Case("perceptron_fit", [X, y, 1.0, 50], name="random separable data"),
    ]


BITS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
AND_Y = np.array([-1, -1, -1, 1])
XOR_Y = np.array([-1, 1, 1, -1])

CHECKS = Checks(
    cases=[
        Case("threshold_unit", [BITS, np.array([1.0, 1.0]), 2.0], name="the README AND unit"),
        Case("threshold_unit", [BITS, np.array([1.0, 1.0]), 1.0], name="an OR unit"),
        Case("threshold_unit", [BITS, np.array([-1.0, 0.0]), 0.0], name="a NOT unit on x1"),
        Case("perceptron_epoch", [BITS, AND_Y, np.zeros(2), 0.0, 1.0],
             name="the README epoch (AND, from zeros)"),
        Case("perceptron_epoch", [BITS, AND_Y, np.array([1.0, 1.0]), -1.5, 0.5],
             name="AND, already separated"),
        Case("perceptron_epoch", [BITS, XOR_Y, np.array([0.5, -0.5]), 0.2, 1.0],
             name="an XOR epoch"),
        Case("perceptron_fit", [BITS, AND_Y, 1.0, 100], name="AND converges"),
        Case("perceptron_fit", [BITS, XOR_Y, 1.0, 25], name="XOR never converges"),
        Case("perceptron_fit", [np.array([[1.0, 2.0], [2.0, -1.0], [-1.5, 0.5], [0.5, 0.5],
                                          [-1.0, -2.0], [2.5, 1.0]]),
                                np.array([1, -1, 1, -1, 1, -1]), 0.5, 3],
             name="overlapping classes, 3 epochs"),
    ],
    hidden=[
        Case("threshold_unit", [np.array([[1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]),
                                np.array([0.5, 0.5, 0.5]), 1.0]),
        Case("perceptron_epoch", [np.array([[2.0, 1.0], [-1.0, -1.0], [1.0, -2.0]]),
                                  np.array([1, -1, 1]), np.zeros(2), 0.0, 0.5]),
        Case("perceptron_fit", [np.array([[2.0, 1.0], [-1.0, -1.0], [1.0, -2.0], [-2.0, 0.5]]),
                                np.array([1, -1, 1, -1]), 0.5, 30]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="perceptron.strict-threshold",
            title="firing only when the sum is strictly above the threshold",
            explanation="A McCulloch-Pitts unit fires when its input reaches the threshold: "
            "sum >= theta. With > the AND unit with threshold 2 never fires on (1, 1).",
            hints=[
                "With w = [1, 1] and theta = 2, should input (1, 1) fire?",
                "Reaching the threshold is enough.",
                "Use x @ w >= theta.",
            ],
            replace={"threshold_unit": _strict_threshold},
        ),
        Misconception(
            id="perceptron.boundary-not-a-mistake",
            title="not updating on examples exactly on the boundary (margin 0)",
            explanation="Starting from w = 0, b = 0, every margin is 0. If 0 is not a mistake, "
            "nothing ever updates and the perceptron is stuck at zero forever.",
            hints=[
                "Run one epoch from zeros: do your weights move?",
                "An example on the boundary is not correctly classified.",
                "Use y * (w . x + b) <= 0.",
            ],
            replace={"perceptron_epoch": lambda X, y, w, b, lr: _epoch(X, y, w, b, lr, strict=True),
                     "perceptron_fit": _fit_with(strict=True)},
        ),
        Misconception(
            id="perceptron.uses-prediction",
            title="updating with the predicted label instead of the true one",
            explanation="The update moves w towards the examples of the TRUE class: w += lr y x. "
            "Using the prediction pushes further in the wrong direction.",
            hints=[
                "After an update, is the mistaken example closer to the right side?",
                "Which label tells you the right side?",
                "w += lr * y_i * x_i with the given label y_i.",
            ],
            replace={"perceptron_epoch": lambda X, y, w, b, lr: _epoch(X, y, w, b, lr,
                                                                        use_prediction=True),
                     "perceptron_fit": _fit_with(use_prediction=True)},
        ),
        Misconception(
            id="perceptron.frozen-bias",
            title="never updating the bias",
            explanation="Without a learned bias the separating line must pass through the "
            "origin; AND cannot be learned that way.",
            hints=[
                "Does your b ever change?",
                "b is updated like a weight whose input is always 1.",
                "b += lr * y_i on each mistake.",
            ],
            replace={"perceptron_epoch": lambda X, y, w, b, lr: _epoch(X, y, w, b, lr,
                                                                        no_bias=True),
                     "perceptron_fit": _fit_with(no_bias=True)},
        ),
        Misconception(
            id="perceptron.updates-every-example",
            title="updating on every example, right or wrong",
            explanation="The perceptron rule is mistake-driven: correctly classified examples "
            "leave the weights alone.",
            hints=[
                "Do your weights change on an epoch with no mistakes?",
                "Only examples on the wrong side trigger an update.",
                "Put the update inside the if.",
            ],
            replace={"perceptron_epoch": lambda X, y, w, b, lr: _epoch(X, y, w, b, lr,
                                                                        always=True),
                     "perceptron_fit": _fit_with(always=True)},
        ),
        Misconception(
            id="perceptron.batch-update",
            title="summing all mistakes of the epoch into one update",
            explanation="Rosenblatt's perceptron is online: each update happens before the next "
            "example is looked at, so later examples see the corrected weights.",
            hints=[
                "When does your update happen: during the loop or after it?",
                "Each example is judged with the weights updated so far.",
                "Update w and b inside the loop, immediately.",
            ],
            replace={"perceptron_epoch": _batch_epoch, "perceptron_fit": _fit_batch},
        ),
        Misconception(
            id="perceptron.never-stops-early",
            title="always running max_epochs instead of stopping after a clean epoch",
            explanation="Once an epoch has no mistakes the weights will never change again; the "
            "number of epochs it took is part of the answer (and the convergence theorem bounds "
            "it).",
            hints=[
                "How many epochs does AND need?",
                "Check the mistake count after each epoch.",
                "Return (w, b, epoch) as soon as an epoch has 0 mistakes.",
            ],
            replace={"perceptron_fit": _fit_all_epochs},
        ),
    ],
)
