# expect: rmsprop.no-sqrt
# bug: divides by the average itself
"""RMSProp: divide each parameter's step by a running RMS of its gradients."""

import numpy as np


def rmsprop_step(w, grad, sq_avg, lr, alpha, eps):
    """One RMSProp update. Returns the tuple (new_w, new_sq_avg)."""
    sq_avg = alpha * sq_avg + (1.0 - alpha) * grad * grad
    w = w - lr * grad / (sq_avg + eps)
    return w, sq_avg
