"""MNIST-1D: reproduce the paper's ranking of four models on 40-sample signals.

deepcareer calls fit(train, run) once per experiment, with run.variant one of "logistic",
"mlp", "cnn" or "gru", then predict(model, X) on the held-out signals. See README.md.

train.X is a float array (N, 40), one signal per row; train.y holds labels 0..9.
"""

import torch
from torch import nn

N_CLASSES = 10

# Your hyper-parameters, one entry per model. Everything here is recorded with run.params.
# The learning rate follows a one-cycle schedule (see fit): it warms up to "lr", then
# anneals to almost zero, so the last epochs polish the weights instead of bouncing
# around a minimum. With a constant rate the CNN ends just short of the 90 % bar.
SETTINGS = {
    "logistic": {"epochs": 30, "lr": 1e-2, "batch_size": 100},
    "mlp": {"epochs": 30, "lr": 1e-2, "batch_size": 100, "hidden": 128},
    "cnn": {"epochs": 20, "lr": 1e-2, "batch_size": 100, "channels": 32},
    "gru": {"epochs": 20, "lr": 1e-2, "batch_size": 100, "hidden": 32},
}


def build_logistic(length):
    raise NotImplementedError(
        "build_logistic: one linear layer from the `length` input samples to 10 class scores "
        "(no softmax: cross_entropy applies it)")


def build_mlp(length, hidden):
    raise NotImplementedError(
        "build_mlp: a multi-layer perceptron, length -> hidden -> hidden -> 10, with a ReLU "
        "after each hidden layer")


class ConvNet(nn.Module):
    """A 1-D CNN: a few Conv1d layers (small kernels, stride 2), then a linear head."""

    def __init__(self, length, channels):
        super().__init__()
        raise NotImplementedError(
            "ConvNet.__init__: stack 3 Conv1d layers (1 -> channels -> channels -> channels, "
            "kernel 5 then 3, stride 2) with ReLUs, and a Linear head from the flattened "
            "features to 10 scores; work out the length left after the strides")

    def forward(self, x):  # x: (B, T)
        raise NotImplementedError(
            "ConvNet.forward: add a channel axis (B, 1, T), run the convolutions, flatten "
            "(B, C * T'), return the head's (B, 10) scores")


class GRUClassifier(nn.Module):
    """A GRU that reads the signal one sample at a time, then a linear head."""

    def __init__(self, hidden):
        super().__init__()
        raise NotImplementedError(
            "GRUClassifier.__init__: an nn.GRU with input_size=1 (one sample per time step) "
            "and batch_first=True, and a Linear head from the hidden size to 10 scores")

    def forward(self, x):  # x: (B, T)
        raise NotImplementedError(
            "GRUClassifier.forward: feed (B, T, 1) to the GRU and classify from its last "
            "hidden state (B, H)")


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
    """One pass over the training set in shuffled mini-batches. Returns (mean loss, accuracy)."""
    raise NotImplementedError(
        "train_one_epoch: put the model in train mode, draw a new order with torch.randperm, "
        "and for each batch compute cross_entropy, zero the gradients, backward, step the "
        "optimizer and then the schedule (once per batch); return the mean loss and the "
        "fraction of training rows classified right")


def fit(train, run):
    torch.manual_seed(run.seed)
    settings = SETTINGS[run.variant]
    run.params(model=run.variant, **settings)

    X = torch.as_tensor(train.X, dtype=torch.float32)  # (N, T)
    y = torch.as_tensor(train.y, dtype=torch.long)  # (N,)
    model = build_model(run.variant, X.shape[1], settings)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings["lr"])
    steps_per_epoch = -(-len(X) // settings["batch_size"])  # a short last batch counts
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=settings["lr"], epochs=settings["epochs"],
        steps_per_epoch=steps_per_epoch)

    for _ in run.epochs(settings["epochs"]):
        loss, accuracy = train_one_epoch(model, optimizer, schedule, X, y,
                                         settings["batch_size"])
        run.log(loss=loss, train_accuracy=accuracy)
    model.eval()  # from here on, layers such as dropout or batch norm behave for inference
    return model


def predict(model, X):
    raise NotImplementedError(
        "predict: with the model in eval mode and under torch.no_grad(), return its class "
        "scores for X as a NumPy array (n, 10)")
