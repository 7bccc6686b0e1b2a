"""Cases and misconceptions for softmax."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, Property, rows_on_scales


def _no_max_shift(logits):
    exps = np.exp(logits)
    return exps / np.sum(exps, axis=-1, keepdims=True)


def _wrong_axis(logits):
    shifted = logits - np.max(logits, axis=0, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=0, keepdims=True)


def _global_sum(logits):
    shifted = logits - np.max(logits)
    exps = np.exp(shifted)
    return exps / np.sum(exps)


def _global_max(logits):
    shifted = logits - np.max(logits)  # one shift for the whole batch
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=-1, keepdims=True)


def _no_exp(logits):
    return logits / np.sum(logits, axis=-1, keepdims=True)


def _min_shift(logits):
    shifted = logits - np.min(logits, axis=-1, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=-1, keepdims=True)


def _rows_sum_to_one(case, out):
    out = np.asarray(out, dtype=float)
    if out.shape != np.shape(case.args[0]) or not np.all(np.isfinite(out)):
        return None
    sums = out.sum(axis=-1)
    if not np.allclose(sums, 1.0, atol=1e-6):
        low, high = sums.min(), sums.max()
        return f"the last axis should sum to 1, but sums range from {low:.4g} to {high:.4g}"
    return None


def _non_negative(case, out):
    out = np.asarray(out, dtype=float)
    if np.any(out < 0):
        return "probabilities can never be negative, but some of yours are"
    return None


def _random_cases(rng):
    return [
        Case("softmax", [rng.normal(0, 3, size=(4, 6))], name="random batch of 4 rows"),
        Case("softmax", [rng.normal(0, 2, size=(2, 3, 5))], name="random 3-D input"),
        Case("softmax", [rng.normal(0, 1, size=7)], name="random vector"),
        Case("softmax", [rng.normal(800, 5, size=(3, 4))], name="random large logits"),
        # Each row on its own scale: one shift for the whole batch underflows whole rows.
        Case("softmax", [rows_on_scales(rng, (4, 5))], name="random rows on very different scales"),
    ]


CHECKS = Checks(
    cases=[
        Case("softmax", [np.array([1.0, 2.0, 3.0])], name="the README example"),
        Case("softmax", [np.array([[1000.0, 1001.0, 1002.0]])], name="logits near 1000"),
        Case("softmax", [np.array([[-1000.0, -1001.0, -1002.0]])], name="logits near -1000"),
        Case("softmax", [np.array([[1.0, 2.0], [3.0, 5.0], [0.0, 0.0]])], name="a batch of 3 rows"),
        Case("softmax", [np.array([[5.0, 5.0, 5.0, 5.0]])], name="equal logits"),
        Case("softmax", [np.array([[800.0, 0.0, -800.0]])], name="logits spread over 1600"),
        Case("softmax", [np.array([[1000.0, 1001.0, 1002.0], [1.0, 2.0, 3.0]])],
             name="rows on very different scales"),
    ],
    hidden=[
        Case("softmax", [np.linspace(-3, 3, 12).reshape(3, 4)]),
        Case("softmax", [np.array([[0.5, -0.5], [2.0, 1.0]])]),
        Case("softmax", [np.array([[710.0, 0.0, -710.0]])]),
        Case("softmax", [np.arange(24, dtype=float).reshape(2, 3, 4) / 4.0]),
    ],
    random_cases=_random_cases,
    properties=[
        Property("each row sums to 1", _rows_sum_to_one),
        Property("probabilities are non-negative", _non_negative),
    ],
    misconceptions=[
        Misconception(
            id="softmax.no-max-shift",
            title="exponentiating the logits without subtracting the maximum first",
            explanation="exp overflows to inf for logits above about 709, and inf/inf is NaN. "
            "Softmax is unchanged by subtracting one constant per row, so subtract the row max.",
            hints=[
                "Your answer is right for small logits but breaks for logits near 1000: "
                "what is np.exp(1000)?",
                "softmax(z) equals softmax(z - c) for any constant c in a row. Pick c so that "
                "the largest exponent is exp(0) = 1.",
                "Use logits - logits.max(axis=-1, keepdims=True) before np.exp.",
            ],
            replace={"softmax": _no_max_shift},
            reteach="Floating point has a largest number (about 1.8e308 in float64, so exp "
            "overflows past 709.78). Any formula that exponentiates raw scores needs a shift; "
            "the same trick appears in log-sum-exp and in cross-entropy.",
        ),
        Misconception(
            id="softmax.wrong-axis",
            title="normalising over the batch axis (axis 0) instead of the class axis",
            explanation="With a batch, each row is one example; its probabilities must sum to 1 "
            "across the classes, which is the last axis.",
            hints=[
                "Check which axis sums to 1 in your output for a batch of 3 rows.",
                "axis=0 runs down the batch; the classes are on axis=-1.",
                "Use axis=-1 with keepdims=True in both the max and the sum.",
            ],
            replace={"softmax": _wrong_axis},
        ),
        Misconception(
            id="softmax.global-sum",
            title="dividing by the sum over the whole array instead of per row",
            explanation="np.sum without an axis adds every element of the batch, so the rows no "
            "longer sum to 1 each; only the whole array does.",
            hints=[
                "For a single vector your answer is right; for a batch it is not. What does "
                "np.sum(x) add up when x has several rows?",
                "Give np.sum an axis, and keep the dimension so it broadcasts.",
                "np.sum(exps, axis=-1, keepdims=True)",
            ],
            replace={"softmax": _global_sum},
        ),
        Misconception(
            id="softmax.global-max",
            title="subtracting one maximum for the whole batch instead of each row's own",
            explanation="The shift must be per row: with rows on different scales, the batch "
            "maximum pushes every exponent of a small row far below -745, where exp underflows "
            "to 0, and that row becomes 0 / 0 = NaN.",
            hints=[
                "Your answer is right when all rows are on a similar scale. Try the rows "
                "[1000, 1001, 1002] and [1, 2, 3] together.",
                "np.max without an axis takes the largest value of the whole array. Each row "
                "needs its own shift.",
                "Take the max along the last axis, keeping the dimension so it broadcasts.",
            ],
            replace={"softmax": _global_max},
        ),
        Misconception(
            id="softmax.no-exp",
            title="normalising the raw logits without exponentiating",
            explanation="Dividing logits by their sum gives negative or unbounded 'probabilities'. "
            "The exponential makes every score positive and turns differences into ratios.",
            hints=[
                "Can your output be negative? Try logits [-1, 2].",
                "Softmax applies exp before normalising.",
                "Compute np.exp(shifted logits), then divide by its row sums.",
            ],
            replace={"softmax": _no_exp},
        ),
        Misconception(
            id="softmax.min-shift",
            title="subtracting the minimum instead of the maximum",
            explanation="Subtracting the minimum makes every exponent >= 0, so large spreads still "
            "overflow. Subtracting the maximum makes every exponent <= 0, which cannot overflow.",
            hints=[
                "Your shift is the right idea; check which way it moves the exponents.",
                "After the shift, the largest exponent should be 0.",
                "Use the max along the last axis, not the min.",
            ],
            replace={"softmax": _min_shift},
        ),
    ],
)
