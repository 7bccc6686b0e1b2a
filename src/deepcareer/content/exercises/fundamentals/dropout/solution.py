"""Inverted dropout: drop units at random while training, rescale the survivors."""

import numpy as np


def dropout_forward(x, p, u, training):
    """Apply inverted dropout to ``x``.

    x: activations, any shape.
    p: the probability of DROPPING a unit, 0 <= p < 1.
    u: uniform samples in [0, 1) with the shape of x; a unit is kept where u >= p.
    training: True while training; False at evaluation (then x passes through).
    """
    # BEGIN SOLUTION: keep units where u >= p and scale them by 1 / (1 - p); identity at evaluation
    if not training:
        return x
    mask = u >= p  # True for the units that survive
    return x * mask / (1.0 - p)
    # END SOLUTION


def dropout_backward(dout, p, u, training):
    """Gradient of the loss with respect to x, given dout = dL/d(out)."""
    # BEGIN SOLUTION: the same mask and the same factor as the forward pass
    if not training:
        return dout
    mask = u >= p
    return dout * mask / (1.0 - p)
    # END SOLUTION
