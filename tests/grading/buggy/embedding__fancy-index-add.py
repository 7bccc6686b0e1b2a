# expect: embedding.buffered-scatter
# bug: dW[ids] += dout
# batch: held-out
"""An embedding layer: a table of vectors indexed by token ids."""

import numpy as np


def embedding_forward(ids, W):
    """ids: (N, T) integer token ids; W: (V, D) table. Returns (N, T, D)."""
    return W[ids]


def embedding_backward(dout, ids, vocab_size):
    """dout: (N, T, D). Returns dW: (vocab_size, D), summing repeated tokens."""
    d = dout.shape[-1]
    dW = np.zeros((vocab_size, d))
    dW[ids.ravel()] += dout.reshape(-1, d)  # unbuffered: repeats accumulate
    return dW
