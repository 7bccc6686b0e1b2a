"""Reference: a two-layer NumPy MLP on the 8 x 8 digits, trained with mini-batch Adam.

Everything here is built from the NumPy exercises: He init, dense layers, ReLU, softmax
cross-entropy, backprop and Adam. No framework and no scikit-learn model.
"""

import itertools

import numpy as np

HIDDEN = 128
EPOCHS = 20
BATCH = 64
LR = 5e-3
WEIGHT_DECAY = 1e-4  # L2 on the weight matrices (not the biases)


def init_params(rng, sizes):
    """He-normal weights and zero biases for the layer widths in ``sizes``."""
    params = {}
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        # ReLU zeroes half of its inputs: variance 2 / fan_in keeps the activations' scale.
        params[f"W{i}"] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
        params[f"b{i}"] = np.zeros(fan_out)
    return params


def forward(params, X):
    """Logits (B, K) and the hidden activations the backward pass needs."""
    Z = X @ params["W0"] + params["b0"]  # (B, H)
    A = np.maximum(Z, 0.0)  # (B, H)
    logits = A @ params["W1"] + params["b1"]  # (B, K)
    return logits, (X, Z, A)


def log_softmax(logits):
    """Row-wise log-softmax; subtracting the max keeps exp() from overflowing."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def loss_and_grads(params, X, y, weight_decay):
    """Mean cross-entropy (plus L2) on a batch and its gradient for every parameter."""
    B = X.shape[0]
    logits, (X, Z, A) = forward(params, X)
    logp = log_softmax(logits)  # (B, K)
    loss = -logp[np.arange(B), y].mean()
    loss += 0.5 * weight_decay * (np.sum(params["W0"] ** 2) + np.sum(params["W1"] ** 2))

    # Softmax and cross-entropy together have the gradient (p - onehot) / B.
    dlogits = np.exp(logp)  # (B, K)
    dlogits[np.arange(B), y] -= 1.0
    dlogits /= B
    grads = {
        "W1": A.T @ dlogits + weight_decay * params["W1"],  # (H, K)
        "b1": dlogits.sum(axis=0),  # (K,)
    }
    dA = dlogits @ params["W1"].T  # (B, H)
    dZ = dA * (Z > 0)  # ReLU passes the gradient only where it was active
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
    order = rng.permutation(n)  # a fresh shuffle each epoch
    total = 0.0
    for start in range(0, n, BATCH):
        idx = order[start:start + BATCH]  # (B,); the last batch may be smaller
        loss, grads = loss_and_grads(params, X[idx], y[idx], WEIGHT_DECAY)
        update(params, grads, state, LR)
        total += loss * len(idx)
    return total / n


def fit(train, run):
    rng = np.random.default_rng(run.seed)  # every random draw comes from here
    X = np.asarray(train.X, dtype=np.float64)  # (N, 64), pixels already in [0, 1]
    y = np.asarray(train.y)  # (N,)
    run.params(hidden=HIDDEN, epochs=EPOCHS, batch_size=BATCH, lr=LR,
               weight_decay=WEIGHT_DECAY, optimizer="adam", init="he_normal")

    params = init_params(rng, [X.shape[1], HIDDEN, len(train.classes)])
    state = {}  # the optimiser's memory between steps
    for _ in run.epochs(EPOCHS):
        loss = train_epoch(params, state, X, y, rng)
        train_acc = np.mean(predict(params, X).argmax(axis=1) == y)
        run.log(loss=loss, train_accuracy=train_acc)
    return params


def predict(model, X):
    """Class probabilities (n, 10): argmax gives the label, and rows that sum to 1 let the
    report compute a log-loss too."""
    logits, _ = forward(model, np.asarray(X, dtype=np.float64))
    return np.exp(log_softmax(logits))
