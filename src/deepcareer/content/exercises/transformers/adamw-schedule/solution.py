"""Decoupled weight decay (AdamW), Adam with an L2 penalty, and the usual transformer schedule."""

import numpy as np


def adamw_step(w, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """One AdamW update at step t (t = 1 first). Returns (new_w, new_m, new_v), new arrays."""
    # BEGIN SOLUTION: Adam on the loss gradient alone, then shrink the weights directly
    m = beta1 * m + (1.0 - beta1) * grad
    v = beta2 * v + (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    w = w - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * w)  # decay skips the moments
    return w, m, v
    # END SOLUTION


def adam_l2_step(w, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """One Adam update of the loss plus (weight_decay / 2) * ||w||^2.

    Returns (new_w, new_m, new_v), new arrays.
    """
    # BEGIN SOLUTION: the penalty's gradient joins the loss gradient before the moments
    g = grad + weight_decay * w  # d/dw of (wd / 2) ||w||^2 is wd * w
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    # END SOLUTION


def warmup_cosine(t, base, minimum, warmup, total):
    """Learning rates at the step numbers t (an integer array, t = 0, 1, 2, ...).

    0 <= t < warmup: base * t / warmup (from 0 up); warmup <= t <= total: half a cosine
    from base down to minimum; t > total: minimum. 0 < warmup < total.
    """
    # BEGIN SOLUTION: a linear ramp, then cosine progress measured from the end of the ramp
    t = np.asarray(t, dtype=float)
    progress = np.clip((t - warmup) / (total - warmup), 0.0, 1.0)  # 0 at warmup, 1 at total
    cosine = minimum + (base - minimum) * (1.0 + np.cos(np.pi * progress)) / 2.0
    return np.where(t < warmup, base * t / warmup, cosine)
    # END SOLUTION
