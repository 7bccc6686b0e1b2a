"""Cases and misconceptions for the PyTorch training loop."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _loop(X, y, W, b, lr, batch_size, perm, *, zero=True, after=False, reduction="mean"):
    import torch
    from torch import nn
    model = ref._linear(W, b)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    losses = []
    for start in range(0, len(perm), batch_size):
        idx = torch.from_numpy(perm[start:start + batch_size])
        if zero:
            opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X[idx]), y[idx], reduction=reduction)
        loss.backward()
        opt.step()
        if after:
            with torch.no_grad():
                loss = nn.functional.cross_entropy(model(X[idx]), y[idx], reduction=reduction)
        losses.append(loss.item())
    return np.array(losses), model.weight.detach().numpy().T, model.bias.detach().numpy()


def _no_zero_grad(*a):
    return _loop(*a, zero=False)


def _loss_after_step(*a):
    return _loop(*a, after=True)


def _sum_reduction(*a):
    return _loop(*a, reduction="sum")


def _no_transpose(W, b):
    import torch
    from torch import nn
    layer = nn.Linear(W.shape[0], W.shape[1], dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(W))  # (D, K) into a (K, D) slot
        layer.bias.copy_(torch.from_numpy(b))
    return layer.weight.detach().numpy().T, layer.bias.detach().numpy()


def _data(rng, n, d, k):
    return (rng.normal(size=(n, d)), rng.integers(0, k, size=n),
            rng.normal(scale=0.3, size=(d, k)), rng.normal(scale=0.1, size=k))


def _random_cases(rng):
    X, y, W, b = _data(rng, 12, 3, 4)
    return [
        Case("train_epoch", [X, y, W, b, 0.5, 4, rng.permutation(12)], name="random epoch"),
        Case("checkpoint_roundtrip", [rng.normal(size=(3, 3)), rng.normal(size=3)],
             name="random square layer"),
    ]


RNG = np.random.default_rng(21)
X1, Y1, W1, B1 = _data(RNG, 8, 3, 3)

CHECKS = Checks(
    cases=[
        Case("train_epoch", [X1, Y1, W1, B1, 0.5, 3, np.arange(8)],
             name="eight examples, batches of 3"),
        Case("train_epoch", [X1, Y1, W1, B1, 1.0, 8, np.arange(8)[::-1].copy()],
             name="one full batch"),
        Case("checkpoint_roundtrip", [np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -0.5])],
             name="a square layer"),
        Case("checkpoint_roundtrip", [W1, B1], name="a 3 x 3 layer"),
    ],
    hidden=[Case("train_epoch", [X1, Y1, np.zeros((3, 3)), np.zeros(3), 0.1, 2,
                                 np.array([3, 1, 0, 2, 7, 5, 4, 6])])],
    random_cases=_random_cases,
    rtol=1e-6,
    atol=1e-9,
    misconceptions=[
        Misconception(
            id="torch-training-loop.no-zero-grad",
            title="no optimizer.zero_grad() in the loop",
            explanation="backward() ADDS into .grad. Without zeroing, every step uses the sum of "
            "all gradients so far, so steps grow and training goes astray.",
            hints=["What is in .grad when the second batch's backward runs?",
                   "Clear the gradients before each backward.",
                   "opt.zero_grad() at the start of each step."],
            replace={"train_epoch": _no_zero_grad},
            reteach="The four lines of every PyTorch step: zero_grad, forward + loss, backward, "
            "step. Forgetting the first is the most common silent training bug.",
        ),
        Misconception(
            id="torch-training-loop.loss-after-step",
            title="recording the loss after the step, re-evaluated with the new weights",
            explanation="The loss to log is the one the gradient was computed from; re-evaluating "
            "after the step reports a rosier, inconsistent number (and costs a forward pass).",
            hints=["Which weights produced the loss you record?", "Log loss.item() from the "
                   "forward pass of the step.", "losses.append(loss.item()) with that loss."],
            replace={"train_epoch": _loss_after_step},
        ),
        Misconception(
            id="torch-training-loop.sum-reduction",
            title="a summed loss (reduction='sum') with a learning rate meant for the mean",
            explanation="Summing scales the loss and the steps by the batch size.",
            hints=["Does the loss grow with the batch size?", "Use the default mean.",
                   "cross_entropy(logits, y)."],
            replace={"train_epoch": _sum_reduction},
        ),
        Misconception(
            id="torch-training-loop.weight-not-transposed",
            title="copying (D, K) weights into nn.Linear without transposing",
            explanation="nn.Linear stores its weight as (out_features, in_features) and computes "
            "x W^T + b. A (D, K) matrix must be transposed on the way in and on the way out.",
            hints=["What shape is nn.Linear(3, 2).weight?", "(out, in).",
                   "layer.weight.copy_(torch.from_numpy(W.T))."],
            replace={"checkpoint_roundtrip": _no_transpose},
        ),
    ],
)
