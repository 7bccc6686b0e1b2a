# expect: adam.eps-inside-sqrt
# bug: eps under the root
"""Adam: momentum on the gradient, RMSProp on its scale, with bias correction."""

import numpy as np


def adam_step(w, grad, m, v, t, lr, beta1, beta2, eps):
    """One Adam update at step t (t = 1 for the first step).

    Returns the tuple (new_w, new_m, new_v); m and v are stored without bias correction.
    """
    m = beta1 * m + (1.0 - beta1) * grad
    v = beta2 * v + (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - beta1**t)  # the moments start at 0: undo that pull towards 0
    v_hat = v / (1.0 - beta2**t)
    w = w - lr * m_hat / np.sqrt(v_hat + eps)
    return w, m, v
