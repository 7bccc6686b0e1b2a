"""Digits with your own NumPy MLP: fit(train, run) and predict(model, X).

NumPy only: no scikit-learn model, no framework. fit() below is the skeleton; the network,
its gradients and the optimiser are yours. Replace every NotImplementedError.
"""

import numpy as np

# Starting points, not answers: change them, and run.params records what you used.
HIDDEN = 64
EPOCHS = 20
BATCH = 32
LR = 1e-3


def init_params(rng, sizes):
    """Weights and biases for the layer widths in ``sizes``, e.g. [64, HIDDEN, 10].

    Returns a dict {"W0": (64, H), "b0": (H,), "W1": (H, 10), "b1": (10,)}. ReLU layers
    want He initialisation; draw every random number from ``rng``.
    """
    # TODO: He-normal weights, zero biases
    raise NotImplementedError("He-normal weights, zero biases")


def forward(params, X):
    """Logits (B, 10) for a batch X (B, 64), plus whatever the backward pass needs."""
    # TODO: dense -> ReLU -> dense
    raise NotImplementedError("dense -> ReLU -> dense")


def loss_and_grads(params, X, y):
    """Mean softmax cross-entropy of the batch and the gradient of every parameter.

    Returns (loss, grads) with grads shaped like params. (Add an L2 term later if you
    want to try weight decay.)
    """
    # TODO: forward, a stable log-softmax, then backprop through both layers
    raise NotImplementedError("forward, a stable log-softmax, then backprop through both layers")


def update(params, grads, state, lr):
    """Change params in place by one optimiser step; ``state`` is a dict for what the
    optimiser keeps between steps (Adam's moments and step count; nothing for plain SGD)."""
    # TODO: an SGD or Adam step
    raise NotImplementedError("an SGD or Adam step")


def train_epoch(params, state, X, y, rng):
    """One pass over (X, y) in mini-batches of BATCH rows, in an order shuffled with ``rng``.

    Updates params in place and returns the epoch's mean training loss.
    """
    # TODO: shuffle, then loss_and_grads and update for each mini-batch
    raise NotImplementedError("shuffle, then loss_and_grads and update for each mini-batch")


def fit(train, run):
    """Train on train.X (N, 64), pixels in [0, 1], and train.y (N,) labels 0..9."""
    rng = np.random.default_rng(run.seed)  # every random draw comes from here
    X = np.asarray(train.X, dtype=np.float64)  # (N, 64)
    y = np.asarray(train.y)  # (N,)
    run.params(hidden=HIDDEN, epochs=EPOCHS, batch_size=BATCH, lr=LR)

    params = init_params(rng, [X.shape[1], HIDDEN, len(train.classes)])
    state = {}  # the optimiser's memory between steps
    for _ in run.epochs(EPOCHS):
        loss = train_epoch(params, state, X, y, rng)
        train_acc = np.mean(predict(params, X).argmax(axis=1) == y)
        run.log(loss=loss, train_accuracy=train_acc)  # one row of the learning curves
    return params


def predict(model, X):
    """Class scores (n, 10) for the rows of X; the argmax of each row is the prediction.

    Logits are enough; probabilities (rows summing to 1) also give you a log-loss.
    """
    # TODO: the forward pass with the trained params
    raise NotImplementedError("the forward pass with the trained params")
