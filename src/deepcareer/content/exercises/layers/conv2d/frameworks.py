"""conv2d as PyTorch (NCHW, filters (F, C, KH, KW)) and TensorFlow (NHWC, filters
(KH, KW, C, F)) compute it; the TensorFlow version transposes on the way in and out."""

import importlib

import numpy as np


def _f(a):
    return np.asarray(a, dtype=float)


def torch_forward(x, w, b, stride, pad):
    torch = importlib.import_module("torch")
    return torch.nn.functional.conv2d(torch.from_numpy(_f(x)), torch.from_numpy(_f(w)),
                                      torch.from_numpy(_f(b)), stride=stride, padding=pad)


def _tf_conv(tf, x, w, b, stride, pad):
    out = tf.nn.conv2d(tf.transpose(x, (0, 2, 3, 1)), tf.transpose(w, (2, 3, 1, 0)),
                       strides=stride, padding=[[0, 0], [pad, pad], [pad, pad], [0, 0]])
    return tf.transpose(out + b, (0, 3, 1, 2))


def tf_forward(x, w, b, stride, pad):
    tf = importlib.import_module("tensorflow")
    return _tf_conv(tf, tf.constant(_f(x)), tf.constant(_f(w)), tf.constant(_f(b)),
                    stride, pad)


def torch_backward(dout, x, w, stride, pad):
    torch = importlib.import_module("torch")
    tx, tw = (torch.from_numpy(_f(a)).requires_grad_() for a in (x, w))
    tb = torch.zeros(w.shape[0], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=pad).backward(
        torch.from_numpy(_f(dout)))
    return tx.grad, tw.grad, tb.grad


def tf_backward(dout, x, w, stride, pad):
    tf = importlib.import_module("tensorflow")
    tx, tw = tf.constant(_f(x)), tf.constant(_f(w))
    tb = tf.constant(np.zeros(w.shape[0]))
    with tf.GradientTape() as tape:
        tape.watch([tx, tw, tb])
        out = _tf_conv(tf, tx, tw, tb, stride, pad)
    return tuple(tape.gradient(out, [tx, tw, tb], output_gradients=tf.constant(_f(dout))))


CROSS = {
    "conv2d_forward": {"PyTorch": torch_forward, "TensorFlow": tf_forward},
    "conv2d_backward": {"PyTorch": torch_backward, "TensorFlow": tf_backward},
}
