"""MNIST-1D, reference solution: four models of increasing inductive bias on 40-sample signals.

fit(train, run) trains the model named by run.variant ("logistic", "mlp", "cnn" or "gru")
and returns it; predict(model, X) returns class scores (n, 10).
"""

import torch
from torch import nn

N_CLASSES = 10

# One recipe for all four models: Adam, batches of 100, and a one-cycle learning rate that
# warms up to LR and then anneals to almost zero, so the last epochs polish the weights
# instead of bouncing around a minimum. Only the number of epochs and the width change.
LR = 1e-2
BATCH_SIZE = 100
SETTINGS = {
    "logistic": {"epochs": 30},
    "mlp": {"epochs": 30, "hidden": 128},
    "cnn": {"epochs": 20, "channels": 32},
    "gru": {"epochs": 20, "hidden": 32},  # the slowest per epoch: 40 steps one after another
}


def build_logistic(length):
    # One linear map from the raw signal to 10 scores: the softmax lives in the loss.
    return nn.Linear(length, N_CLASSES)


def build_mlp(length, hidden):
    # Every input position gets its own weights: nothing says neighbours are related.
    return nn.Sequential(
        nn.Linear(length, hidden), nn.ReLU(),
        nn.Linear(hidden, hidden), nn.ReLU(),
        nn.Linear(hidden, N_CLASSES),
    )


class ConvNet(nn.Module):
    """Three strided 1-D convolutions: small windows (locality), the same filter slid along
    the whole signal (weight sharing), halving the length at each layer.

    The paper's CNN has no batch norm; ours normalises each channel after every convolution,
    which lets the shared learning rate train it faster and adds a point or two of accuracy.
    """

    def __init__(self, length, channels):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, channels, kernel_size=5, stride=2, padding=2),
            nn.BatchNorm1d(channels), nn.ReLU(),
            nn.Conv1d(channels, channels, kernel_size=3, stride=2, padding=1),
            nn.BatchNorm1d(channels), nn.ReLU(),
            nn.Conv1d(channels, channels, kernel_size=3, stride=2, padding=1),
            nn.BatchNorm1d(channels), nn.ReLU(),
        )
        steps = (length + 7) // 8  # each stride-2 layer rounds the length up: 40 -> 5
        self.head = nn.Linear(channels * steps, N_CLASSES)

    def forward(self, x):  # x: (B, T)
        h = self.features(x.unsqueeze(1))  # (B, 1, T) -> (B, C, T / 8)
        return self.head(h.flatten(1))  # (B, C * T / 8) -> (B, 10)


class GRUClassifier(nn.Module):
    """Reads the signal one sample at a time; the last hidden state sums up the sequence."""

    def __init__(self, hidden):
        super().__init__()
        self.gru = nn.GRU(input_size=1, hidden_size=hidden, batch_first=True)
        self.head = nn.Linear(hidden, N_CLASSES)

    def forward(self, x):  # x: (B, T)
        _, last = self.gru(x.unsqueeze(2))  # input (B, T, 1); last: (1, B, H)
        return self.head(last[0])  # (B, H) -> (B, 10)


def build_model(variant, length, settings):
    if variant == "logistic":
        return build_logistic(length)
    if variant == "mlp":
        return build_mlp(length, settings["hidden"])
    if variant == "cnn":
        return ConvNet(length, settings["channels"])
    if variant == "gru":
        return GRUClassifier(settings["hidden"])
    raise ValueError(f"unknown variant {variant!r}: expected one of {sorted(SETTINGS)}")


def train_one_epoch(model, optimizer, schedule, X, y, batch_size):
    """One pass over the shuffled training set. Returns (mean loss, accuracy)."""
    model.train()
    order = torch.randperm(len(X))  # a new order each epoch, drawn from the seeded generator
    total_loss, correct = 0.0, 0
    for start in range(0, len(X), batch_size):
        rows = order[start:start + batch_size]
        scores = model(X[rows])  # (B, 10)
        loss = nn.functional.cross_entropy(scores, y[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()  # the one-cycle schedule moves once per batch
        total_loss += loss.item() * len(rows)
        correct += (scores.argmax(1) == y[rows]).sum().item()
    return total_loss / len(X), correct / len(X)


def fit(train, run):
    torch.manual_seed(run.seed)
    settings = SETTINGS[run.variant]
    run.params(model=run.variant, optimizer="adam", schedule="one-cycle", lr=LR,
               batch_size=BATCH_SIZE, **settings)

    X = torch.as_tensor(train.X, dtype=torch.float32)  # (N, T)
    y = torch.as_tensor(train.y, dtype=torch.long)  # (N,)
    model = build_model(run.variant, X.shape[1], settings)

    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    steps_per_epoch = -(-len(X) // BATCH_SIZE)  # ceiling division: a short last batch counts
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=LR, epochs=settings["epochs"], steps_per_epoch=steps_per_epoch)

    for _ in run.epochs(settings["epochs"]):
        loss, accuracy = train_one_epoch(model, optimizer, schedule, X, y, BATCH_SIZE)
        run.log(loss=loss, train_accuracy=accuracy)
    model.eval()
    return model


def predict(model, X):
    model.eval()
    with torch.no_grad():  # no graph: we only read the scores
        scores = model(torch.as_tensor(X, dtype=torch.float32))  # (n, 10)
    return scores.numpy()
