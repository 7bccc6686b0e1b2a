"""Weight penalties: L2 (weight decay) and L1 (sparsity), with their gradients."""

import numpy as np


def l2_penalty(w, lam):
    """(lam / 2) * sum of squared weights; w of any shape, lam >= 0. Returns a float."""
    # BEGIN SOLUTION: half lam times the squared Euclidean norm
    return 0.5 * lam * np.sum(w * w)
    # END SOLUTION


def l2_grad(w, lam):
    """Gradient of l2_penalty with respect to w (same shape as w)."""
    # BEGIN SOLUTION: the 1/2 cancels the 2 of the square
    return lam * w
    # END SOLUTION


def l1_penalty(w, lam):
    """lam * sum of absolute weights. Returns a float."""
    # BEGIN SOLUTION: lam times the L1 norm
    return lam * np.sum(np.abs(w))
    # END SOLUTION


def l1_grad(w, lam):
    """A (sub)gradient of l1_penalty: lam * sign(w), taking 0 where w == 0."""
    # BEGIN SOLUTION: the sign of each weight
    return lam * np.sign(w)
    # END SOLUTION
