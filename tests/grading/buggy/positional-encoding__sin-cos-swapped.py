# expect: positional-encoding.sin-cos-swapped
# bug: cos on even columns
# batch: held-out
"""Position information for attention: fixed sinusoids and rotary embeddings (RoPE)."""

import numpy as np


def sinusoidal_encoding(n_positions, d_model, base=10000.0):
    """(n_positions, d_model) table: column 2i holds sin(p w_i), column 2i + 1 cos(p w_i),
    with w_i = base ** (-2i / d_model). d_model is even."""
    freqs = base ** (-np.arange(0, d_model, 2) / d_model)  # (D/2,), from 1 down to ~1/base
    angles = np.arange(n_positions)[:, None] * freqs[None, :]  # (T, D/2)
    pe = np.empty((n_positions, d_model))
    pe[:, 0::2] = np.cos(angles)
    pe[:, 1::2] = np.sin(angles)
    return pe


def rope(x, positions, base=10000.0):
    """x: (..., T, D) queries or keys, D even; positions: (T,) integers.

    Rotates each pair of features (2i, 2i + 1) of the row at position p by the angle
    p * base ** (-2i / D). Returns a new array of x's shape.
    """
    d = x.shape[-1]
    freqs = base ** (-np.arange(0, d, 2) / d)  # (D/2,)
    angles = np.asarray(positions, dtype=float)[:, None] * freqs  # (T, D/2)
    cos, sin = np.cos(angles), np.sin(angles)
    even, odd = x[..., 0::2], x[..., 1::2]  # the two coordinates of every pair
    out = np.empty(x.shape)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out
