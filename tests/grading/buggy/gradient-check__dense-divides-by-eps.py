# expect: gradient-check.divide-by-eps|shape:factor
# bug: central difference over eps (dense check only)
"""Numerical gradients by central differences, and how to compare them with analytic ones."""

import numpy as np


def quadratic(A, b, w):
    """f(w) = 0.5 * w^T A w + b^T w: the function whose gradient we check."""
    return 0.5 * w @ A @ w + b @ w


def numerical_gradient(A, b, w, eps):
    """Central-difference gradient of quadratic(A, b, .) at w (D,)."""
    grad = np.zeros_like(w, dtype=float)
    for i in range(w.size):
        w_plus, w_minus = w.astype(float).copy(), w.astype(float).copy()
        w_plus[i] += eps
        w_minus[i] -= eps
        grad[i] = (quadratic(A, b, w_plus) - quadratic(A, b, w_minus)) / (2.0 * eps)
    return grad


def relative_error(analytic, numeric):
    """The largest elementwise |a - n| / max(|a| + |n|, 1e-12)."""
    diff = np.abs(analytic - numeric)
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
    return np.max(diff / scale)


def dense_weight_gradcheck(x, W, b, dout, eps):
    """Numerical dL/dW for L = sum((x @ W + b) * dout), by central differences."""
    grad = np.zeros_like(W, dtype=float)
    for idx in np.ndindex(W.shape):
        W_plus, W_minus = W.copy(), W.copy()
        W_plus[idx] += eps
        W_minus[idx] -= eps
        loss_plus = np.sum((x @ W_plus + b) * dout)
        loss_minus = np.sum((x @ W_minus + b) * dout)
        grad[idx] = (loss_plus - loss_minus) / eps
    return grad
