"""One step of a long short-term memory (LSTM) cell, with its backward pass.

Gate order along the 4H axis: input, forget, candidate (g), output, as in PyTorch.
"""

import numpy as np


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # the same function, without overflow


def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    """x: (N, D), h_prev, c_prev: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,).

    Returns (h, c), each (N, H).
    """
    # BEGIN SOLUTION: four gates from one matrix product, then the cell update
    hidden = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b  # (N, 4H)
    i = _sigmoid(a[:, :hidden])  # how much of the candidate to write
    f = _sigmoid(a[:, hidden:2 * hidden])  # how much of the old cell to keep
    g = np.tanh(a[:, 2 * hidden:3 * hidden])  # the candidate values
    o = _sigmoid(a[:, 3 * hidden:])  # how much of the cell to show
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c
    # END SOLUTION


def lstm_step_backward(dh, dc, x, h_prev, c_prev, Wx, Wh, b):
    """dh, dc: (N, H), gradients of the loss with respect to this step's h and c.

    Returns (dx, dh_prev, dc_prev, dWx, dWh, db).
    """
    # BEGIN SOLUTION: recompute the gates, then the product rule through each of them
    hidden = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i = _sigmoid(a[:, :hidden])
    f = _sigmoid(a[:, hidden:2 * hidden])
    g = np.tanh(a[:, 2 * hidden:3 * hidden])
    o = _sigmoid(a[:, 3 * hidden:])
    c = f * c_prev + i * g
    tc = np.tanh(c)
    dc_total = dc + dh * o * (1.0 - tc * tc)  # the cell also reaches the loss through h
    da = np.concatenate([
        dc_total * g * i * (1.0 - i),  # input gate
        dc_total * c_prev * f * (1.0 - f),  # forget gate
        dc_total * i * (1.0 - g * g),  # candidate
        dh * tc * o * (1.0 - o),  # output gate
    ], axis=1)  # (N, 4H)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dc_prev = dc_total * f
    return dx, dh_prev, dc_prev, x.T @ da, h_prev.T @ da, da.sum(axis=0)
    # END SOLUTION
