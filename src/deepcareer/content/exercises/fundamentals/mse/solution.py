"""Mean squared error, the loss of regression, and its gradient."""

import numpy as np


def mse(pred, target):
    """Mean over ALL elements of (pred - target)^2; pred and target share a shape."""
    # BEGIN SOLUTION: square the errors, average over every element
    diff = pred - target
    return np.mean(diff * diff)
    # END SOLUTION


def mse_grad(pred, target):
    """Gradient of mse with respect to pred, same shape as pred."""
    # BEGIN SOLUTION: derivative of the square, divided by the number of elements
    return 2.0 * (pred - target) / pred.size
    # END SOLUTION
