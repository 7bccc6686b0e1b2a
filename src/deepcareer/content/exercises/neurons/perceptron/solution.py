"""The McCulloch-Pitts threshold unit and Rosenblatt's perceptron learning rule."""

import numpy as np


def threshold_unit(x, w, theta):
    """x: (N, D) inputs, w: (D,) weights, theta: threshold. Returns (N,) ints in {0, 1}."""
    # BEGIN SOLUTION: fire when the weighted sum reaches the threshold
    return (x @ w >= theta).astype(int)
    # END SOLUTION


def perceptron_epoch(X, y, w, b, lr):
    """One pass over the examples in order; labels y are -1 or +1.

    Returns (new_w, new_b, number_of_mistakes).
    """
    # BEGIN SOLUTION: update immediately after each mistake
    w = w.astype(float).copy()
    b = float(b)
    mistakes = 0
    for xi, yi in zip(X, y):
        if yi * (xi @ w + b) <= 0:  # wrong side, or on the boundary
            w += lr * yi * xi
            b += lr * yi
            mistakes += 1
    return w, b, mistakes
    # END SOLUTION


def perceptron_fit(X, y, lr, max_epochs):
    """Start from zeros; run epochs until one has no mistakes, or max_epochs have run.

    Returns (w, b, epochs_run).
    """
    # BEGIN SOLUTION: repeat epochs, stop after a clean one
    w, b = np.zeros(X.shape[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        w, b, mistakes = perceptron_epoch(X, y, w, b, lr)
        if mistakes == 0:
            return w, b, epoch
    return w, b, max_epochs
    # END SOLUTION
