# expect: mse.grad-missing-two
# bug: forgets the 2 of the derivative
"""Mean squared error, the loss of regression, and its gradient."""

import numpy as np


def mse(pred, target):
    """Mean over ALL elements of (pred - target)^2; pred and target share a shape."""
    diff = pred - target
    return np.mean(diff * diff)


def mse_grad(pred, target):
    """Gradient of mse with respect to pred, same shape as pred."""
    return (pred - target) / pred.size
