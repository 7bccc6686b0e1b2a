# expect: max-pool.stride-ignored|shape:argument
# bug: windows step by their size (forward only)
"""2-D max pooling over (N, C, H, W) arrays, with its backward pass."""

import numpy as np


def maxpool_forward(x, size, stride):
    """x: (N, C, H, W). Returns (N, C, H_out, W_out), H_out = (H - size) // stride + 1."""
    n, c, h, w = x.shape
    stride = size
    h_out = (h - size) // stride + 1
    w_out = (w - size) // stride + 1
    out = np.empty((n, c, h_out, w_out), dtype=x.dtype)
    for i in range(h_out):
        for j in range(w_out):
            window = x[:, :, i * stride:i * stride + size, j * stride:j * stride + size]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out


def maxpool_backward(dout, x, size, stride):
    """dout: (N, C, H_out, W_out). Returns dx with x's shape.

    Each output's gradient goes to the position of its window's maximum (the first one
    in row-major order when there is a tie); overlapping windows add up.
    """
    n, c, h_out, w_out = dout.shape
    dx = np.zeros_like(x, dtype=float)
    for i in range(h_out):
        for j in range(w_out):
            window = x[:, :, i * stride:i * stride + size, j * stride:j * stride + size]
            flat = window.reshape(n, c, size * size)
            idx = flat.argmax(axis=2)  # (N, C): first maximum in row-major order
            r, q = np.divmod(idx, size)
            for a in range(n):
                for b in range(c):
                    dx[a, b, i * stride + r[a, b], j * stride + q[a, b]] += dout[a, b, i, j]
    return dx
