"""Cases and misconceptions for scaled dot-product attention."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception


def _softmax(s, axis=-1):
    s = s - s.max(axis=axis, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=axis, keepdims=True)


def _variant(Q, K, V, mask, *, scale="sqrt", mask_mode="inf", axis=-1):
    d = Q.shape[-1]
    scores = Q @ K.transpose(0, 2, 1)
    scores = scores / {"sqrt": np.sqrt(d), "none": 1.0, "d": d}[scale]
    if mask_mode == "inf":
        scores = np.where(mask, scores, -np.inf)
    elif mask_mode == "zero":
        scores = np.where(mask, scores, 0.0)
    with np.errstate(invalid="ignore"):
        weights = _softmax(scores, axis=axis)
    if mask_mode == "after":
        weights = weights * mask
    return weights @ V, weights


def _no_scale(*a):
    return _variant(*a, scale="none")


def _scale_by_d(*a):
    return _variant(*a, scale="d")


def _mask_zero(*a):
    return _variant(*a, mask_mode="zero")


def _mask_after(*a):
    return _variant(*a, mask_mode="after")


def _softmax_over_queries(Q, K, V, mask):
    d = Q.shape[-1]
    scores = np.where(mask, Q @ K.transpose(0, 2, 1) / np.sqrt(d), -1e30)
    weights = _softmax(scores, axis=-2)
    return weights @ V, weights


def _global_max(Q, K, V, mask):
    scores = np.where(mask, Q @ K.transpose(0, 2, 1) / np.sqrt(Q.shape[-1]), -np.inf)
    e = np.exp(scores - scores.max())  # one shift for every query of every batch element
    weights = e / e.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def _causal(t):
    return np.tril(np.ones((t, t), dtype=bool))[None]


def _random_cases(rng):
    b, t, d = 2, 4, 3
    full = np.ones((b, t, t), dtype=bool)
    return [
        Case("attention", [rng.normal(size=(b, t, d)), rng.normal(size=(b, t, d)),
                           rng.normal(size=(b, t, 2)), full], name="random, no mask"),
        Case("attention", [rng.normal(size=(1, 5, 4)), rng.normal(size=(1, 5, 4)),
                           rng.normal(size=(1, 5, 4)), _causal(5)], name="random, causal mask"),
        Case("attention", _two_scales(rng), name="random, 3 queries and 5 keys, the two batch "
             "elements on very different scales"),
    ]


def _two_scales(rng):
    """Tq != Tk != d (a swapped transpose cannot hide), and batch element 0 scaled so its
    largest score is exactly 1000: one softmax shift for the whole batch wipes out element 1."""
    Q, K = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    top = np.max(Q[0] @ K[0].T) / 2.0  # sqrt(d) = 2
    Q[0] *= 1000.0 / top if top > 0 else -1000.0 / np.min(Q[0] @ K[0].T / 2.0)
    return [Q, K, rng.normal(size=(2, 5, 2)), np.ones((2, 3, 5), dtype=bool)]


Q1 = np.array([[[1.0, 0.0], [0.0, 1.0]]])
K1 = np.array([[[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]])
V1 = np.array([[[1.0], [2.0], [3.0]]])
RNG = np.random.default_rng(42)
Q2, K2, V2 = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 3, 2))

CHECKS = Checks(
    cases=[
        Case("attention", [Q1, K1, V1, np.ones((1, 2, 3), dtype=bool)], name="the README example"),
        Case("attention", [Q1, K1, V1, np.array([[[True, False, True], [False, True, False]]])],
             name="with a mask"),
        Case("attention", [Q2, K2, V2, _causal(3).repeat(2, axis=0)], name="a causal mask"),
        Case("attention", [4.0 * Q2, 4.0 * K2, V2, np.ones((2, 3, 3), dtype=bool)],
             name="large scores"),
        Case("attention", [30.0 * Q1, 30.0 * K1, V1, np.ones((1, 2, 3), dtype=bool)],
             name="scores near 1000"),
        Case("attention", [np.concatenate([30.0 * Q1, Q1]), np.concatenate([30.0 * K1, K1]),
                           np.concatenate([V1, V1]), np.ones((2, 2, 3), dtype=bool)],
             name="two batch elements, scores near 1000 and near 1"),
    ],
    hidden=[
        Case("attention", [np.ones((1, 2, 8)), np.linspace(-1, 1, 24).reshape(1, 3, 8),
                           np.eye(3)[None], np.ones((1, 2, 3), dtype=bool)]),
        Case("attention", [Q2[:1], K2[:1], V2[:1], np.array([[[True, True, False],
                                                              [False, True, True],
                                                              [True, False, False]]])]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="attention.no-scaling",
            title="softmax of the raw dot products, without dividing by sqrt(d)",
            explanation="Dot products of d-dimensional vectors grow like sqrt(d); unscaled, the "
            "softmax saturates to one-hot weights with vanishing gradients. Dividing by sqrt(d) "
            "keeps the scores' variance near 1.",
            hints=["Is there a 1 / sqrt(d) in your scores?",
                   "The scale depends on the key dimension.", "Q @ K^T / np.sqrt(d)."],
            replace={"attention": _no_scale},
        ),
        Misconception(
            id="attention.scale-by-d",
            title="dividing the scores by d instead of sqrt(d)",
            explanation="The standard deviation of a dot product of unit-variance vectors is "
            "sqrt(d), so that is the factor that normalises it.",
            hints=["d or its square root?", "Variance d, standard deviation sqrt(d).",
                   "/ np.sqrt(d)."],
            replace={"attention": _scale_by_d},
        ),
        Misconception(
            id="attention.mask-with-zero",
            title="masking by setting scores to 0 instead of -inf",
            explanation="A score of 0 still has weight exp(0) after the softmax: the masked key "
            "keeps attracting attention. Only -inf gives exactly zero weight.",
            hints=["Do your masked keys get zero weight?", "exp(0) = 1.",
                   "np.where(mask, scores, -np.inf) before the softmax."],
            replace={"attention": _mask_zero},
        ),
        Misconception(
            id="attention.mask-after-softmax",
            title="zeroing the masked weights after the softmax",
            explanation="Then the remaining weights no longer sum to 1: the output shrinks. Mask "
            "the scores before the softmax so it renormalises over the allowed keys.",
            hints=["Do your weights sum to 1 per query?", "Mask first, then softmax.",
                   "Set masked scores to -inf before normalising."],
            replace={"attention": _mask_after},
        ),
        Misconception(
            id="attention.softmax-over-queries",
            title="normalising over the queries instead of over the keys",
            explanation="Each query distributes its attention over the keys: the softmax runs "
            "along the last (key) axis.",
            hints=["For one query, do the weights sum to 1?", "axis=-1 is the key axis.",
                   "softmax(scores, axis=-1)."],
            replace={"attention": _softmax_over_queries},
        ),
        Misconception(
            id="attention.global-max-shift",
            title="shifting the scores by one maximum for the whole batch",
            explanation="The max shift must be per query (per row of scores): with one shift "
            "for everything, the rows whose scores are far below the overall maximum "
            "underflow to all zeros and become 0 / 0 = NaN.",
            hints=["Are your outputs right when every batch element has scores on the same "
                   "scale, and NaN when they do not?",
                   "Each query's softmax needs its own maximum.",
                   "scores.max(axis=-1, keepdims=True)."],
            replace={"attention": _global_max},
        ),
    ],
)
