# expect: shape:integer
# bug: floor division in the mean
"""Mean squared error, the loss of regression, and its gradient."""

import numpy as np


def mse(pred, target):
    """Mean over ALL elements of (pred - target)^2; pred and target share a shape."""
    diff = pred - target
    return np.sum(diff * diff) // diff.size


def mse_grad(pred, target):
    """Gradient of mse with respect to pred, same shape as pred."""
    return 2.0 * (pred - target) / pred.size
