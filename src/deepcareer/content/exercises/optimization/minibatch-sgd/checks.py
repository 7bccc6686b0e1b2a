"""Cases and misconceptions for mini-batch SGD."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _drop_last(perm, batch_size):
    return [perm[s:s + batch_size] for s in range(0, len(perm) - batch_size + 1, batch_size)]


def _ignore_perm(perm, batch_size):
    order = np.sort(perm)
    return [order[s:s + batch_size] for s in range(0, len(order), batch_size)]


def _epoch(X, y, w, b, lr, batch_size, perm, *, divisor=None, batches=None, one_step=False):
    w = w.astype(float).copy()
    b = float(b)
    groups = (batches or ref.minibatches)(perm, batch_size)
    if one_step:
        total_w, total_b = np.zeros_like(w), 0.0
        for idx in groups:
            r = X[idx] @ w + b - y[idx]
            total_w += 2.0 / len(idx) * (X[idx].T @ r)
            total_b += 2.0 / len(idx) * r.sum()
        return w - lr * total_w / len(groups), b - lr * total_b / len(groups)
    for idx in groups:
        r = X[idx] @ w + b - y[idx]
        n = {"batch_size": batch_size, "all": len(y)}.get(divisor, len(idx))
        w = w - lr * 2.0 / n * (X[idx].T @ r)
        b = b - lr * 2.0 / n * r.sum()
    return w, b


def _fixed_divisor(*a):
    return _epoch(*a, divisor="batch_size")


def _divide_by_n(*a):
    return _epoch(*a, divisor="all")


def _epoch_drop_last(*a):
    return _epoch(*a, batches=_drop_last)


def _epoch_ignore_perm(*a):
    return _epoch(*a, batches=_ignore_perm)


def _averaged_single_step(*a):
    return _epoch(*a, one_step=True)


def _data(rng, n, d):
    X = rng.normal(size=(n, d))
    return X, X @ rng.normal(size=d) + 0.5 + 0.1 * rng.normal(size=n)


def _random_cases(rng):
    X, y = _data(rng, 10, 3)
    return [
        Case("minibatches", [rng.permutation(11), 4], name="random permutation, batches of 4"),
        Case("sgd_epoch", [X, y, np.zeros(3), 0.0, 0.05, 3, rng.permutation(10)],
             name="random data, batches of 3"),
        Case("sgd_epoch", [X, y, rng.normal(size=3), 0.2, 0.02, 1, rng.permutation(10)],
             name="random data, stochastic (batch 1)"),
    ]


X1 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0], [-1.0, 2.0]])
Y1 = np.array([1.0, 2.0, 3.0, 0.0, 4.0])
PERM = np.array([3, 0, 4, 1, 2])

CHECKS = Checks(
    cases=[
        Case("minibatches", [PERM, 2], name="the README example"),
        Case("minibatches", [np.arange(6), 3], name="N divisible by the batch size"),
        Case("sgd_epoch", [X1, Y1, np.zeros(2), 0.0, 0.1, 2, PERM], name="the README example"),
        Case("sgd_epoch", [X1, Y1, np.zeros(2), 0.0, 0.1, 5, PERM], name="full batch"),
        Case("sgd_epoch", [X1, Y1, np.array([0.5, -0.5]), 1.0, 0.05, 1, PERM],
             name="stochastic, batch of 1"),
    ],
    hidden=[
        Case("minibatches", [np.array([4, 2, 0, 1, 3, 6, 5]), 3]),
        Case("sgd_epoch", [X1, Y1, np.ones(2), -1.0, 0.02, 3, np.array([1, 2, 3, 4, 0])]),
        Case("sgd_epoch", [X1[:4], Y1[:4], np.zeros(2), 0.5, 0.1, 4, np.array([2, 0, 3, 1])]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="minibatch-sgd.drops-last-batch",
            title="dropping the short last batch",
            explanation="An epoch visits every example once. When N is not a multiple of the "
            "batch size the last batch is smaller, but its examples still count.",
            hints=[
                "With N = 5 and batch size 2, how many batches are there?",
                "range(0, N, batch_size) gives every start, including the last partial one.",
                "[perm[s:s + batch_size] for s in range(0, len(perm), batch_size)].",
            ],
            replace={"minibatches": _drop_last, "sgd_epoch": _epoch_drop_last},
        ),
        Misconception(
            id="minibatch-sgd.ignores-permutation",
            title="ignoring the shuffled order",
            explanation="Shuffling each epoch breaks up any order in the data (sorted labels, "
            "time), so consecutive steps are not correlated. The permutation says which "
            "examples go together.",
            hints=[
                "Does your first batch contain perm[0]?",
                "Index with the permutation, not with range(N).",
                "Slice perm itself.",
            ],
            replace={"minibatches": _ignore_perm, "sgd_epoch": _epoch_ignore_perm},
        ),
        Misconception(
            id="minibatch-sgd.fixed-divisor",
            title="averaging the short last batch over batch_size instead of its own size",
            explanation="The gradient of a batch is the mean over the examples in it. A batch of "
            "1 left over from N = 5, batch size 2, must not be divided by 2.",
            hints=[
                "How many examples are in your last batch?",
                "Divide by len(idx), not by batch_size.",
                "scale = 2 / len(idx).",
            ],
            replace={"sgd_epoch": _fixed_divisor},
        ),
        Misconception(
            id="minibatch-sgd.divides-by-n",
            title="dividing each mini-batch gradient by the full dataset size",
            explanation="Each step estimates the gradient of the mean loss from one batch: "
            "average over the batch. Dividing by N shrinks every step by N / B.",
            hints=[
                "Does your step size shrink when the dataset grows?",
                "The batch mean estimates the full mean.",
                "Divide by the batch's size.",
            ],
            replace={"sgd_epoch": _divide_by_n},
        ),
        Misconception(
            id="minibatch-sgd.one-step-per-epoch",
            title="averaging the batch gradients into a single step per epoch",
            explanation="That is batch gradient descent computed in pieces. Mini-batch SGD takes "
            "a step after EVERY batch, so later batches see updated weights: many cheap, noisy "
            "steps per epoch.",
            hints=[
                "How many times do your weights change during an epoch?",
                "Update inside the loop over batches.",
                "w -= lr * grad_w right after computing each batch's gradient.",
            ],
            replace={"sgd_epoch": _averaged_single_step},
        ),
    ],
)
