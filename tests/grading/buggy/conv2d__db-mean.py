# expect: shape:factor|conv2d.db-per-position|conv2d.averaged-over-batch
# bug: db averaged
"""A 2-D convolution (cross-correlation, as in every DL framework) with stride and padding."""

import numpy as np


def conv2d_forward(x, w, b, stride, pad):
    """x: (N, C, H, W), w: (F, C, KH, KW), b: (F,). Returns (N, F, H_out, W_out)."""
    n, _, h, width = x.shape
    f, _, kh, kw = w.shape
    h_out = (h + 2 * pad - kh) // stride + 1
    w_out = (width + 2 * pad - kw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))  # zeros on H and W only
    out = np.empty((n, f, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = xp[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            # (N, C, KH, KW) . (F, C, KH, KW) over C, KH, KW -> (N, F)
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def conv2d_backward(dout, x, w, stride, pad):
    """dout: (N, F, H_out, W_out). Returns (dx, dw, db) with the shapes of x, w and b."""
    _, _, h, width = x.shape
    _, _, kh, kw = w.shape
    _, _, h_out, w_out = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp, dtype=float)
    dw = np.zeros_like(w, dtype=float)
    for i in range(h_out):
        for j in range(w_out):
            rows = slice(i * stride, i * stride + kh)
            cols = slice(j * stride, j * stride + kw)
            g = dout[:, :, i, j]  # (N, F)
            dw += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))  # (F, C, KH, KW)
            dxp[:, :, rows, cols] += np.tensordot(g, w, axes=([1], [0]))  # (N, C, KH, KW)
    db = dout.mean(axis=(0, 2, 3))
    dx = dxp[:, :, pad:pad + h, pad:pad + width]  # drop the padding
    return dx, dw, db
