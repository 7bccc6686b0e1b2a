# expect: lr-schedules.warmup-starts-at-zero|shape:shifted|shape:off-by-one
# bug: t / warmup
"""Three learning-rate schedules, vectorised over an array of step numbers t = 0, 1, 2, ..."""

import numpy as np


def step_decay(t, base, gamma, step_size):
    """base * gamma^(number of completed step_size blocks)."""
    return base * gamma ** (t // step_size)


def cosine_annealing(t, base, minimum, total):
    """Half a cosine from base (t = 0) down to minimum (t = total)."""
    return minimum + (base - minimum) * (1.0 + np.cos(np.pi * t / total)) / 2.0


def linear_warmup(t, base, warmup):
    """Rise linearly to base over the first `warmup` steps, then stay at base."""
    return base * np.minimum(1.0, t / warmup)
