# expect: dropout.no-rescale|shape:factor
# bug: forgets 1/(1-p) in backward only
"""Inverted dropout: drop units at random while training, rescale the survivors."""

import numpy as np


def dropout_forward(x, p, u, training):
    """Apply inverted dropout to ``x``.

    x: activations, any shape.
    p: the probability of DROPPING a unit, 0 <= p < 1.
    u: uniform samples in [0, 1) with the shape of x; a unit is kept where u >= p.
    training: True while training; False at evaluation (then x passes through).
    """
    if not training:
        return x
    mask = u >= p  # True for the units that survive
    return x * mask / (1.0 - p)


def dropout_backward(dout, p, u, training):
    """Gradient of the loss with respect to x, given dout = dL/d(out)."""
    if not training:
        return dout
    mask = u >= p
    return dout * mask
