"""Linear regression trained by a hand-written TensorFlow loop: tf.function, tf.data."""

import numpy as np
import tensorflow as tf


def _make_step(w, b, lr):
    """A compiled training step that updates the variables w and b in place."""

    @tf.function
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.linalg.matvec(xb, w) + b - yb))
        dw, db = tape.gradient(loss, [w, b])
        w.assign_sub(lr * dw)  # a Variable changes in place; `w = w - ...` would not
        b.assign_sub(lr * db)
        return loss  # the loss before this update

    return step


def train_full_batch(X, y, lr, steps):
    """Gradient descent on the mean squared error of X @ w + b, from w = 0 and b = 0, one
    step per call of a tf.function on the whole data. Returns (w, b, losses), where losses[t]
    is the loss before step t."""
    # BEGIN SOLUTION: variables outside the compiled step, one call per step
    w = tf.Variable(tf.zeros(X.shape[1], tf.float64))
    b = tf.Variable(tf.constant(0.0, tf.float64))
    step = _make_step(w, b, lr)
    losses = [float(step(tf.constant(X), tf.constant(y))) for _ in range(steps)]
    return w.numpy(), b.numpy(), np.array(losses)
    # END SOLUTION


def train_minibatch(X, y, lr, epochs, batch_size):
    """The same model trained on mini-batches from tf.data, in order (no shuffling), for
    `epochs` passes. Returns (w, b, losses) with one loss per batch, before its update."""
    # BEGIN SOLUTION: a batched dataset that keeps the last, smaller batch
    w = tf.Variable(tf.zeros(X.shape[1], tf.float64))
    b = tf.Variable(tf.constant(0.0, tf.float64))
    step = _make_step(w, b, lr)
    dataset = tf.data.Dataset.from_tensor_slices((X, y)).batch(batch_size)
    losses = [float(step(xb, yb)) for _ in range(epochs) for xb, yb in dataset]
    return w.numpy(), b.numpy(), np.array(losses)
    # END SOLUTION
