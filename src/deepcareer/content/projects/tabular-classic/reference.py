"""Reference: a small NumPy MLP on the breast-cancer table, standardised with training statistics.

The network is the one from digits-mlp (He init, ReLU, softmax cross-entropy, Adam), narrower
and with much more weight decay: 426 rows of 30 features are easy to memorise. The settings
were picked by 5-fold cross-validation on the training split, not by the test score.
"""

import itertools

import numpy as np

HIDDEN = 16
EPOCHS = 120
BATCH = 32
LR = 1e-3
WEIGHT_DECAY = 3e-2  # strong L2: with this little data the net should stay close to simple


def standardiser(X):
    """Per-feature mean and std of the training rows; a constant feature gets std 1."""
    mean = X.mean(axis=0)  # (D,)
    std = X.std(axis=0)  # (D,)
    std[std == 0] = 1.0  # avoid dividing by zero; such a feature carries no signal anyway
    return mean, std


def init_params(rng, sizes):
    """He-normal weights and zero biases for the layer widths in ``sizes``."""
    params = {}
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        params[f"W{i}"] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
        params[f"b{i}"] = np.zeros(fan_out)
    return params


def forward(params, X):
    """Logits (B, K) and the activations the backward pass needs."""
    Z = X @ params["W0"] + params["b0"]  # (B, H)
    A = np.maximum(Z, 0.0)  # (B, H)
    logits = A @ params["W1"] + params["b1"]  # (B, K)
    return logits, (X, Z, A)


def log_softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)  # no overflow in exp
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def loss_and_grads(params, X, y, weight_decay):
    """Mean cross-entropy (plus L2 on the weights) and the gradient of every parameter."""
    B = X.shape[0]
    logits, (X, Z, A) = forward(params, X)
    logp = log_softmax(logits)  # (B, K)
    loss = -logp[np.arange(B), y].mean()
    loss += 0.5 * weight_decay * (np.sum(params["W0"] ** 2) + np.sum(params["W1"] ** 2))

    dlogits = np.exp(logp)  # (B, K): softmax probabilities
    dlogits[np.arange(B), y] -= 1.0  # minus the one-hot target
    dlogits /= B
    grads = {
        "W1": A.T @ dlogits + weight_decay * params["W1"],  # (H, K)
        "b1": dlogits.sum(axis=0),  # (K,)
    }
    dZ = (dlogits @ params["W1"].T) * (Z > 0)  # (B, H)
    grads["W0"] = X.T @ dZ + weight_decay * params["W0"]  # (D, H)
    grads["b0"] = dZ.sum(axis=0)  # (H,)
    return loss, grads


def update(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step, in place. ``state`` keeps the step count and both moments."""
    state["t"] = state.get("t", 0) + 1
    t = state["t"]
    for k in params:
        m = state.get("m_" + k, 0.0)
        v = state.get("v_" + k, 0.0)
        m = beta1 * m + (1 - beta1) * grads[k]  # running mean of the gradient
        v = beta2 * v + (1 - beta2) * grads[k] ** 2  # running mean of its square
        state["m_" + k], state["v_" + k] = m, v
        m_hat = m / (1 - beta1**t)  # both start at 0: undo that pull towards 0
        v_hat = v / (1 - beta2**t)
        params[k] -= lr * m_hat / (np.sqrt(v_hat) + eps)


def train_epoch(params, state, X, y, rng):
    """One pass over (X, y) in shuffled mini-batches; updates params in place.

    Returns the mean training loss of the epoch.
    """
    n = X.shape[0]
    order = rng.permutation(n)
    total = 0.0
    for start in range(0, n, BATCH):
        idx = order[start:start + BATCH]  # (B,)
        loss, grads = loss_and_grads(params, X[idx], y[idx], WEIGHT_DECAY)
        update(params, grads, state, LR)
        total += loss * len(idx)
    return total / n


def fit(train, run):
    rng = np.random.default_rng(run.seed)
    X_raw = np.asarray(train.X, dtype=np.float64)  # (N, 30), features on very different scales
    y = np.asarray(train.y)  # (N,)
    run.params(hidden=HIDDEN, epochs=EPOCHS, batch_size=BATCH, lr=LR,
               weight_decay=WEIGHT_DECAY, optimizer="adam", init="he_normal",
               scaling="standardise with training mean/std")

    # Statistics of the training rows only: predict() reuses them, never the test rows' own.
    mean, std = standardiser(X_raw)
    X = (X_raw - mean) / std  # (N, D)

    params = init_params(rng, [X.shape[1], HIDDEN, len(train.classes)])
    state = {}  # the optimiser's memory between steps
    for _ in run.epochs(EPOCHS):
        loss = train_epoch(params, state, X, y, rng)
        train_acc = np.mean(forward(params, X)[0].argmax(axis=1) == y)
        run.log(loss=loss, train_accuracy=train_acc)
    return {"mean": mean, "std": std, "params": params}


def predict(model, X):
    """Class probabilities (n, 2), so the report can show a log-loss as well as accuracy.

    Each row is scaled with the training statistics, on its own.
    """
    X = (np.asarray(X, dtype=np.float64) - model["mean"]) / model["std"]  # (n, D)
    logits, _ = forward(model["params"], X)
    return np.exp(log_softmax(logits))
