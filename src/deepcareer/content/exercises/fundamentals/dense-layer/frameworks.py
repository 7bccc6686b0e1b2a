"""A dense (fully connected) layer in PyTorch and in Keras, with autodiff gradients.

PyTorch's nn.Linear stores its weight as (out, in) and computes x W^T + b; a Keras Dense
kernel is (in, out), like ours.
"""

import importlib

import numpy as np


def _f(a):
    return np.asarray(a, dtype=float)


def torch_forward(x, W, b):
    torch = importlib.import_module("torch")
    layer = torch.nn.Linear(W.shape[0], W.shape[1], dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(_f(W).T.copy()))
        layer.bias.copy_(torch.from_numpy(_f(b)))
        return layer(torch.from_numpy(_f(x)))


def torch_backward(dout, x, W):
    torch = importlib.import_module("torch")
    layer = torch.nn.Linear(W.shape[0], W.shape[1], dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(_f(W).T.copy()))
    tx = torch.from_numpy(_f(x)).requires_grad_()
    layer(tx).backward(torch.from_numpy(_f(dout)))
    return tx.grad, layer.weight.grad.T, layer.bias.grad


def _keras_dense(W, b):
    keras = importlib.import_module("keras")
    layer = keras.layers.Dense(W.shape[1], dtype="float64")
    layer.build((None, W.shape[0]))
    layer.set_weights([_f(W), _f(b)])
    return layer


def tf_forward(x, W, b):
    return _keras_dense(W, b)(_f(x))


def tf_backward(dout, x, W):
    tf = importlib.import_module("tensorflow")
    layer = _keras_dense(W, np.zeros(W.shape[1]))
    tx = tf.constant(_f(x))
    with tf.GradientTape() as tape:
        tape.watch(tx)
        out = layer(tx)
    return tuple(tape.gradient(out, [tx, layer.kernel, layer.bias],
                               output_gradients=tf.constant(_f(dout))))


CROSS = {
    "dense_forward": {"PyTorch": torch_forward, "TensorFlow": tf_forward},
    "dense_backward": {"PyTorch": torch_backward, "TensorFlow": tf_backward},
}
