# expect: minibatch-sgd.fixed-divisor
# bug: 2 / batch_size for the short batch too
# batch: held-out
"""One epoch of mini-batch gradient descent for linear regression (MSE loss)."""

import numpy as np


def minibatches(perm, batch_size):
    """Split the shuffled indices perm (N,) into consecutive batches of batch_size.

    Returns a list of index arrays; the last one is shorter when N % batch_size != 0.
    """
    return [perm[start:start + batch_size] for start in range(0, len(perm), batch_size)]


def sgd_epoch(X, y, w, b, lr, batch_size, perm):
    """One epoch: a gradient step of L = mean((X w + b - y)^2) on each mini-batch, in order.

    Returns (w, b) after the epoch.
    """
    w = w.astype(float).copy()
    b = float(b)
    for idx in minibatches(perm, batch_size):
        residual = X[idx] @ w + b - y[idx]  # (B,)
        scale = 2.0 / batch_size  # the batch's own size, also for a short last batch
        grad_w = scale * (X[idx].T @ residual)
        grad_b = scale * residual.sum()
        w -= lr * grad_w
        b -= lr * grad_b
    return w, b
