# expect: attention.mask-with-zero
# bug: masked scores set to 0
# batch: held-out
"""Scaled dot-product attention, the core of every Transformer layer."""

import numpy as np


def attention(Q, K, V, mask):
    """Q: (B, Tq, d), K: (B, Tk, d), V: (B, Tk, dv), mask: (B, Tq, Tk) booleans (True = may attend).

    Returns (out (B, Tq, dv), weights (B, Tq, Tk)). Every query has at least one allowed key.
    """
    d = Q.shape[-1]
    scores = Q @ K.transpose(0, 2, 1) / np.sqrt(d)  # (B, Tq, Tk)
    scores = np.where(mask, scores, 0.0)  # masked keys get zero weight
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return weights @ V, weights
