# expect: linear-regression-gd.sum-not-mean|shape:factor
# bug: dw not averaged (db is)
"""Linear regression fitted by full-batch gradient descent on the mean squared error."""

import numpy as np


def predict(X, w, b):
    """X: (N, D) features, w: (D,) weights, b: float bias. Returns (N,) predictions."""
    return X @ w + b  # (N, D) @ (D,) -> (N,)


def gradients(X, y, w, b):
    """Gradients of L = mean((X @ w + b - y) ** 2). Returns a tuple (dw, db)."""
    n = X.shape[0]
    residual = predict(X, w, b) - y  # (N,)
    dw = 2.0 * (X.T @ residual)  # (D,)
    db = 2.0 / n * np.sum(residual)
    return dw, db


def fit(X, y, lr, steps):
    """Start from w = 0, b = 0; take `steps` gradient-descent steps. Returns (w, b)."""
    w = np.zeros(X.shape[1])
    b = 0.0
    for _ in range(steps):
        dw, db = gradients(X, y, w, b)
        w = w - lr * dw
        b = b - lr * db
    return w, b
