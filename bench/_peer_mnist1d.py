"""Peer for the MNIST-1D benchmark: the reference CNN in plain PyTorch, with no deepcareer and
no tracking. Prints one JSON line: {"train_s": ..., "accuracy": ...}.

Keep the model and the hyper-parameters a copy of the "cnn" variant of
src/deepcareer/content/projects/mnist1d/reference.py, so the bench compares like with like.
"""

from __future__ import annotations

import json
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as the runner sets it
import torch
from mnist1d.data import get_dataset_args, make_dataset
from torch import nn

SEED = 0
EPOCHS = 20
LR = 1e-2
BATCH_SIZE = 100
CHANNELS = 32
N_CLASSES = 10


class ConvNet(nn.Module):
    def __init__(self, length: int, channels: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, channels, kernel_size=5, stride=2, padding=2),
            nn.BatchNorm1d(channels), nn.ReLU(),
            nn.Conv1d(channels, channels, kernel_size=3, stride=2, padding=1),
            nn.BatchNorm1d(channels), nn.ReLU(),
            nn.Conv1d(channels, channels, kernel_size=3, stride=2, padding=1),
            nn.BatchNorm1d(channels), nn.ReLU(),
        )
        self.head = nn.Linear(channels * ((length + 7) // 8), N_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (B, T)
        return self.head(self.features(x.unsqueeze(1)).flatten(1))


def train(X: torch.Tensor, y: torch.Tensor) -> nn.Module:
    torch.manual_seed(SEED)
    model = ConvNet(X.shape[1], CHANNELS)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=LR, epochs=EPOCHS, steps_per_epoch=-(-len(X) // BATCH_SIZE))
    for _ in range(EPOCHS):
        model.train()
        order = torch.randperm(len(X))
        for start in range(0, len(X), BATCH_SIZE):
            rows = order[start:start + BATCH_SIZE]
            loss = nn.functional.cross_entropy(model(X[rows]), y[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    return model.eval()


def main() -> None:
    torch.set_num_threads(2)
    data = make_dataset(get_dataset_args())  # generated locally; get_dataset would download
    X = torch.as_tensor(data["x"], dtype=torch.float32)
    y = torch.as_tensor(data["y"], dtype=torch.long)
    X_test = torch.as_tensor(data["x_test"], dtype=torch.float32)

    start = time.perf_counter()
    model = train(X, y)
    train_s = time.perf_counter() - start

    with torch.no_grad():
        predicted = model(X_test).argmax(1).numpy()
    accuracy = float((predicted == data["y_test"]).mean())
    print(json.dumps({"train_s": round(train_s, 3), "accuracy": accuracy}))


if __name__ == "__main__":
    main()
