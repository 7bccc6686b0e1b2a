# expect: softmax.wrong-axis|shape:normalised-axis
# bug: the right max, the sum over axis 0
"""Softmax: turn a vector of scores (logits) into probabilities."""

import numpy as np


def softmax(logits):
    """Softmax over the last axis of ``logits`` (any shape, at least 1-D).

    Returns an array of the same shape whose entries are positive and sum to 1
    along the last axis.
    """
    shifted = logits - np.max(logits, axis=-1, keepdims=True)  # largest exponent is 0
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=0, keepdims=True)
