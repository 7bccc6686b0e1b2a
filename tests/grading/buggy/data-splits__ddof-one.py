# expect: data-splits.ddof-one
# bug: sample std
"""Honest evaluation starts with splits that do not overlap and preprocessing that does not peek."""

import numpy as np


def split_indices(perm, n_train, n_val):
    """Cut the shuffled indices perm (N,) into (train, val, test) index arrays."""
    train = perm[:n_train]
    val = perm[n_train:n_train + n_val]
    test = perm[n_train + n_val:]
    return train, val, test


def standardize(X_train, X_other):
    """Scale every feature to mean 0, std 1 using statistics of X_train ONLY.

    Returns (X_train scaled, X_other scaled). Constant features (std <= 1e-12 * |mean|)
    are centred, not scaled.
    """
    mean = X_train.mean(axis=0)  # (D,)
    std = X_train.std(axis=0, ddof=1)
    # A constant feature carries no scale. Round-off leaves its std at about 1e-17 rather
    # than exactly 0 (three rows of 0.1), so compare with the mean's size, not with 0.
    std = np.where(std <= 1e-12 * np.abs(mean), 1.0, std)
    return (X_train - mean) / std, (X_other - mean) / std
