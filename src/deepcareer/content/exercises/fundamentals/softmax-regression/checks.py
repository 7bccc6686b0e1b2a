"""Cases and misconceptions for softmax regression, on scikit-learn's bundled digits."""

import numpy as np

from deepcareer.grading.judges import digits
from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)
# scikit-learn's bundled digits, read without importing scikit-learn (grading/judges.py).
IMAGES = digits().images  # (1797, 64), pixels scaled to [0, 1]
LABELS = digits().labels  # int64


def _step(X, y, W, b, lr, *, mean=True, update_b=True, axis0=False):
    n, k = X.shape[0], W.shape[1]
    logits = X @ W + b
    if axis0:
        e = np.exp(logits - logits.max(axis=0, keepdims=True))
        P = e / e.sum(axis=0, keepdims=True)
    else:
        P = ref.softmax(logits)
    G = (P - np.eye(k)[y]) / (n if mean else 1)
    return W - lr * (X.T @ G), (b - lr * G.sum(axis=0)) if update_b else b


def _fit_with(step):
    def fit(X, y, n_classes, lr, steps):
        W, b = np.zeros((X.shape[1], n_classes)), np.zeros(n_classes)
        for _ in range(steps):
            W, b = step(X, y, W, b, lr)
        return W, b

    return fit


def _sum_step(*a):
    return _step(*a, mean=False)


def _frozen_b(*a):
    return _step(*a, update_b=False)


def _axis0(*a):
    return _step(*a, axis0=True)


def _grad_ascent(X, y, W, b, lr):
    W2, b2 = ref.gradient_step(X, y, W, b, lr)
    return 2 * W - W2, 2 * b - b2  # moved the other way


def _predict_axis0(X, W, b):
    return np.argmax(X @ W + b, axis=0)


def _predict_probs(X, W, b):
    return np.max(ref.softmax(X @ W + b), axis=1)


def _digits(rng, n):
    idx = rng.choice(len(LABELS), size=n, replace=False)
    return IMAGES[idx], LABELS[idx]


def _digits_without(rng, n, missing):
    idx = rng.choice(np.flatnonzero(LABELS != missing), size=n, replace=False)
    return IMAGES[idx], LABELS[idx]


def _random_cases(rng):
    X, y = _digits(rng, 40)
    W = rng.normal(scale=0.1, size=(64, 10))
    # A batch need not hold every class: the class count is n_classes (or W's width), never
    # what np.unique(y) finds. One random class is left out every run, so code that counts
    # the labels fails every time instead of in 14 % of runs.
    X_gap, y_gap = _digits_without(rng, 40, int(rng.integers(0, 10)))
    return [
        Case("fit", [X_gap, y_gap, 10, 0.5, 10], name="40 random digits, one class absent"),
        Case("gradient_step", [X_gap[:1], y_gap[:1], W, np.zeros(10), 0.5],
             name="a batch of one random digit"),
        Case("gradient_step", [X, y, W, rng.normal(scale=0.1, size=10), 0.5],
             name="40 random digits"),
        Case("fit", [X, y, 10, 0.5, 15], name="40 random digits, 15 steps"),
        Case("predict", [X, W, np.zeros(10)], name="40 random digits"),
    ]


X_SMALL = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
Y_SMALL = np.array([0, 1, 2], dtype=np.int64)
W_SMALL = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5]])

CHECKS = Checks(
    cases=[
        Case("gradient_step", [X_SMALL, Y_SMALL, np.zeros((2, 3)), np.zeros(3), 1.0],
             name="the README example"),
        Case("gradient_step", [X_SMALL, Y_SMALL, W_SMALL, np.array([0.1, -0.1, 0.0]), 0.5],
             name="three examples, three classes"),
        Case("gradient_step", [X_SMALL, Y_SMALL, 400.0 * W_SMALL, np.zeros(3), 0.1],
             name="very confident weights (logits near 400)"),
        Case("fit", [IMAGES[:60], LABELS[:60], 10, 0.5, 20], name="the first 60 digits"),
        Case("fit", [IMAGES[:80][LABELS[:80] < 8], LABELS[:80][LABELS[:80] < 8], 10, 0.5, 10],
             name="digits 0 to 7 only, n_classes = 10"),
        Case("predict", [X_SMALL, W_SMALL, np.zeros(3)], name="three examples"),
        Case("predict", [IMAGES[:5], np.eye(64, 10), np.zeros(10)], name="five digits"),
    ],
    hidden=[
        Case("gradient_step", [IMAGES[100:130], LABELS[100:130], np.zeros((64, 10)),
                               np.zeros(10), 1.0]),
        Case("fit", [IMAGES[200:250], LABELS[200:250], 10, 0.3, 10]),
        Case("predict", [IMAGES[300:320], np.linspace(-1, 1, 640).reshape(64, 10),
                         np.linspace(0, 1, 10)]),
    ],
    random_cases=_random_cases,
    rtol=1e-6,
    atol=1e-9,
    misconceptions=[
        Misconception(
            id="softmax-regression.sum-gradient",
            title="a gradient summed over the batch instead of averaged",
            explanation="The loss is the mean cross-entropy, so (P - Y) is divided by N. A "
            "summed gradient makes the step N times larger, and training diverges when the "
            "dataset grows.",
            hints=[
                "Does your step get bigger with more examples?",
                "The mean's gradient carries 1/N.",
                "G = (P - Y) / N.",
            ],
            replace={"gradient_step": _sum_step, "fit": _fit_with(_sum_step)},
        ),
        Misconception(
            id="softmax-regression.frozen-bias",
            title="never updating the bias",
            explanation="The bias of each class shifts its logit for every image; it has a "
            "gradient (the column sums of G) and must be trained too.",
            hints=[
                "Does your b change?",
                "db = G.sum(axis=0).",
                "Return b - lr * G.sum(axis=0).",
            ],
            replace={"gradient_step": _frozen_b, "fit": _fit_with(_frozen_b)},
        ),
        Misconception(
            id="softmax-regression.softmax-over-batch",
            title="normalising the softmax over the batch axis",
            explanation="Each image gets a distribution over the 10 classes: normalise every row "
            "(axis 1), not every column.",
            hints=[
                "Do the rows of your P sum to 1?",
                "One probability distribution per example.",
                "Softmax over axis=1.",
            ],
            replace={"gradient_step": _axis0, "fit": _fit_with(_axis0)},
        ),
        Misconception(
            id="softmax-regression.ascent",
            title="stepping up the gradient of the loss",
            explanation="Minimising the cross-entropy means moving against its gradient: "
            "W <- W - lr * dW.",
            hints=[
                "Does your training accuracy get worse?",
                "Descent subtracts.",
                "W - lr * X.T @ G.",
            ],
            replace={"gradient_step": _grad_ascent, "fit": _fit_with(_grad_ascent)},
        ),
        Misconception(
            id="softmax-regression.predict-axis0",
            title="taking the argmax over the batch axis in predict",
            explanation="The predicted class of each image is the column with the largest logit "
            "in its row: argmax over axis 1, giving N labels.",
            hints=[
                "How many labels does your predict return for 5 images?",
                "One label per row.",
                "np.argmax(X @ W + b, axis=1).",
            ],
            replace={"predict": _predict_axis0},
        ),
        Misconception(
            id="softmax-regression.predict-probability",
            title="returning the largest probability instead of the class",
            explanation="predict returns WHICH class is most probable (an index), not how "
            "probable it is.",
            hints=[
                "Are your predictions integers from 0 to 9?",
                "argmax gives the index; max gives the value.",
                "np.argmax(..., axis=1).",
            ],
            replace={"predict": _predict_probs},
        ),
    ],
)
