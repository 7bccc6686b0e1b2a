# expect: conv-arithmetic.ignores-dilation
# bug: kernel span k
# batch: held-out
"""The arithmetic every CNN designer does in their head."""

import numpy as np


def conv_output_size(n, k, s, p, d):
    """Output length along one axis: input n, kernel k, stride s, padding p, dilation d."""
    effective = d * (k - 1) + 1  # span of a dilated kernel
    return (n + 2 * p - k) // s + 1


def conv_params(c_in, c_out, k, bias):
    """Learnable parameters of a k x k convolution from c_in to c_out channels."""
    return c_out * (c_in * k * k + (1 if bias else 0))


def receptive_field(kernels, strides):
    """Receptive field (in input pixels) of one output unit after a stack of layers."""
    rf, jump = 1, 1
    for k, s in zip(kernels, strides):
        rf += (k - 1) * jump
        jump *= s
    return rf
