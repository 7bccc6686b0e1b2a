"""The arithmetic every CNN designer does in their head."""

import numpy as np


def conv_output_size(n, k, s, p, d):
    """Output length along one axis: input n, kernel k, stride s, padding p, dilation d."""
    # BEGIN SOLUTION: positions of the dilated kernel inside the padded input
    effective = d * (k - 1) + 1  # span of a dilated kernel
    return (n + 2 * p - effective) // s + 1
    # END SOLUTION


def conv_params(c_in, c_out, k, bias):
    """Learnable parameters of a k x k convolution from c_in to c_out channels."""
    # BEGIN SOLUTION: one k x k x c_in filter per output channel, plus its bias
    return c_out * (c_in * k * k + (1 if bias else 0))
    # END SOLUTION


def receptive_field(kernels, strides):
    """Receptive field (in input pixels) of one output unit after a stack of layers."""
    # BEGIN SOLUTION: each layer widens it by (k - 1) input-steps of the current resolution
    rf, jump = 1, 1
    for k, s in zip(kernels, strides):
        rf += (k - 1) * jump
        jump *= s
    return rf
    # END SOLUTION
