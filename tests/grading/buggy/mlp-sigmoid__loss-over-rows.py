# expect: mlp-sigmoid.mse-sum|shape:factor|shape:step-factor
# bug: MSE gradient divided by the rows
# batch: held-out
"""A multilayer perceptron: one hidden layer of sigmoid units and a linear output."""

import numpy as np


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # equal to 1 / (1 + exp(-z)), without overflow


def mlp_forward(X, W1, b1, W2, b2):
    """X: (N, D), W1: (D, H), b1: (H,), W2: (H, K), b2: (K,). Returns (hidden, out)."""
    hidden = sigmoid(X @ W1 + b1)  # (N, H)
    out = hidden @ W2 + b2  # (N, K), linear output for regression
    return hidden, out


def mlp_backward(dout, X, W1, b1, W2, b2):
    """dout: (N, K) = dL/d(out). Returns (dW1, db1, dW2, db2)."""
    hidden, _ = mlp_forward(X, W1, b1, W2, b2)
    dW2 = hidden.T @ dout  # (H, K)
    db2 = dout.sum(axis=0)
    dhidden = dout @ W2.T  # (N, H)
    dz = dhidden * hidden * (1.0 - hidden)  # sigmoid'(z) = s (1 - s)
    dW1 = X.T @ dz  # (D, H)
    db1 = dz.sum(axis=0)
    return dW1, db1, dW2, db2


def mlp_train_step(X, y, W1, b1, W2, b2, lr):
    """One gradient-descent step on L = mean((out - y) ** 2). Returns (W1, b1, W2, b2)."""
    _, out = mlp_forward(X, W1, b1, W2, b2)
    dout = 2.0 * (out - y) / out.shape[0]
    dW1, db1, dW2, db2 = mlp_backward(dout, X, W1, b1, W2, b2)
    return W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
