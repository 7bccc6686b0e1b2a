"""Cases and misconceptions for multi-head causal self-attention.

Every variant is one wrong idea carried through the whole layer, forward and backward, the
way a learner's own backward pass inherits the mistake of their forward pass.
"""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, Property


def _split(x, h):
    b, t, d = x.shape
    return x.reshape(b, t, h, d // h).transpose(0, 2, 1, 3)


def _merge(x):
    b, h, t, dh = x.shape
    return x.transpose(0, 2, 1, 3).reshape(b, t, h * dh)


def _merge_no_transpose(x):
    # (B, H, T, Dh) flattened as it lies: rows of different time steps end up side by side
    b, h, t, dh = x.shape
    return x.reshape(b, t, h * dh)


def _layer(x, Wq, Wk, Wv, Wo, h, causal, *, width="head", shift=0, axis=-1, merge="right"):
    """The layer with one knob turned: the forward outputs and what backward needs."""
    Q, K, V = _split(x @ Wq, h), _split(x @ Wk, h), _split(x @ Wv, h)
    scale = np.sqrt(Q.shape[-1] if width == "head" else x.shape[-1])
    s = Q @ K.transpose(0, 1, 3, 2) / scale
    if causal:
        t = x.shape[1]
        s = np.where(np.tril(np.ones((t, t), dtype=bool), k=shift), s, -np.inf)
    s = s - s.max(axis=axis, keepdims=True)
    A = np.exp(s)
    A = A / A.sum(axis=axis, keepdims=True)
    heads = A @ V
    merged = _merge(heads) if merge == "right" else _merge_no_transpose(heads)
    return merged @ Wo, A, (Q, K, V, scale, merged)


def _grads(dout, x, Wq, Wk, Wv, Wo, h, causal, *, jacobian="full", paths="all", **knobs):
    _, A, (Q, K, V, scale, merged) = _layer(x, Wq, Wk, Wv, Wo, h, causal, **knobs)
    d = x.shape[-1]
    dWo = merged.reshape(-1, d).T @ dout.reshape(-1, d)
    dm = dout @ Wo.T
    # A learner's backward reuses their own split_heads (right) and merge_heads (maybe
    # wrong), exactly as the reference's backward does: the variant does the same.
    merge = _merge if knobs.get("merge", "right") == "right" else _merge_no_transpose
    dO = _split(dm, h)
    dA = dO @ V.transpose(0, 1, 3, 2)
    dV = A.transpose(0, 1, 3, 2) @ dO
    if jacobian == "full":
        # over the keys even when the forward normalised the wrong axis: the learner's
        # backward follows the README's formula, only their forward has the slip
        dS = A * (dA - (dA * A).sum(axis=-1, keepdims=True))
    else:  # only the diagonal of the softmax Jacobian, as if each weight were a sigmoid
        dS = dA * A * (1.0 - A)
    dq = merge(dS @ K / scale)
    dk = merge(dS.transpose(0, 1, 3, 2) @ Q / scale)
    dv = merge(dV)
    flat = x.reshape(-1, d)
    dWq, dWk, dWv = (flat.T @ g.reshape(-1, d) for g in (dq, dk, dv))
    dx = dq @ Wq.T if paths == "query" else dq @ Wq.T + dk @ Wk.T + dv @ Wv.T
    return dx, dWq, dWk, dWv, dWo


def _pair(**knobs):
    """A misconception's forward and backward entries, the same wrong idea in both."""
    fwd_knobs = {k: v for k, v in knobs.items() if k not in ("jacobian", "paths")}

    def forward(x, Wq, Wk, Wv, Wo, h, causal):
        out, A, _ = _layer(x, Wq, Wk, Wv, Wo, h, causal, **fwd_knobs)
        return out, A

    def backward(dout, x, Wq, Wk, Wv, Wo, h, causal):
        return _grads(dout, x, Wq, Wk, Wv, Wo, h, causal, **knobs)

    entries = {"mha_backward": backward}
    if fwd_knobs:
        entries["mha_forward"] = forward
    return entries


def _weights(rng, d):
    return [rng.normal(0.0, 1.0 / np.sqrt(d), size=(d, d)) for _ in range(4)]


def _random_cases(rng):
    # T = 5, D = 6, H = 3 (Dh = 2): no two of T, D, H, Dh alike, so a swapped axis or a merge
    # in the wrong order changes the numbers instead of hiding in a square array.
    x = rng.normal(size=(2, 5, 6))
    W = _weights(rng, 6)
    x1 = rng.normal(size=(1, 4, 8))
    W1 = _weights(rng, 8)
    return [
        Case("split_heads", [rng.normal(size=(2, 3, 6)), 3], name="random (2, 3, 6), 3 heads"),
        Case("merge_heads", [rng.normal(size=(2, 3, 4, 2))], name="random (2, 3, 4, 2)"),
        Case("mha_forward", [x, *W, 3, True], name="random, causal, 3 heads"),
        Case("mha_forward", [x1, *W1, 2, False], name="random, not causal, 2 heads"),
        Case("mha_backward", [rng.normal(size=(2, 5, 6)), x, *W, 3, True],
             name="random gradient, causal, 3 heads"),
        Case("mha_backward", [rng.normal(size=(1, 4, 8)), x1, *W1, 4, False],
             name="random gradient, not causal, 4 heads"),
    ]


def _rows_sum_to_one(case, output):
    weights = np.asarray(output[1]) if isinstance(output, tuple) and len(output) == 2 else None
    if weights is None or weights.ndim != 4:
        return "mha_forward should return (out, weights) with weights of shape (B, H, T, T)"
    if not np.allclose(weights.sum(axis=-1), 1.0):
        return "each query's attention weights should sum to 1 over the keys (the last axis)"
    return None


def _causal_zeros(case, output):
    if not case.args[-1] or not isinstance(output, tuple) or len(output) != 2:
        return None
    weights = np.asarray(output[1])
    if weights.ndim == 4 and weights.shape[-1] == weights.shape[-2]:
        future = np.triu(np.ones(weights.shape[-2:], dtype=bool), k=1)
        if np.any(weights[..., future] != 0.0):
            return "with causal=True a query must give exactly zero weight to every later key"
    return None


EYE = np.eye(4)
X1 = np.array([[[1.0, 0.0, 0.0, 1.0], [1.0, 1.0, 2.0, 0.0]]])  # the README example
RNG = np.random.default_rng(19)
X2 = RNG.normal(size=(2, 3, 4))
W2 = _weights(RNG, 4)
X3 = RNG.normal(size=(1, 4, 6))
W3 = _weights(RNG, 6)
G3 = RNG.normal(size=(1, 4, 6))
BIG = 30.0 * RNG.normal(size=(1, 3, 4))  # scores in the thousands: needs the max shift

CHECKS = Checks(
    cases=[
        Case("split_heads", [np.arange(12.0).reshape(1, 2, 6), 3], name="(1, 2, 6) into 3 heads"),
        Case("merge_heads", [np.arange(12.0).reshape(1, 3, 2, 2)], name="3 heads of (2, 2)"),
        Case("mha_forward", [X1, EYE, EYE, EYE, EYE, 2, True], name="the README example"),
        Case("mha_forward", [X2, *W2, 2, True], name="two sequences, causal, 2 heads"),
        Case("mha_forward", [X3, *W3, 3, False], name="not causal, 3 heads of width 2"),
        Case("mha_forward", [BIG, EYE, EYE, EYE, EYE, 2, True], name="scores in the thousands"),
        Case("mha_backward", [G3, X3, *W3, 3, True], name="a gradient, causal, 3 heads"),
        Case("mha_backward", [np.array([[[0.5, -1.0, 0.25, 2.0], [1.0, 0.0, -0.5, 0.3]]]),
                              X1, EYE, 2.0 * EYE, -EYE, EYE, 2, True],
             name="the README example's gradient"),
    ],
    hidden=[
        Case("split_heads", [np.arange(24.0).reshape(2, 3, 4), 2]),
        Case("merge_heads", [np.arange(24.0).reshape(1, 2, 3, 4)]),
        Case("mha_forward", [X2[:1], *W2, 4, True]),
        Case("mha_forward", [X3, *W3, 1, True]),
        Case("mha_backward", [G3[:, :3], X3[:, :3], *W3, 2, False]),
        Case("mha_backward", [G3, X3, *W3, 6, True]),
    ],
    random_cases=_random_cases,
    properties=[
        Property("attention weights sum to 1 per query", _rows_sum_to_one, calls=("mha_forward",)),
        Property("no weight on future keys", _causal_zeros, calls=("mha_forward",)),
    ],
    rtol=1e-6,
    atol=1e-9,
    misconceptions=[
        Misconception(
            id="multi-head-attention.scale-by-model-width",
            title="dividing the scores by sqrt(D), the model width, instead of sqrt(Dh)",
            explanation="Each head's scores are dot products of Dh-dimensional vectors, so their "
            "spread grows like sqrt(Dh), the width of one head. Dividing by sqrt(D) makes every "
            "head's softmax too flat by a factor sqrt(H).",
            hints=["How long are the vectors whose dot products make one head's scores?",
                   "A head sees Dh = D / H features, not D.",
                   "scale = np.sqrt(Q.shape[-1]) after splitting, not np.sqrt(x.shape[-1])."],
            replace=_pair(width="model"),
            reteach="The 1/sqrt(width) factor normalises a dot product of that width: use the "
            "width of the vectors actually multiplied, which after the split is D / H.",
        ),
        Misconception(
            id="multi-head-attention.mask-off-by-one",
            title="a causal mask that also lets each position see the next one",
            explanation="np.tril(..., k=1) keeps the first diagonal above the main one, so "
            "query t sees key t + 1: the model reads the token it is supposed to predict. The "
            "mask is the lower triangle including the diagonal, k=0.",
            hints=["Which keys may query 0 see?",
                   "Query t sees keys 0, 1, ..., t: itself and the past, nothing later.",
                   "allowed = np.tril(np.ones((T, T), dtype=bool)) with the default k=0."],
            replace=_pair(shift=1),
        ),
        Misconception(
            id="multi-head-attention.softmax-over-queries",
            title="the softmax over the query axis instead of over the keys",
            explanation="Each query spreads one unit of attention over the keys it may see: the "
            "softmax normalises along the last axis of the (B, H, T, T) scores.",
            hints=["Pick one query: do its weights over the keys sum to 1?",
                   "Scores are (B, H, T_query, T_key); the keys are the last axis.",
                   "max, exp and sum all with axis=-1."],
            replace=_pair(axis=-2),
        ),
        Misconception(
            id="multi-head-attention.merge-without-transpose",
            title="merging heads by a plain reshape, without moving the head axis back",
            explanation="(B, H, T, Dh) reshaped straight to (B, T, D) reads the numbers in "
            "memory order: head 0's time steps fill the first rows, so features of different "
            "positions are glued together. Swap H and T back first, then flatten (H, Dh).",
            hints=["After merging, does out[:, t] hold only position t's head outputs?",
                   "Undo split_heads step by step: it reshaped then transposed, so transpose "
                   "then reshape.",
                   "x.transpose(0, 2, 1, 3).reshape(B, T, H * Dh)."],
            replace={"merge_heads": _merge_no_transpose, **_pair(merge="wrong")},
        ),
        Misconception(
            id="multi-head-attention.softmax-diagonal-jacobian",
            title="backpropagating through the softmax as if each weight depended on its own "
            "score only",
            explanation="Raising one score lowers every other weight of the row, because they "
            "share the denominator. The row's gradient is A * (dA - sum(dA * A)), not "
            "dA * A * (1 - A).",
            hints=["Does weight j depend on score i != j?",
                   "Yes, through the normalising sum: the Jacobian is diag(A) - A A^T per row.",
                   "dS = A * (dA - (dA * A).sum(axis=-1, keepdims=True))."],
            replace=_pair(jacobian="diagonal"),
        ),
        Misconception(
            id="multi-head-attention.dx-query-path-only",
            title="dx through the query projection only",
            explanation="In SELF-attention the same x makes the queries, the keys and the "
            "values; its gradient is the sum of all three paths.",
            hints=["How many times does x enter the layer?",
                   "Three: x @ Wq, x @ Wk and x @ Wv. Each contributes to dx.",
                   "dx = dq @ Wq.T + dk @ Wk.T + dv @ Wv.T."],
            replace=_pair(paths="query"),
        ),
    ],
)
