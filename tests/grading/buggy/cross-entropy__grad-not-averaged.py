# expect: cross-entropy.grad-not-averaged|shape:factor
# bug: gradient summed over the batch
"""Cross-entropy loss computed from logits, stably, with its gradient."""

import numpy as np


def _log_softmax(logits):
    shifted = logits - np.max(logits, axis=1, keepdims=True)  # (N, C), row max is 0
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def cross_entropy(logits, labels):
    """Mean negative log-likelihood of the true classes.

    logits: (N, C) float scores; labels: (N,) integer class indices in [0, C).
    Returns a float.
    """
    n = logits.shape[0]
    log_probs = _log_softmax(logits)  # (N, C)
    return -np.mean(log_probs[np.arange(n), labels])


def cross_entropy_grad(logits, labels):
    """Gradient of cross_entropy with respect to logits, shape (N, C)."""
    n = logits.shape[0]
    probs = np.exp(_log_softmax(logits))  # (N, C)
    probs[np.arange(n), labels] -= 1.0
    return probs
