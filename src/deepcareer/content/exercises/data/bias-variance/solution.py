"""Measure bias and variance of polynomial fits by refitting on bootstrap resamples."""

import numpy as np


def bootstrap_predictions(x, y, degree, boot_idx, x_grid):
    """Fit a polynomial of `degree` on each resample and predict on the grid.

    x, y: (n,) data; boot_idx: (B, n) indices of the resamples; x_grid: (G,).
    Returns preds: (B, G).
    """
    # BEGIN SOLUTION: one least-squares polynomial per resample
    preds = np.empty((len(boot_idx), len(x_grid)))
    for b, idx in enumerate(boot_idx):
        coeffs = np.polyfit(x[idx], y[idx], degree)
        preds[b] = np.polyval(coeffs, x_grid)
    return preds
    # END SOLUTION


def decompose(preds, f_true):
    """Split the mean squared error of preds (B, G) against the true function f_true (G,).

    Returns (bias_sq, variance, mse), each averaged over the grid; bias_sq + variance == mse.
    """
    # BEGIN SOLUTION: average prediction for the bias, spread around it for the variance
    mean_pred = preds.mean(axis=0)  # (G,)
    bias_sq = np.mean((mean_pred - f_true) ** 2)
    variance = np.mean(preds.var(axis=0))  # ddof=0: the decomposition is then exact
    mse = np.mean((preds - f_true) ** 2)
    return bias_sq, variance, mse
    # END SOLUTION
