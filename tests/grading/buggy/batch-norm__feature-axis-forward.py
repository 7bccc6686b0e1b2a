# expect: batch-norm.feature-axis|shape:reduction-axis
# bug: normalises each row (forward only)
"""Batch normalisation for a dense layer's activations x of shape (N, D)."""

import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum, eps, training):
    """Normalise each feature of x, then scale and shift.

    x: (N, D); gamma, beta, running_mean, running_var: (D,); momentum, eps: floats.
    Returns (out, new_running_mean, new_running_var). In training, a batch of one example
    raises ValueError: its variance is 0 / 0 in the unbiased running estimate.
    """
    if training:
        n = x.shape[0]
        if n < 2:  # N / (N - 1) would divide by zero and make running_var NaN, silently
            raise ValueError("batch normalisation in training needs at least 2 examples "
                             f"per batch, got {n}")
        mu = x.mean(axis=1, keepdims=True)
        var = x.var(axis=1, keepdims=True)
        # The running variance estimates the population variance: unbiased, as PyTorch does.
        running_mean = (1.0 - momentum) * running_mean + momentum * mu
        running_var = (1.0 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mu, var = running_mean, running_var
    x_hat = (x - mu) / np.sqrt(var + eps)  # (N, D)
    return gamma * x_hat + beta, running_mean, running_var


def batchnorm_backward(dout, x, gamma, eps):
    """Gradients of a TRAINING-mode forward pass, given dout (N, D).

    Returns (dx, dgamma, dbeta) with the shapes of x, gamma and gamma.
    """
    n = x.shape[0]
    mu = x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)  # (D,)
    x_hat = (x - mu) * inv_std  # (N, D)
    dgamma = (dout * x_hat).sum(axis=0)
    dbeta = dout.sum(axis=0)
    dxhat = dout * gamma  # (N, D)
    dx = inv_std / n * (n * dxhat - dxhat.sum(axis=0) - x_hat * (dxhat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta
