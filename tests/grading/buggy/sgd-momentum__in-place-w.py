# expect: check:modifies its input in place
# bug: w -= ...
"""Stochastic gradient descent with (heavy-ball) momentum."""

import numpy as np


def momentum_step(w, grad, velocity, lr, beta):
    """One momentum update.

    w, grad, velocity: arrays of the same shape; lr: learning rate; beta: momentum in [0, 1).
    Returns the tuple (new_w, new_velocity).
    """
    velocity = beta * velocity + grad
    w -= lr * velocity
    return w, velocity
