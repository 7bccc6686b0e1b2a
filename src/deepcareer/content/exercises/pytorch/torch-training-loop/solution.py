"""The PyTorch training loop: zero_grad, forward, backward, step; and checkpoints."""

import os
import tempfile

import numpy as np
import torch
from torch import nn


def _linear(W, b):
    """An nn.Linear holding our (D, K) weights; torch stores (K, D)."""
    layer = nn.Linear(W.shape[0], W.shape[1], dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(W.T))
        layer.bias.copy_(torch.from_numpy(b))
    return layer


def train_epoch(X, y, W, b, lr, batch_size, perm):
    """One epoch of SGD on a linear softmax classifier, batches taken from perm in order.

    Returns (losses, W, b): the loss of each batch BEFORE its step, and the final weights.
    """
    # BEGIN SOLUTION: the four lines of every training step
    model = _linear(W, b)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    losses = []
    model.train()
    for start in range(0, len(perm), batch_size):
        idx = torch.from_numpy(perm[start:start + batch_size])
        opt.zero_grad()  # gradients accumulate otherwise
        loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
        losses.append(loss.item())  # the loss the step was computed from
    return np.array(losses), model.weight.detach().numpy().T, model.bias.detach().numpy()
    # END SOLUTION


def checkpoint_roundtrip(W, b):
    """Save a linear layer's state_dict to a file in a temporary folder, load it into a NEW
    layer, and return that layer's (W, b) in our (D, K) convention."""
    # BEGIN SOLUTION: state_dict out, state_dict in
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "checkpoint.pt")
        torch.save(_linear(W, b).state_dict(), path)
        fresh = nn.Linear(W.shape[0], W.shape[1], dtype=torch.float64)
        fresh.load_state_dict(torch.load(path, weights_only=True))
    return fresh.weight.detach().numpy().T, fresh.bias.detach().numpy()
    # END SOLUTION
