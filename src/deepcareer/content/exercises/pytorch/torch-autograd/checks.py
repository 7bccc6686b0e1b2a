"""Cases and misconceptions for autograd. Outputs are compared as NumPy arrays.

The reference needs torch; the buggy variants are written as a learner would write them.
"""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception


def _t(a):
    import torch
    return torch.from_numpy(np.array(a, dtype=float))


def _linear_sum(x, W, b, dout):
    tx, tW, tb = (_t(a).requires_grad_() for a in (x, W, b))
    (tx @ tW + tb).sum().backward()  # as if the upstream gradient were all ones
    return tx.grad, tW.grad, tb.grad


def _linear_mean(x, W, b, dout):
    tx, tW, tb = (_t(a).requires_grad_() for a in (x, W, b))
    out = tx @ tW + tb
    (out * _t(dout)).mean().backward()
    return tx.grad, tW.grad, tb.grad


def _mse_sum(pred, target):
    import torch
    tp = _t(pred).requires_grad_()
    torch.nn.functional.mse_loss(tp, _t(target), reduction="sum").backward()
    return tp.grad


def _mse_wrt_target(pred, target):
    import torch
    tt = _t(target).requires_grad_()
    torch.nn.functional.mse_loss(_t(pred), tt).backward()
    return tt.grad


def _accumulated(w, x1, x2):
    tw = _t(w).requires_grad_()
    ((_t(x1) @ tw) ** 2).sum().backward()
    g1 = tw.grad.clone()
    ((_t(x2) @ tw) ** 2).sum().backward()  # forgot to zero: adds to g1
    return g1, tw.grad


def _aliased(w, x1, x2):
    tw = _t(w).requires_grad_()
    ((_t(x1) @ tw) ** 2).sum().backward()
    g1 = tw.grad  # the same tensor object that the next lines change in place
    tw.grad.zero_()
    ((_t(x2) @ tw) ** 2).sum().backward()
    return g1, tw.grad


def _random_cases(rng):
    return [
        Case("linear_grads", [rng.normal(size=(4, 3)), rng.normal(size=(3, 2)),
                              rng.normal(size=2), rng.normal(size=(4, 2))],
             name="random N=4 D=3 M=2"),
        Case("mse_grad", [rng.normal(size=(3, 2)), rng.normal(size=(3, 2))], name="random 3 x 2"),
        Case("two_losses_grads", [rng.normal(size=3), rng.normal(size=(4, 3)),
                                  rng.normal(size=(2, 3))], name="random"),
    ]


X = np.array([[1.0, 2.0], [3.0, -1.0]])
W = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
B = np.array([0.1, 0.2, 0.3])
DOUT = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0]])

CHECKS = Checks(
    cases=[
        Case("linear_grads", [X, W, B, DOUT], name="the dense-layer README example"),
        Case("mse_grad", [np.array([2.5, 0.0, 2.0, 8.0]), np.array([3.0, -0.5, 2.0, 7.0])],
             name="the mse README example"),
        Case("two_losses_grads", [np.array([1.0, -1.0]), np.array([[1.0, 0.0], [2.0, 1.0]]),
                                  np.array([[0.0, 3.0]])], name="the README example"),
    ],
    hidden=[
        Case("linear_grads", [np.eye(2), np.ones((2, 2)), np.zeros(2),
                              np.array([[1.0, 2.0], [3.0, 4.0]])]),
        Case("mse_grad", [np.linspace(0, 1, 6).reshape(2, 3), np.ones((2, 3))]),
        Case("two_losses_grads", [np.array([0.5, 0.5, -1.0]), np.eye(3), np.ones((2, 3))]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="torch-autograd.backward-on-sum",
            title="calling backward on out.sum() instead of passing the upstream gradient",
            explanation="out.sum().backward() computes the gradient of sum(out), as if "
            "dL/d(out) were all ones. To backpropagate a given dout, call "
            "out.backward(gradient=dout).",
            hints=[
                "Does your answer depend on dout?",
                "backward() on a non-scalar tensor takes the gradient of the loss with respect "
                "to that tensor.",
                "out.backward(gradient=torch.from_numpy(dout)).",
            ],
            replace={"linear_grads": _linear_sum},
        ),
        Misconception(
            id="torch-autograd.mean-with-dout",
            title="backpropagating mean(out * dout) instead of out with gradient dout",
            explanation="Weighting by dout is right, but the mean divides everything by the "
            "number of elements.",
            hints=[
                "Compare your gradients with your NumPy dense-layer ones: what factor separates "
                "them?",
                "sum(out * dout) would be right; mean is not.",
                "out.backward(gradient=dout).",
            ],
            replace={"linear_grads": _linear_mean},
        ),
        Misconception(
            id="torch-autograd.mse-sum-reduction",
            title="using reduction='sum' in mse_loss",
            explanation="The loss here is the mean, PyTorch's default reduction. 'sum' scales "
            "the gradient by the number of elements.",
            hints=[
                "What is mse_loss's default reduction?",
                "Mean, not sum.",
                "torch.nn.functional.mse_loss(pred, target).",
            ],
            replace={"mse_grad": _mse_sum},
        ),
        Misconception(
            id="torch-autograd.grad-of-target",
            title="taking the gradient with respect to the target instead of the prediction",
            explanation="Only the prediction depends on the model's parameters; the target is "
            "data. Its gradient is minus the one asked for.",
            hints=[
                "Which tensor did you mark with requires_grad?",
                "We differentiate with respect to pred.",
                "tp = torch.from_numpy(pred).requires_grad_(); ... return tp.grad.",
            ],
            replace={"mse_grad": _mse_wrt_target},
        ),
        Misconception(
            id="torch-autograd.grad-accumulates",
            title="not zeroing .grad between two backward passes",
            explanation="PyTorch ADDS each backward pass into .grad (that is what lets gradients "
            "accumulate over micro-batches). Without zeroing, the second gradient includes the "
            "first: the reason training loops call optimizer.zero_grad().",
            hints=[
                "Is your g2 the gradient of L2 alone?",
                ".grad accumulates across backward calls.",
                "Call tw.grad.zero_() (after copying g1) before the second backward.",
            ],
            replace={"two_losses_grads": _accumulated},
            reteach="Every training step in PyTorch is: zero_grad(), forward, backward, step(). "
            "Forgetting zero_grad() silently sums gradients over steps.",
        ),
        Misconception(
            id="torch-autograd.aliased-grad",
            title="keeping a reference to .grad instead of a copy",
            explanation="tw.grad is one tensor that zero_() and backward() modify in place; a "
            "variable pointing at it changes with it. clone() it to keep a snapshot.",
            hints=[
                "After the second backward, what does your g1 contain?",
                "zero_() works in place on the same tensor.",
                "g1 = tw.grad.clone().",
            ],
            replace={"two_losses_grads": _aliased},
        ),
    ],
)
