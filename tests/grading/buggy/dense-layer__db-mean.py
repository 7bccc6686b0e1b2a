# expect: dense-layer.db-mean|shape:factor
# bug: db averaged
"""A fully connected (dense) layer: out = x @ W + b, and its gradients."""

import numpy as np


def dense_forward(x, W, b):
    """x: (N, D) inputs, W: (D, M) weights, b: (M,) bias. Returns (N, M)."""
    return x @ W + b  # (N, D) @ (D, M) -> (N, M); b broadcasts over the N rows


def dense_backward(dout, x, W):
    """Gradients of the loss given dout = dL/d(out), shape (N, M).

    Returns a tuple (dx, dW, db) with the shapes of x, W and b.
    """
    dx = dout @ W.T  # (N, M) @ (M, D) -> (N, D)
    dW = x.T @ dout  # (D, N) @ (N, M) -> (D, M): summed over the batch
    db = dout.mean(axis=0)  # b was added to every row, so its gradient sums over rows
    return dx, dW, db
