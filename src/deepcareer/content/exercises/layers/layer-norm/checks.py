"""Cases and misconceptions for layer normalisation."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _batch_axis(x, gamma, beta, eps):
    mu, var = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def _no_keepdims(x, gamma, beta, eps):
    # Without keepdims the (N,) statistics broadcast against the feature axis.
    mu, var = x.mean(axis=-1), x.var(axis=-1)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def _unbiased(x, gamma, beta, eps):
    mu, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, ddof=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def _constant_stats(dout, x, gamma, eps):
    _, dgamma, dbeta = ref.layernorm_backward(dout, x, gamma, eps)
    return dout * gamma / np.sqrt(x.var(axis=-1, keepdims=True) + eps), dgamma, dbeta


def _dgamma_per_row(dout, x, gamma, eps):
    dx, _, dbeta = ref.layernorm_backward(dout, x, gamma, eps)
    x_hat = (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    return dx, (dout * x_hat).sum(axis=-1), dbeta


def _random_cases(rng):
    return [
        Case("layernorm_forward", [rng.normal(3, 2, size=(4, 6)), rng.normal(1, 0.2, 6),
                                   rng.normal(0, 0.3, 6), 1e-5], name="random 4 x 6"),
        Case("layernorm_backward", [rng.normal(size=(5, 4)), rng.normal(size=(5, 4)),
                                    rng.normal(size=4), 1e-5], name="random 5 x 4"),
        Case("layernorm_backward", [rng.normal(size=(1, 6)), rng.normal(size=(1, 6)),
                                    rng.normal(size=6), 1e-5], name="random, one example"),
    ]


X = np.array([[1.0, 2.0, 3.0], [2.0, 6.0, 4.0]])
G = np.array([1.0, 0.5, 2.0])
B = np.array([0.0, 0.1, -0.1])

CHECKS = Checks(
    cases=[
        Case("layernorm_forward", [X, np.ones(3), np.zeros(3), 1e-5], name="the README example"),
        Case("layernorm_forward", [X, G, B, 1e-5], name="with gamma and beta"),
        Case("layernorm_forward", [np.array([[1.0, 3.0], [0.0, 4.0], [5.0, 5.0]]), np.ones(2),
                                   np.zeros(2), 1e-3], name="three rows of two"),
        Case("layernorm_forward", [np.array([[1.0, 0.0, 2.0], [3.0, 3.0, 0.0], [-1.0, 4.0, 1.0]]),
                                   np.ones(3), np.zeros(3), 1e-5], name="a square 3 x 3 batch"),
        Case("layernorm_backward", [np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]]), X, G, 1e-5],
             name="the README gradient"),
    ],
    hidden=[
        Case("layernorm_forward", [np.linspace(-2, 2, 8).reshape(2, 4), np.full(4, 2.0),
                                   np.full(4, -1.0), 1e-5]),
        Case("layernorm_backward", [np.linspace(1, -1, 12).reshape(3, 4),
                                    np.array([[1.0, 0.0, 2.0, 5.0], [0.5, 0.5, -1.0, 3.0],
                                              [2.0, 1.0, 0.0, -1.0]]), np.ones(4), 1e-5]),
    ],
    random_cases=_random_cases,
    rtol=1e-6,
    atol=1e-9,
    misconceptions=[
        Misconception(
            id="layer-norm.batch-axis",
            title="normalising over the batch axis (that is batch norm)",
            explanation="Layer norm computes one mean and variance per EXAMPLE, over its "
            "features, so it behaves the same for any batch size, even 1.",
            hints=["How many means do you compute for a (N, D) input?", "One per row.",
                   "x.mean(axis=-1, keepdims=True)."],
            replace={"layernorm_forward": _batch_axis},
        ),
        Misconception(
            id="layer-norm.missing-keepdims",
            title="per-row statistics without keepdims",
            explanation="x.mean(axis=-1) has shape (N,), which broadcasts against the LAST axis "
            "of x, not the rows. keepdims=True keeps it (N, 1).",
            hints=["What shape is your mean?", "(N, 1) broadcasts over the features.",
                   "keepdims=True."],
            replace={"layernorm_forward": _no_keepdims},
        ),
        Misconception(
            id="layer-norm.unbiased-variance",
            title="the unbiased variance (ddof=1)",
            explanation="Normalisation layers use the biased variance (divide by D).",
            hints=["Which ddof does np.var use by default?", "Divide by D.", "x.var(axis=-1)."],
            replace={"layernorm_forward": _unbiased},
        ),
        Misconception(
            id="layer-norm.constant-statistics",
            title="a backward pass that treats the row statistics as constants",
            explanation="Each feature of a row moves that row's mean and variance; those paths add "
            "two terms to dx, exactly as in batch norm but summed over the features.",
            hints=["Does the row mean depend on x?", "Three terms, as in batch norm.",
                   "Subtract the row sums of dxhat and of dxhat * x_hat."],
            replace={"layernorm_backward": _constant_stats},
        ),
        Misconception(
            id="layer-norm.dgamma-per-row",
            title="summing dgamma over the features instead of over the batch",
            explanation="gamma has one entry per feature (D,), shared by all rows: its gradient "
            "sums over the rows.",
            hints=["What shape is gamma, and your dgamma?", "Sum over axis 0.",
                   "(dout * x_hat).sum(axis=0)."],
            replace={"layernorm_backward": _dgamma_per_row},
        ),
    ],
)
