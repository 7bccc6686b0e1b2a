# expect: shape:factor
# bug: gradients summed, not averaged
"""Binary logistic regression from logits, computed stably."""

import numpy as np


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # equals 1 / (1 + exp(-z)), never overflows


def bce_loss(X, y, w, b):
    """Mean binary cross-entropy of labels y in {0, 1}; X (N, D), w (D,), b float."""
    z = X @ w + b
    # -[y log s(z) + (1 - y) log(1 - s(z))] = log(1 + exp(z)) - y z
    return np.mean(np.logaddexp(0.0, z) - y * z)


def gradients(X, y, w, b):
    """Gradients of bce_loss: returns (dw, db)."""
    n = X.shape[0]
    error = sigmoid(X @ w + b) - y  # (N,)
    return X.T @ error, np.sum(error)


def predict_proba(X, w, b):
    """P(y = 1 | x) for each row of X."""
    return sigmoid(X @ w + b)
