"""Cases and misconceptions for the custom TensorFlow loop.

TensorFlow is imported inside the variants so that building the cases needs only NumPy.
"""

import importlib

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception


def _train(X, y, lr, epochs, batch_size, *, after=False, reduce="mean", update_b=True,
           drop=False):
    tf = importlib.import_module("tensorflow")
    w = tf.Variable(tf.zeros(X.shape[1], tf.float64))
    b = tf.Variable(tf.constant(0.0, tf.float64))

    def loss_of(xb, yb):
        err = tf.square(tf.linalg.matvec(xb, w) + b - yb)
        return tf.reduce_sum(err) if reduce == "sum" else tf.reduce_mean(err)

    @tf.function
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_of(xb, yb)
        dw, db = tape.gradient(loss, [w, b])
        w.assign_sub(lr * dw)
        if update_b:
            b.assign_sub(lr * db)
        return loss_of(xb, yb) if after else loss

    if batch_size is None:
        batches = [(tf.constant(X), tf.constant(y))]
    else:
        batches = tf.data.Dataset.from_tensor_slices((X, y)).batch(batch_size,
                                                                   drop_remainder=drop)
    losses = [float(step(xb, yb)) for _ in range(epochs) for xb, yb in batches]
    return w.numpy(), b.numpy(), np.array(losses)


def _full(**flags):
    return lambda X, y, lr, steps: _train(X, y, lr, steps, None, **flags)


def _mini(**flags):
    return lambda X, y, lr, epochs, bs: _train(X, y, lr, epochs, bs, **flags)


def _data(rng, n, d):
    X = rng.normal(size=(n, d))
    return X, X @ rng.normal(size=d) + rng.normal() + 0.1 * rng.normal(size=n)


def _random_cases(rng):
    X, y = _data(rng, 10, 3)
    return [
        Case("train_full_batch", [X, y, 0.1, 5], name="random N=10 D=3, 5 steps"),
        Case("train_minibatch", [X, y, 0.05, 2, 4], name="random N=10, batches of 4"),
    ]


XS = np.array([[1.0], [2.0], [3.0]])
YS = np.array([2.0, 4.0, 6.0])
X7, Y7 = _data(np.random.default_rng(31), 7, 2)

CHECKS = Checks(
    cases=[
        Case("train_full_batch", [XS, YS, 0.1, 3], name="the README example"),
        Case("train_full_batch", [X7, Y7, 0.2, 6], name="seven points, two features"),
        Case("train_minibatch", [XS, YS, 0.1, 1, 2], name="the README data, batches of 2"),
        Case("train_minibatch", [X7, Y7, 0.1, 3, 3], name="seven points, batches of 3"),
    ],
    hidden=[
        Case("train_full_batch", [X7[:4], Y7[:4] + 3.0, 0.3, 4]),
        Case("train_minibatch", [X7, Y7 - 1.0, 0.05, 2, 5]),
    ],
    random_cases=_random_cases,
    rtol=1e-9,
    atol=1e-12,
    misconceptions=[
        Misconception(
            id="tf-custom-loop.loss-after-update",
            title="recording the loss after the update instead of the one the gradient came from",
            explanation="The loss a step reports is the one computed on the way to its "
            "gradient, before the weights move. Evaluating it again after the update shifts the "
            "whole curve by one step and hides how bad the start was.",
            hints=["Is your first loss the loss of the all-zero model?",
                   "Return the loss computed inside the tape.",
                   "loss = ... inside the tape; update; return loss."],
            replace={"train_full_batch": _full(after=True),
                     "train_minibatch": _mini(after=True)},
        ),
        Misconception(
            id="tf-custom-loop.sum-loss",
            title="summing the squared errors instead of averaging them",
            explanation="With reduce_sum the gradient grows with the batch size, so the same "
            "learning rate takes bigger steps on bigger batches.",
            hints=["Is your first loss N times too large?", "The loss is a mean.",
                   "tf.reduce_mean(tf.square(...))."],
            replace={"train_full_batch": _full(reduce="sum"),
                     "train_minibatch": _mini(reduce="sum")},
        ),
        Misconception(
            id="tf-custom-loop.bias-not-trained",
            title="taking the gradient of w only and leaving b at zero",
            explanation="Both parameters are trained: pass [w, b] to tape.gradient and update "
            "each. A model without its bias must pass through the origin.",
            hints=["Does your b ever change?", "tape.gradient(loss, [w, b]).",
                   "b.assign_sub(lr * db) as well."],
            replace={"train_full_batch": _full(update_b=False),
                     "train_minibatch": _mini(update_b=False)},
        ),
        Misconception(
            id="tf-custom-loop.drop-remainder",
            title="dropping the last, smaller batch",
            explanation="batch(..., drop_remainder=True) throws away the examples that do not "
            "fill a whole batch, every epoch: the model never learns from them.",
            hints=["How many losses does one epoch of 7 examples in batches of 3 give?",
                   "Three: 3 + 3 + 1.",
                   "Dataset.from_tensor_slices((X, y)).batch(batch_size)."],
            replace={"train_minibatch": _mini(drop=True)},
        ),
    ],
)
