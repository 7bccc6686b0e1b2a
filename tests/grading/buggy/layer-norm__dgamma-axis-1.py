# expect: shape:reduction-axis|layer-norm.dgamma-per-row
# bug: dgamma summed per row
# batch: held-out
"""Layer normalisation over the last axis, with its backward pass."""

import numpy as np


def layernorm_forward(x, gamma, beta, eps):
    """x: (N, D); gamma, beta: (D,). Normalise each row over its D features."""
    mu = x.mean(axis=-1, keepdims=True)  # (N, 1)
    var = x.var(axis=-1, keepdims=True)  # (N, 1), biased
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def layernorm_backward(dout, x, gamma, eps):
    """Returns (dx, dgamma, dbeta) given dout (N, D)."""
    d = x.shape[-1]
    mu = x.mean(axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis=-1, keepdims=True) + eps)  # (N, 1)
    x_hat = (x - mu) * inv_std
    dxhat = dout * gamma
    dx = inv_std / d * (d * dxhat - dxhat.sum(axis=-1, keepdims=True)
                        - x_hat * (dxhat * x_hat).sum(axis=-1, keepdims=True))
    return dx, (dout * x_hat).sum(axis=1), dout.sum(axis=0)
