"""An nn.Module MLP in PyTorch, trained on the 8 x 8 digits."""

import numpy as np
import torch
from torch import nn


def mlp_logits(X, W1, b1, W2, b2):
    """Logits of a ReLU MLP: relu(X W1 + b1) W2 + b2. NumPy in, logits (N, K) out."""
    # BEGIN SOLUTION: tensors, a linear layer, ReLU, a linear layer
    X, W1, b1, W2, b2 = (torch.from_numpy(a) for a in (X, W1, b1, W2, b2))
    return torch.relu(X @ W1 + b1) @ W2 + b2
    # END SOLUTION


def train_step(X, y, W1, b1, W2, b2, lr):
    """One SGD step on the mean cross-entropy of mlp_logits. Returns (W1, b1, W2, b2)."""
    # BEGIN SOLUTION: leaves with gradients, loss, backward, update without tracking
    params = [torch.from_numpy(a.copy()).requires_grad_() for a in (W1, b1, W2, b2)]
    hidden = torch.relu(torch.from_numpy(X) @ params[0] + params[1])
    logits = hidden @ params[2] + params[3]
    loss = nn.functional.cross_entropy(logits, torch.from_numpy(y))
    loss.backward()
    with torch.no_grad():  # the update itself is not part of the graph
        return tuple(p - lr * p.grad for p in params)
    # END SOLUTION


class DigitsMLP(nn.Module):
    """64 pixels -> hidden ReLU layer -> 10 logits."""

    def __init__(self, hidden=128):
        super().__init__()
        # BEGIN SOLUTION: two linear layers
        self.layers = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION: logits
        return self.layers(x)
        # END SOLUTION


def train_and_predict(X_train, y_train, X_test, seed):
    """Train a DigitsMLP on the training images and return predicted labels for X_test."""
    # BEGIN SOLUTION: Adam on mini-batches for a few dozen epochs, then argmax
    torch.manual_seed(seed)
    model = DigitsMLP().double()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    X, y = torch.from_numpy(X_train), torch.from_numpy(y_train)
    model.train()
    for _ in range(40):
        order = torch.randperm(len(X))
        for start in range(0, len(X), 64):
            idx = order[start:start + 64]
            opt.zero_grad()
            nn.functional.cross_entropy(model(X[idx]), y[idx]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(X_test)).argmax(dim=1).numpy()
    # END SOLUTION
