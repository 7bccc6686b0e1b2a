# expect: mse.batch-only|shape:factor
# bug: divides the gradient by the rows only
"""Mean squared error, the loss of regression, and its gradient."""

import numpy as np


def mse(pred, target):
    """Mean over ALL elements of (pred - target)^2; pred and target share a shape."""
    diff = pred - target
    return np.mean(diff * diff)


def mse_grad(pred, target):
    """Gradient of mse with respect to pred, same shape as pred."""
    return 2.0 * (pred - target) / pred.shape[0]
