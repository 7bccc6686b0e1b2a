"""An embedding layer: a table of vectors indexed by token ids."""

import numpy as np


def embedding_forward(ids, W):
    """ids: (N, T) integer token ids; W: (V, D) table. Returns (N, T, D)."""
    # BEGIN SOLUTION: fancy indexing picks the rows
    return W[ids]
    # END SOLUTION


def embedding_backward(dout, ids, vocab_size):
    """dout: (N, T, D). Returns dW: (vocab_size, D), summing repeated tokens."""
    # BEGIN SOLUTION: scatter-add every gradient row into its token's row
    d = dout.shape[-1]
    dW = np.zeros((vocab_size, d))
    np.add.at(dW, ids.ravel(), dout.reshape(-1, d))  # unbuffered: repeats accumulate
    return dW
    # END SOLUTION
