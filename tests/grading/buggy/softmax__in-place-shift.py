# expect: check:modifies its input in place
# bug: subtracts the max in place
"""Softmax: turn a vector of scores (logits) into probabilities."""

import numpy as np


def softmax(logits):
    """Softmax over the last axis of ``logits`` (any shape, at least 1-D).

    Returns an array of the same shape whose entries are positive and sum to 1
    along the last axis.
    """
    logits -= np.max(logits, axis=-1, keepdims=True)
    exps = np.exp(logits)
    return exps / np.sum(exps, axis=-1, keepdims=True)
