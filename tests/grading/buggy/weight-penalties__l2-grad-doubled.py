# expect: weight-penalties.l2-missing-half|shape:factor
# bug: gradient of lam*w^2 with the 1/2 kept in the penalty
"""Weight penalties: L2 (weight decay) and L1 (sparsity), with their gradients."""

import numpy as np


def l2_penalty(w, lam):
    """(lam / 2) * sum of squared weights; w of any shape, lam >= 0. Returns a float."""
    return 0.5 * lam * np.sum(w * w)


def l2_grad(w, lam):
    """Gradient of l2_penalty with respect to w (same shape as w)."""
    return 2 * lam * w


def l1_penalty(w, lam):
    """lam * sum of absolute weights. Returns a float."""
    return lam * np.sum(np.abs(w))


def l1_grad(w, lam):
    """A (sub)gradient of l1_penalty: lam * sign(w), taking 0 where w == 0."""
    return lam * np.sign(w)
