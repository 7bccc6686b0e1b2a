# expect: softmax.global-max
# bug: one max over the whole array
"""Softmax: turn a vector of scores (logits) into probabilities."""

import numpy as np


def softmax(logits):
    """Softmax over the last axis of ``logits`` (any shape, at least 1-D).

    Returns an array of the same shape whose entries are positive and sum to 1
    along the last axis.
    """
    shifted = logits - np.max(logits)  # largest exponent is 0
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=-1, keepdims=True)
