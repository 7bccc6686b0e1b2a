"""An LSTM that reads each digit image row by row and classifies the sequence."""

import numpy as np
import torch
from torch import nn


def last_hidden(x, W_ih, W_hh, b):
    """Run nn.LSTM (batch_first, one layer) over x (N, T, D) with the given weights.

    W_ih: (4H, D), W_hh: (4H, H), b: (4H,) in PyTorch's layout (bias_hh is zero).
    Returns the final hidden state (N, H).
    """
    # BEGIN SOLUTION: load the weights into nn.LSTM and keep h_n of the last layer
    hidden = W_hh.shape[1]
    lstm = nn.LSTM(x.shape[2], hidden, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(W_ih))
        lstm.weight_hh_l0.copy_(torch.from_numpy(W_hh))
        lstm.bias_ih_l0.copy_(torch.from_numpy(b))
        lstm.bias_hh_l0.zero_()
        _, (h_n, _) = lstm(torch.from_numpy(x))
    return h_n[-1]  # (N, H): h_n is (num_layers, N, H)
    # END SOLUTION


class RowLSTM(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        # BEGIN SOLUTION: an LSTM over the 8 rows and a linear read-out
        self.lstm = nn.LSTM(8, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 10)
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION: classify from the last hidden state
        _, (h_n, _) = self.lstm(x)  # x: (N, 8 rows, 8 pixels)
        return self.head(h_n[-1])
        # END SOLUTION


def train_and_predict(X_train, y_train, X_test, seed):
    """X_*: (N, 8, 8) images as sequences of rows. Returns predicted labels for X_test."""
    # BEGIN SOLUTION: Adam, mini-batches, train then eval
    torch.manual_seed(seed)
    model = RowLSTM().double()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    X, y = torch.from_numpy(X_train), torch.from_numpy(y_train)
    model.train()
    for _ in range(25):
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
