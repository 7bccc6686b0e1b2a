"""Gradients with PyTorch's autograd, for blocks you already differentiated by hand."""

import numpy as np
import torch


def linear_grads(x, W, b, dout):
    """Gradients of out = x @ W + b given the upstream gradient dout. Returns (dx, dW, db)."""
    # BEGIN SOLUTION: leaves that require grad, the forward pass, backward with dout
    tx, tW, tb = (torch.from_numpy(a).requires_grad_() for a in (x, W, b))
    out = tx @ tW + tb
    out.backward(gradient=torch.from_numpy(dout))  # out is not a scalar: pass dL/d(out)
    return tx.grad, tW.grad, tb.grad
    # END SOLUTION


def mse_grad(pred, target):
    """Gradient of mean((pred - target) ** 2) with respect to pred."""
    # BEGIN SOLUTION: a scalar loss needs no upstream gradient
    tp = torch.from_numpy(pred).requires_grad_()
    loss = torch.nn.functional.mse_loss(tp, torch.from_numpy(target))  # mean by default
    loss.backward()
    return tp.grad
    # END SOLUTION


def two_losses_grads(w, x1, x2):
    """Gradients with respect to w of L1 = sum((x1 @ w) ** 2) and of L2 = sum((x2 @ w) ** 2),
    each on its own. Returns (g1, g2)."""
    # BEGIN SOLUTION: keep a copy of the first gradient, clear it, then the second
    tw = torch.from_numpy(w).requires_grad_()
    ((torch.from_numpy(x1) @ tw) ** 2).sum().backward()
    g1 = tw.grad.clone()  # .grad is reused: copy it before it changes
    tw.grad.zero_()  # otherwise the second backward adds to the first
    ((torch.from_numpy(x2) @ tw) ** 2).sum().backward()
    return g1, tw.grad
    # END SOLUTION
