"""One LSTM step with torch.nn.LSTMCell and keras.layers.LSTMCell.

Both frameworks order the gates input, forget, candidate, output, as our Wx does.
PyTorch stores the transposed matrices (4H, D) and (4H, H) and two biases (we put ours
in bias_ih and zero bias_hh); Keras stores kernel (D, 4H), recurrent_kernel (H, 4H) and
one bias, like ours.
"""

import importlib

import numpy as np


def _f(a):
    return np.asarray(a, dtype=float)


def torch_step(x, h_prev, c_prev, Wx, Wh, b):
    torch = importlib.import_module("torch")
    cell = torch.nn.LSTMCell(Wx.shape[0], Wh.shape[0], dtype=torch.float64)
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(_f(Wx).T.copy()))
        cell.weight_hh.copy_(torch.from_numpy(_f(Wh).T.copy()))
        cell.bias_ih.copy_(torch.from_numpy(_f(b)))
        cell.bias_hh.zero_()
        h, c = cell(torch.from_numpy(_f(x)), (torch.from_numpy(_f(h_prev)),
                                              torch.from_numpy(_f(c_prev))))
    return h, c


def tf_step(x, h_prev, c_prev, Wx, Wh, b):
    keras = importlib.import_module("keras")
    cell = keras.layers.LSTMCell(Wh.shape[0], dtype="float64")
    cell.build((None, Wx.shape[0]))
    cell.set_weights([_f(Wx), _f(Wh), _f(b)])
    _h, (h, c) = cell(_f(x), [_f(h_prev), _f(c_prev)])
    return h, c


CROSS = {"lstm_step": {"PyTorch": torch_step, "TensorFlow": tf_step}}
