"""Rectifier variants that keep a gradient for negative inputs."""

import numpy as np

C = np.sqrt(2.0 / np.pi)
K = 0.044715


def leaky_relu(x, alpha):
    # BEGIN SOLUTION: a small slope alpha for negative inputs
    return np.where(x > 0, x, alpha * x)
    # END SOLUTION


def leaky_relu_grad(x, alpha):
    # BEGIN SOLUTION: 1 or alpha (alpha at exactly 0)
    return np.where(x > 0, 1.0, alpha)
    # END SOLUTION


def elu(x, alpha):
    # BEGIN SOLUTION: a smooth exponential approach to -alpha
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
    # END SOLUTION


def elu_grad(x, alpha):
    # BEGIN SOLUTION: for x <= 0 the slope is alpha exp(x) = elu(x) + alpha
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))
    # END SOLUTION


def gelu(x):
    """The tanh approximation of GELU used by BERT and GPT-2."""
    # BEGIN SOLUTION: x times a smooth gate between 0 and 1
    return 0.5 * x * (1.0 + np.tanh(C * (x + K * x**3)))
    # END SOLUTION


def gelu_grad(x):
    # BEGIN SOLUTION: the product rule on 0.5 x (1 + t)
    t = np.tanh(C * (x + K * x**3))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * C * (1.0 + 3.0 * K * x**2)
    # END SOLUTION
