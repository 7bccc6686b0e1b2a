"""Three activation functions and their derivatives, elementwise."""

import numpy as np


def sigmoid(x):
    """1 / (1 + exp(-x)), without overflow for large |x|."""
    # BEGIN SOLUTION: use exp(-|x|), which is never larger than 1
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    # END SOLUTION


def sigmoid_grad(x):
    """d sigmoid / dx, evaluated at x."""
    # BEGIN SOLUTION: s (1 - s) with s = sigmoid(x)
    s = sigmoid(x)
    return s * (1.0 - s)
    # END SOLUTION


def tanh(x):
    """The hyperbolic tangent."""
    # BEGIN SOLUTION: NumPy has it
    return np.tanh(x)
    # END SOLUTION


def tanh_grad(x):
    """d tanh / dx, evaluated at x."""
    # BEGIN SOLUTION: 1 - tanh(x)^2
    t = np.tanh(x)
    return 1.0 - t * t
    # END SOLUTION


def relu(x):
    """max(0, x), elementwise."""
    # BEGIN SOLUTION: clip the negatives to 0
    return np.maximum(x, 0.0)
    # END SOLUTION


def relu_grad(x):
    """1 where x > 0, else 0 (the derivative at exactly 0 is taken to be 0)."""
    # BEGIN SOLUTION: a float mask of the positive entries
    return (x > 0).astype(float)
    # END SOLUTION
