# expect: gru-cell.swapped-interpolation
# bug: z weights the new state
# batch: held-out
"""One step of a gated recurrent unit (GRU), with PyTorch's conventions."""

import numpy as np


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def gru_step(x, h, Wx, Wh, bx, bh):
    """x: (N, D), h: (N, H), Wx: (D, 3H), Wh: (H, 3H), bx, bh: (3H,). Returns the new h (N, H).

    Blocks along the 3H axis: reset, update, new (as in torch.nn.GRUCell).
    """
    size = h.shape[1]
    gx = x @ Wx + bx  # (N, 3H)
    gh = h @ Wh + bh  # (N, 3H)
    r = _sigmoid(gx[:, :size] + gh[:, :size])
    z = _sigmoid(gx[:, size:2 * size] + gh[:, size:2 * size])
    n = np.tanh(gx[:, 2 * size:] + r * gh[:, 2 * size:])  # reset gate scales h's contribution
    return (1.0 - z) * h + z * n  # z close to 1 keeps the old state
