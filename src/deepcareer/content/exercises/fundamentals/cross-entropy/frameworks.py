"""Cross-entropy from logits, and its gradient, as PyTorch and TensorFlow compute them."""

import importlib

import numpy as np


def _torch():
    return importlib.import_module("torch")


def _tf():
    return importlib.import_module("tensorflow")


def torch_loss(logits, labels):
    torch = _torch()
    return torch.nn.functional.cross_entropy(torch.from_numpy(np.asarray(logits, dtype=float)),
                                             torch.from_numpy(np.asarray(labels, dtype=np.int64)))


def torch_grad(logits, labels):
    torch = _torch()
    t = torch.from_numpy(np.asarray(logits, dtype=float)).requires_grad_()
    torch.nn.functional.cross_entropy(t, torch.from_numpy(np.asarray(labels, dtype=np.int64))
                                      ).backward()
    return t.grad


def _tf_mean_loss(tf, logits, labels):
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.constant(np.asarray(labels, dtype=np.int64)), logits=logits))


def tf_loss(logits, labels):
    tf = _tf()
    return _tf_mean_loss(tf, tf.constant(np.asarray(logits, dtype=float)), labels)


def tf_grad(logits, labels):
    tf = _tf()
    t = tf.constant(np.asarray(logits, dtype=float))
    with tf.GradientTape() as tape:
        tape.watch(t)
        loss = _tf_mean_loss(tf, t, labels)
    return tape.gradient(loss, t)


CROSS = {
    "cross_entropy": {"PyTorch": torch_loss, "TensorFlow": tf_loss},
    "cross_entropy_grad": {"PyTorch": torch_grad, "TensorFlow": tf_grad},
}
