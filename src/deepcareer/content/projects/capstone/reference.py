"""Reference capstone: standardised softmax regression, for any table or image folder.

Deliberately plain: the floor a capstone must clear (the majority baseline) and a strong
habit (fit every statistic on the training split, apply it unchanged to new rows).
"""

import numpy as np


def _features(X, mean=None, std=None):
    flat = X.reshape(len(X), -1).astype(np.float64)  # images (n, H, W[, C]) -> (n, d)
    if mean is None:
        mean, std = flat.mean(axis=0), flat.std(axis=0) + 1e-8  # training statistics only
    return (flat - mean) / std, mean, std


def fit(train, run):
    rng = np.random.default_rng(run.seed)
    Z, mean, std = _features(train.X)
    n, d = Z.shape
    k = len(train.classes)
    lr, epochs, l2, batch = 0.1, 60, 1e-3, 64
    run.params(model="softmax regression", lr=lr, epochs=epochs, l2=l2, batch=batch)
    W, b = np.zeros((d, k)), np.zeros(k)
    Y = np.eye(k)[train.y]  # (n, k) one-hot
    for _ in run.epochs(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            logits = Z[idx] @ W + b
            logits -= logits.max(axis=1, keepdims=True)  # stable softmax
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            grad = (p - Y[idx]) / len(idx)  # d(mean cross-entropy)/d(logits)
            W -= lr * (Z[idx].T @ grad + l2 * W)
            b -= lr * grad.sum(axis=0)
        logits = Z @ W + b
        logits -= logits.max(axis=1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        run.log(loss=float(-logp[np.arange(n), train.y].mean()),
                train_accuracy=float((logp.argmax(axis=1) == train.y).mean()))
    return {"W": W, "b": b, "mean": mean, "std": std}


def predict(model, X):
    Z, _, _ = _features(X, model["mean"], model["std"])
    return Z @ model["W"] + model["b"]  # (n, k) class scores
