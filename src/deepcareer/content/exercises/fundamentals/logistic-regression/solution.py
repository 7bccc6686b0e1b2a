"""Binary logistic regression from logits, computed stably."""

import numpy as np


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # equals 1 / (1 + exp(-z)), never overflows


def bce_loss(X, y, w, b):
    """Mean binary cross-entropy of labels y in {0, 1}; X (N, D), w (D,), b float."""
    # BEGIN SOLUTION: -log sigmoid(z) = log(1 + exp(-z)); work from the logit
    z = X @ w + b
    # -[y log s(z) + (1 - y) log(1 - s(z))] = log(1 + exp(z)) - y z
    return np.mean(np.logaddexp(0.0, z) - y * z)
    # END SOLUTION


def gradients(X, y, w, b):
    """Gradients of bce_loss: returns (dw, db)."""
    # BEGIN SOLUTION: the logit's gradient is (p - y) / N
    n = X.shape[0]
    error = sigmoid(X @ w + b) - y  # (N,)
    return X.T @ error / n, np.sum(error) / n
    # END SOLUTION


def predict_proba(X, w, b):
    """P(y = 1 | x) for each row of X."""
    # BEGIN SOLUTION: the sigmoid of the logit
    return sigmoid(X @ w + b)
    # END SOLUTION
