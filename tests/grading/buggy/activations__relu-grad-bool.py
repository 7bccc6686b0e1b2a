# expect: shape:bool
# bug: returns the mask
"""Three activation functions and their derivatives, elementwise."""

import numpy as np


def sigmoid(x):
    """1 / (1 + exp(-x)), without overflow for large |x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    """d sigmoid / dx, evaluated at x."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    """The hyperbolic tangent."""
    return np.tanh(x)


def tanh_grad(x):
    """d tanh / dx, evaluated at x."""
    t = np.tanh(x)
    return 1.0 - t * t


def relu(x):
    """max(0, x), elementwise."""
    return np.maximum(x, 0.0)


def relu_grad(x):
    """1 where x > 0, else 0 (the derivative at exactly 0 is taken to be 0)."""
    return x > 0
