"""Weight initialisation for a dense layer with weights of shape (fan_in, fan_out).

Each function receives the random samples it needs, so results are reproducible:
u is uniform on [0, 1), z is standard normal; both have shape (fan_in, fan_out).
"""

import numpy as np


def xavier_uniform(u):
    """Glorot/Xavier uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out))."""
    # BEGIN SOLUTION: map [0, 1) to [-a, a]
    fan_in, fan_out = u.shape
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return (2.0 * u - 1.0) * bound
    # END SOLUTION


def xavier_normal(z):
    """Glorot/Xavier normal: N(0, 2 / (fan_in + fan_out))."""
    # BEGIN SOLUTION: scale by the standard deviation
    fan_in, fan_out = z.shape
    return z * np.sqrt(2.0 / (fan_in + fan_out))
    # END SOLUTION


def he_uniform(u):
    """He/Kaiming uniform for ReLU layers: U(-a, a) with a = sqrt(6 / fan_in)."""
    # BEGIN SOLUTION: map [0, 1) to [-a, a]
    fan_in = u.shape[0]
    bound = np.sqrt(6.0 / fan_in)
    return (2.0 * u - 1.0) * bound
    # END SOLUTION


def he_normal(z):
    """He/Kaiming normal for ReLU layers: N(0, 2 / fan_in)."""
    # BEGIN SOLUTION: scale by the standard deviation
    fan_in = z.shape[0]
    return z * np.sqrt(2.0 / fan_in)
    # END SOLUTION
