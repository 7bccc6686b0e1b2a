"""A vanilla (Elman) RNN layer: forward over a sequence, BPTT, and gradient clipping."""

import numpy as np


def rnn_forward(x, h0, Wx, Wh, b):
    """x: (N, T, D), h0: (N, H), Wx: (D, H), Wh: (H, H), b: (H,).

    Returns hs: (N, T, H), the hidden state after every time step.
    """
    # BEGIN SOLUTION: one tanh step per time step, feeding h forward
    n, steps, _ = x.shape
    hs = np.empty((n, steps, h0.shape[1]))
    h = h0
    for t in range(steps):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)  # (N, H)
        hs[:, t] = h
    return hs
    # END SOLUTION


def rnn_backward(dhs, x, h0, Wx, Wh, b):
    """dhs: (N, T, H), the loss gradient with respect to each hidden state.

    Returns (dx, dh0, dWx, dWh, db), shaped like x, h0, Wx, Wh and b.
    """
    # BEGIN SOLUTION: walk backwards in time, carrying the gradient of h
    hs = rnn_forward(x, h0, Wx, Wh, b)
    steps = x.shape[1]
    dx = np.zeros_like(x, dtype=float)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh_next = np.zeros_like(h0, dtype=float)  # gradient arriving from step t + 1
    for t in reversed(range(steps)):
        h = hs[:, t]
        h_prev = hs[:, t - 1] if t > 0 else h0
        da = (dhs[:, t] + dh_next) * (1.0 - h * h)  # through tanh, (N, H)
        dWx += x[:, t].T @ da
        dWh += h_prev.T @ da
        db += da.sum(axis=0)
        dx[:, t] = da @ Wx.T
        dh_next = da @ Wh.T
    return dx, dh_next, dWx, dWh, db
    # END SOLUTION


def clip_by_global_norm(grads, max_norm):
    """Scale a tuple of gradient arrays so their joint L2 norm is at most max_norm.

    Returns a tuple of arrays; unchanged when the norm is already small enough.
    """
    # BEGIN SOLUTION: one norm over every element of every array
    total = np.sqrt(sum(np.sum(g * g) for g in grads))
    scale = min(1.0, max_norm / total) if total > 0 else 1.0
    return tuple(g * scale for g in grads)
    # END SOLUTION
