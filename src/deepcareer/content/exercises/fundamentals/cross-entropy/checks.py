"""Cases and misconceptions for cross-entropy."""

import numpy as np

from deepcareer.grading.spec import (
    Case,
    Checks,
    Misconception,
    Property,
    load_reference,
    rows_on_scales,
)

ref = load_reference(__file__)


def _softmax_naive(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _naive_log(logits, labels):
    probs = _softmax_naive(logits)
    return -np.mean(np.log(probs[np.arange(len(labels)), labels]))


def _sum_not_mean(logits, labels):
    return ref.cross_entropy(logits, labels) * logits.shape[0]


def _grad_not_averaged(logits, labels):
    return ref.cross_entropy_grad(logits, labels) * logits.shape[0]


def _grad_sign(logits, labels):
    return -ref.cross_entropy_grad(logits, labels)


def _no_logsumexp(logits, labels):
    # Treats the logit itself as a log-probability: forgets the normaliser.
    return -np.mean(logits[np.arange(len(labels)), labels])


def _grad_no_onehot(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    return probs / n


def _grad_unshifted(logits, labels):
    n = logits.shape[0]
    probs = _softmax_naive(logits)  # the loss is stable, the gradient forgot to be
    probs[np.arange(n), labels] -= 1.0
    return probs / n


def _loss_is_finite(case, out):
    value = np.asarray(out, dtype=float)
    if value.shape == () and not np.isfinite(value):
        return "the loss should be a finite number even for logits near 1000"
    return None


def _grad_rows_sum_to_zero(case, out):
    g = np.asarray(out, dtype=float)
    if g.shape != np.shape(case.args[0]) or not np.all(np.isfinite(g)):
        return None
    if not np.allclose(g.sum(axis=1), 0.0, atol=1e-8):
        return "each row of the gradient should sum to 0 (softmax sums to 1, one-hot sums to 1)"
    return None


def _random_cases(rng):
    n, c = 5, 4
    return [
        Case("cross_entropy", [rng.normal(0, 2, size=(n, c)), rng.integers(0, c, size=n)],
             name="random batch"),
        Case("cross_entropy", [rng.normal(900, 3, size=(3, 6)), rng.integers(0, 6, size=3)],
             name="random large logits"),
        Case("cross_entropy_grad", [rng.normal(0, 2, size=(n, c)), rng.integers(0, c, size=n)],
             name="random batch"),
        Case("cross_entropy_grad", [rng.normal(0, 1, size=(7, 3)), rng.integers(0, 3, size=7)],
             name="random batch of 7"),
        Case("cross_entropy_grad", [rng.normal(900, 3, size=(3, 6)), rng.integers(0, 6, size=3)],
             name="random large logits"),
        Case("cross_entropy_grad", [rows_on_scales(rng, (4, 5)), rng.integers(0, 5, size=4)],
             name="random rows on very different scales"),
    ]


Z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.0]])
Y = np.array([0, 1], dtype=np.int64)

CHECKS = Checks(
    cases=[
        Case("cross_entropy", [Z, Y], name="the README example"),
        Case("cross_entropy", [np.array([[1000.0, 0.0, -1000.0]]), np.array([0])],
             name="logits near 1000, right class"),
        Case("cross_entropy", [np.array([[1000.0, 0.0, -1000.0]]), np.array([2])],
             name="logits near 1000, wrong class"),
        Case("cross_entropy", [np.zeros((4, 5)), np.array([0, 1, 2, 3])],
             name="all-zero logits (loss log 5)"),
        Case("cross_entropy_grad", [Z, Y], name="the README example"),
        Case("cross_entropy_grad", [np.array([[3.0, -1.0], [0.0, 0.0], [-2.0, 2.0]]),
                                    np.array([1, 0, 1])], name="a batch of 3, two classes"),
        # Past exp's overflow point (about 709.8): the gradient needs the shift as much as the loss.
        Case("cross_entropy_grad", [np.array([[800.0, 0.0, -800.0], [1.0, 2.0, 3.0]]),
                                    np.array([0, 2])], name="logits of +-800"),
    ],
    hidden=[
        Case("cross_entropy", [np.array([[0.2, -0.3, 1.0, 0.5]]), np.array([3])]),
        Case("cross_entropy", [np.linspace(-2, 2, 12).reshape(4, 3), np.array([2, 0, 1, 1])]),
        Case("cross_entropy", [np.array([[-800.0, -805.0], [10.0, -10.0]]), np.array([1, 1])]),
        Case("cross_entropy_grad", [np.linspace(-1, 1, 8).reshape(2, 4), np.array([3, 0])]),
        Case("cross_entropy_grad", [np.array([[700.0, 0.0, -700.0]]), np.array([1])]),
    ],
    random_cases=_random_cases,
    properties=[
        Property("the loss is finite", _loss_is_finite, calls=("cross_entropy",)),
        Property("gradient rows sum to zero", _grad_rows_sum_to_zero,
                 calls=("cross_entropy_grad",)),
    ],
    misconceptions=[
        Misconception(
            id="cross-entropy.log-of-softmax",
            title="taking the log of a softmax computed without the max shift",
            explanation="exp overflows for large logits (inf/inf = NaN), and a probability that "
            "underflows to 0 gives log(0) = -inf. Work in log space: log softmax(z)_c = "
            "z_c - logsumexp(z), with the max subtracted inside the log-sum-exp.",
            hints=[
                "What is your loss for logits [[1000, 0, -1000]]?",
                "Never form the probability and then take its log; simplify log(exp(a)/S) first.",
                "log_probs = z - max - log(sum(exp(z - max))); loss = -mean(log_probs[i, y_i]).",
            ],
            replace={"cross_entropy": _naive_log},
            reteach="The log-sum-exp identity logsumexp(z) = m + log(sum(exp(z - m))) with "
            "m = max(z) is the standard cure for overflow; every framework's cross-entropy "
            "takes logits, not probabilities, for this reason.",
        ),
        Misconception(
            id="cross-entropy.grad-unshifted",
            title="a gradient whose softmax skips the max shift",
            explanation="The gradient is softmax minus one-hot, and that softmax overflows just "
            "like the loss's would: exp(800) is inf and inf / inf is NaN. The gradient needs "
            "the same shift by the row maximum.",
            hints=[
                "Your gradient is right for small logits. What does it give for logits "
                "[[800, 0, -800]]?",
                "softmax(z) = softmax(z - c) for a constant c per row: the gradient can use "
                "the same shift as the loss.",
                "Compute the probabilities from the shifted logits (or exp of your stable "
                "log-softmax), then subtract the one-hot and average.",
            ],
            replace={"cross_entropy_grad": _grad_unshifted},
        ),
        Misconception(
            id="cross-entropy.sum-not-mean",
            title="summing the loss over the batch instead of averaging",
            explanation="A summed loss grows with the batch size, so the right learning rate "
            "would depend on it. The convention here (and in PyTorch's default) is the mean.",
            hints=[
                "Does your loss double when you stack the same batch twice?",
                "Divide the total by the number of examples.",
                "Use np.mean over the per-example losses.",
            ],
            replace={"cross_entropy": _sum_not_mean},
        ),
        Misconception(
            id="cross-entropy.grad-not-averaged",
            title="a gradient that forgets the 1/N of the mean",
            explanation="The loss is a mean over N examples, so each example's gradient is "
            "scaled by 1/N.",
            hints=[
                "Is your gradient consistent with your loss? Compare with a finite difference.",
                "d/dz of (1/N) sum_i loss_i carries the 1/N.",
                "Return (softmax(z) - one_hot(y)) / N.",
            ],
            replace={"cross_entropy_grad": _grad_not_averaged},
        ),
        Misconception(
            id="cross-entropy.grad-sign",
            title="a gradient with the sign flipped (one-hot minus softmax)",
            explanation="Raising the true class's logit lowers the loss, so the gradient for "
            "that entry must be negative: softmax - one_hot, not the other way round.",
            hints=[
                "Should increasing the true class's logit increase or decrease the loss?",
                "The true-class entry of the gradient is p_y - 1, which is <= 0.",
                "Use softmax(z) - one_hot(y).",
            ],
            replace={"cross_entropy_grad": _grad_sign},
        ),
        Misconception(
            id="cross-entropy.no-normaliser",
            title="using the raw logit of the true class as its log-probability",
            explanation="A logit is a log-probability only up to the normaliser: the log-sum-exp "
            "of the row must be subtracted so the probabilities sum to 1.",
            hints=[
                "Can your loss be negative? A cross-entropy never is.",
                "log softmax(z)_c = z_c - log(sum_j exp(z_j)).",
                "Subtract the (max-shifted) log-sum-exp from the true class's logit.",
            ],
            replace={"cross_entropy": _no_logsumexp},
        ),
        Misconception(
            id="cross-entropy.grad-no-onehot",
            title="a gradient of softmax alone, without subtracting the one-hot labels",
            explanation="The gradient pushes the true class up and the others down; that is the "
            "- one_hot(y) term. Without it the labels never enter the gradient.",
            hints=[
                "Does your gradient depend on the labels at all?",
                "Differentiate -log p_y: the true class gets p_y - 1, the others p_j.",
                "Subtract 1 at [i, y_i] before dividing by N.",
            ],
            replace={"cross_entropy_grad": _grad_no_onehot},
        ),
    ],
)
