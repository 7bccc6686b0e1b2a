"""Gradients with TensorFlow's GradientTape, for blocks you already differentiated by hand."""

import numpy as np
import tensorflow as tf


def linear_grads(x, W, b, dout):
    """Gradients of out = x @ W + b given the upstream gradient dout. Returns (dx, dW, db)."""
    # BEGIN SOLUTION: watch the constants, record the forward pass, pass dout to gradient()
    tx, tW, tb = (tf.constant(a) for a in (x, W, b))
    with tf.GradientTape() as tape:
        tape.watch([tx, tW, tb])  # constants are not watched unless asked
        out = tx @ tW + tb
    return tape.gradient(out, [tx, tW, tb], output_gradients=tf.constant(dout))
    # END SOLUTION


def mse_grad(pred, target):
    """Gradient of mean((pred - target) ** 2) with respect to pred."""
    # BEGIN SOLUTION: a scalar loss, the gradient with respect to the prediction
    tp = tf.Variable(pred)  # variables are watched automatically
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tp - target))
    return tape.gradient(loss, tp)
    # END SOLUTION


def logistic_grads(X, y, w, b):
    """Gradients of the mean binary cross-entropy of sigmoid(X @ w + b) against labels y
    (0 or 1), with respect to w and b. Returns (dw, db)."""
    # BEGIN SOLUTION: the loss straight from the logits, averaged over the batch
    tw, tb = tf.Variable(w), tf.Variable(np.float64(b))
    with tf.GradientTape() as tape:
        logits = tf.linalg.matvec(tf.constant(X), tw) + tb
        loss = tf.reduce_mean(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(y, tf.float64),
                                                    logits=logits))
    return tape.gradient(loss, [tw, tb])
    # END SOLUTION
