# expect: check:numerically stable
# bug: exp without clipping
"""Rectifier variants that keep a gradient for negative inputs."""

import numpy as np

C = np.sqrt(2.0 / np.pi)
K = 0.044715


def leaky_relu(x, alpha):
    return np.where(x > 0, x, alpha * x)


def leaky_relu_grad(x, alpha):
    return np.where(x > 0, 1.0, alpha)


def elu(x, alpha):
    return np.where(x > 0, x, alpha * (np.exp(x) - 1))


def elu_grad(x, alpha):
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def gelu(x):
    """The tanh approximation of GELU used by BERT and GPT-2."""
    return 0.5 * x * (1.0 + np.tanh(C * (x + K * x**3)))


def gelu_grad(x):
    t = np.tanh(C * (x + K * x**3))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * C * (1.0 + 3.0 * K * x**2)
