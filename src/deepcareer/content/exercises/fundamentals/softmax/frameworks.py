"""Softmax as PyTorch and TensorFlow compute it, for the cross-framework check."""

import importlib

import numpy as np


def torch_softmax(logits):
    torch = importlib.import_module("torch")
    return torch.softmax(torch.from_numpy(np.asarray(logits, dtype=float)), dim=-1).numpy()


def tf_softmax(logits):
    tf = importlib.import_module("tensorflow")
    return tf.nn.softmax(tf.constant(np.asarray(logits, dtype=float)), axis=-1).numpy()


CROSS = {"softmax": {"PyTorch": torch_softmax, "TensorFlow": tf_softmax}}
