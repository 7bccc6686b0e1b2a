# expect: -
# bug: compares with the previous epoch instead of the best
# batch: held-out
# not: early-stopping.ties-improve early-stopping.peeks-ahead
"""Early stopping: watch the validation loss and stop when it stops improving."""

import numpy as np


def early_stopping(val_losses, patience):
    """Replay training with early stopping.

    val_losses: (E,) validation loss after each epoch 0 .. E-1; patience: int >= 1.
    Returns (best_epoch, stop_epoch): the epoch whose weights to keep, and the epoch
    at which training stops (the last epoch if patience never runs out).
    """
    best = np.inf
    best_epoch = 0
    wait = 0
    prev = np.inf
    for epoch, loss in enumerate(val_losses):
        if loss < prev:
            prev = loss
            best, best_epoch, wait = loss, epoch, 0
        else:
            prev = loss
            wait += 1
            if wait == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1
