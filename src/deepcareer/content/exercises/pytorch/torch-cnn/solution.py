"""A small convolutional network in PyTorch, on the 8 x 8 digits."""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


def cnn_logits(x, conv_w, conv_b, fc_w, fc_b):
    """x: (N, 1, 8, 8) images; conv_w: (C, 1, 3, 3); conv_b: (C,); fc_w: (C*4*4, 10); fc_b: (10,).

    conv 3 x 3 with padding 1 -> ReLU -> 2 x 2 max pooling -> flatten -> linear. Returns logits.
    """
    # BEGIN SOLUTION: the classic conv -> relu -> pool -> dense stack
    x, conv_w, conv_b, fc_w, fc_b = (torch.from_numpy(a) for a in (x, conv_w, conv_b, fc_w,
                                                                  fc_b))
    h = F.max_pool2d(F.relu(F.conv2d(x, conv_w, conv_b, padding=1)), 2)  # (N, C, 4, 4)
    return h.flatten(start_dim=1) @ fc_w + fc_b  # flatten keeps (C, H, W) order
    # END SOLUTION


class DigitsCNN(nn.Module):
    def __init__(self, channels=16):
        super().__init__()
        # BEGIN SOLUTION: one convolution block and a classifier
        self.conv = nn.Conv2d(1, channels, 3, padding=1)
        self.fc = nn.Linear(channels * 4 * 4, 10)
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION: (N, 1, 8, 8) -> logits (N, 10)
        return self.fc(F.max_pool2d(F.relu(self.conv(x)), 2).flatten(start_dim=1))
        # END SOLUTION


def train_and_predict(X_train, y_train, X_test, seed):
    """X_*: (N, 1, 8, 8) images. Train a DigitsCNN; return predicted labels for X_test."""
    # BEGIN SOLUTION: the same loop as for the MLP
    torch.manual_seed(seed)
    model = DigitsCNN().double()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    X, y = torch.from_numpy(X_train), torch.from_numpy(y_train)
    model.train()
    for _ in range(15):
        order = torch.randperm(len(X))
        for start in range(0, len(X), 64):
            idx = order[start:start + 64]
            opt.zero_grad()
            F.cross_entropy(model(X[idx]), y[idx]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(X_test)).argmax(dim=1).numpy()
    # END SOLUTION
