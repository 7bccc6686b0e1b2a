"""Breast cancer, classic ML versus a network: your NumPy MLP, fit(train, run) and predict.

deepcareer trains the baselines itself (majority class, logistic regression, gradient
boosting); your job is the network and an honest comparison. NumPy only. The network
pieces are the ones you wrote for digits-mlp: copy them in and adapt them.
"""

import numpy as np

# Starting points, not answers. 426 training rows: think about regularisation.
HIDDEN = 32
EPOCHS = 60
BATCH = 32
LR = 1e-3
WEIGHT_DECAY = 0.0


def standardiser(X):
    """Per-feature mean (D,) and standard deviation (D,) of the training rows X (N, D).

    A feature with zero spread must not cause a division by zero.
    """
    # TODO: column means and stds, guarding zero stds
    raise NotImplementedError("column means and stds, guarding zero stds")


def init_params(rng, sizes):
    """He-normal weights and zero biases for the widths in ``sizes``, e.g. [30, HIDDEN, 2]."""
    # TODO: one (fan_in, fan_out) matrix and one bias vector per layer
    raise NotImplementedError("one (fan_in, fan_out) matrix and one bias vector per layer")


def forward(params, X):
    """Logits (B, 2) for standardised rows X (B, 30), plus what backprop needs."""
    # TODO: dense -> ReLU -> dense
    raise NotImplementedError("dense -> ReLU -> dense")


def loss_and_grads(params, X, y, weight_decay):
    """Mean cross-entropy plus 0.5 * weight_decay * (sum of squared weights), and its
    gradient for every parameter."""
    # TODO: forward, stable log-softmax, backprop, the L2 term's gradient on the weights
    raise NotImplementedError("forward, stable log-softmax, backprop, L2 gradient")


def update(params, grads, state, lr):
    """One optimiser step, in place; ``state`` keeps what the optimiser needs between steps."""
    # TODO: an SGD or Adam step
    raise NotImplementedError("an SGD or Adam step")


def train_epoch(params, state, X, y, rng):
    """One pass over (X, y) in shuffled mini-batches of BATCH rows, with WEIGHT_DECAY.

    Updates params in place and returns the epoch's mean training loss.
    """
    # TODO: shuffle, then loss_and_grads and update for each mini-batch
    raise NotImplementedError("shuffle, then loss_and_grads and update for each mini-batch")


def fit(train, run):
    """Train on raw train.X (N, 30) and train.y (N,): 0 malignant, 1 benign."""
    rng = np.random.default_rng(run.seed)
    X_raw = np.asarray(train.X, dtype=np.float64)  # raw: areas in the thousands next to ratios
    y = np.asarray(train.y)  # (N,)
    run.params(hidden=HIDDEN, epochs=EPOCHS, batch_size=BATCH, lr=LR,
               weight_decay=WEIGHT_DECAY)

    # Statistics of the training rows only; the model keeps them for predict().
    mean, std = standardiser(X_raw)
    X = (X_raw - mean) / std  # (N, D)

    params = init_params(rng, [X.shape[1], HIDDEN, len(train.classes)])
    state = {}
    for _ in run.epochs(EPOCHS):
        loss = train_epoch(params, state, X, y, rng)
        train_acc = np.mean(forward(params, X)[0].argmax(axis=1) == y)
        run.log(loss=loss, train_accuracy=train_acc)
    return {"mean": mean, "std": std, "params": params}


def predict(model, X):
    """Class scores (n, 2); probabilities (rows summing to 1) also give a log-loss.

    Scale X with the TRAINING mean and std stored in the model: statistics computed on these
    rows would make a row's prediction depend on the others.
    """
    # TODO: scale with the stored statistics, then the forward pass
    raise NotImplementedError("scale with the stored statistics, then the forward pass")
