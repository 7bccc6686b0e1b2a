# expect: lora.scale-by-alpha
# bug: scale = alpha
# batch: held-out
"""LoRA: fine-tune a frozen linear layer through a trainable low-rank correction."""

import numpy as np


def lora_forward(x, W, b, A, B, alpha):
    """x: (N, d_in); frozen W: (d_in, d_out), b: (d_out,); A: (d_in, r), B: (r, d_out).

    Returns x W + b + (alpha / r) x A B, shape (N, d_out).
    """
    scale = alpha
    return x @ W + b + scale * (x @ A) @ B  # (N, r) first: cheap when r is small


def lora_backward(dout, x, A, B, alpha):
    """dout: (N, d_out), the gradient of the loss with respect to lora_forward's output.

    Returns (dA (d_in, r), dB (r, d_out)): only the adapter trains.
    """
    scale = alpha / A.shape[1]
    h = x @ A  # (N, r)
    dB = scale * h.T @ dout  # (r, d_out)
    dA = scale * x.T @ (dout @ B.T)  # (d_in, r)
    return dA, dB


def lora_merge(W, A, B, alpha):
    """The (d_in, d_out) weight of one plain linear layer equal to the adapted one."""
    return W + (alpha / A.shape[1]) * A @ B


def lora_param_counts(d_in, d_out, r):
    """(trainable, frozen) parameter counts of a LoRA-adapted linear layer with a bias."""
    return r * (d_in + d_out), d_in * d_out + d_out
