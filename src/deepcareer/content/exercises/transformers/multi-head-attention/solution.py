"""Multi-head causal self-attention in NumPy: the layer at the heart of every GPT."""

import numpy as np


def split_heads(x, n_heads):
    """x: (B, T, D) -> (B, H, T, D // H). Head h gets the columns h*Dh .. (h+1)*Dh - 1."""
    # BEGIN SOLUTION: cut the last axis into (H, Dh), then move the head axis before time
    b, t, d = x.shape
    return x.reshape(b, t, n_heads, d // n_heads).transpose(0, 2, 1, 3)  # (B, H, T, Dh)
    # END SOLUTION


def merge_heads(x):
    """x: (B, H, T, Dh) -> (B, T, H * Dh), the exact inverse of split_heads."""
    # BEGIN SOLUTION: move the head axis back next to the features, then flatten the two
    b, h, t, dh = x.shape
    return x.transpose(0, 2, 1, 3).reshape(b, t, h * dh)  # (B, T, D)
    # END SOLUTION


def mha_forward(x, Wq, Wk, Wv, Wo, n_heads, causal):
    """x: (B, T, D); Wq, Wk, Wv, Wo: (D, D), applied as x @ W; D divisible by n_heads.

    causal: when True, position t attends to positions 0..t only.
    Returns (out (B, T, D), weights (B, H, T, T)); every weights row sums to 1.
    """
    # BEGIN SOLUTION: project, split, attend per head scaled by sqrt(Dh), merge, project
    Q = split_heads(x @ Wq, n_heads)  # (B, H, T, Dh)
    K = split_heads(x @ Wk, n_heads)
    V = split_heads(x @ Wv, n_heads)
    dh = Q.shape[-1]
    scores = Q @ K.transpose(0, 1, 3, 2) / np.sqrt(dh)  # (B, H, T, T)
    if causal:
        t = x.shape[1]
        allowed = np.tril(np.ones((t, t), dtype=bool))  # query row t sees keys 0..t
        scores = np.where(allowed, scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)  # per query: no overflow
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return merge_heads(weights @ V) @ Wo, weights
    # END SOLUTION


def mha_backward(dout, x, Wq, Wk, Wv, Wo, n_heads, causal):
    """dout: (B, T, D), the gradient of the loss with respect to mha_forward's out.

    Returns (dx, dWq, dWk, dWv, dWo), each the shape of its input.
    """
    # BEGIN SOLUTION: recompute the forward pass, then walk it backwards
    d = x.shape[-1]
    Q = split_heads(x @ Wq, n_heads)
    K = split_heads(x @ Wk, n_heads)
    V = split_heads(x @ Wv, n_heads)
    scale = np.sqrt(Q.shape[-1])
    _, A = mha_forward(x, Wq, Wk, Wv, Wo, n_heads, causal)  # (B, H, T, T)
    merged = merge_heads(A @ V)  # (B, T, D)
    dWo = merged.reshape(-1, d).T @ dout.reshape(-1, d)
    dO = split_heads(dout @ Wo.T, n_heads)  # merge's adjoint is split
    dA = dO @ V.transpose(0, 1, 3, 2)
    dV = A.transpose(0, 1, 3, 2) @ dO
    dS = A * (dA - (dA * A).sum(axis=-1, keepdims=True))  # softmax Jacobian, per query row
    dQ = dS @ K / scale
    dK = dS.transpose(0, 1, 3, 2) @ Q / scale
    dq, dk, dv = merge_heads(dQ), merge_heads(dK), merge_heads(dV)  # (B, T, D) each
    flat = x.reshape(-1, d)
    dWq = flat.T @ dq.reshape(-1, d)
    dWk = flat.T @ dk.reshape(-1, d)
    dWv = flat.T @ dv.reshape(-1, d)
    dx = dq @ Wq.T + dk @ Wk.T + dv @ Wv.T  # x feeds all three projections
    return dx, dWq, dWk, dWv, dWo
    # END SOLUTION
