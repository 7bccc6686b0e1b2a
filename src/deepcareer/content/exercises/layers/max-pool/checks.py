"""Cases and misconceptions for max pooling."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _windows(x, size, stride):
    h, w = x.shape[2:]
    for i in range((h - size) // stride + 1):
        for j in range((w - size) // stride + 1):
            yield i, j, x[:, :, i * stride:i * stride + size, j * stride:j * stride + size]


def _average_forward(x, size, stride):
    n, c, h, w = x.shape
    out = np.empty((n, c, (h - size) // stride + 1, (w - size) // stride + 1))
    for i, j, window in _windows(x, size, stride):
        out[:, :, i, j] = window.mean(axis=(2, 3))
    return out


def _average_backward(dout, x, size, stride):
    dx = np.zeros_like(x, dtype=float)
    for i, j, _ in _windows(x, size, stride):
        dx[:, :, i * stride:i * stride + size, j * stride:j * stride + size] += (
            dout[:, :, i, j][:, :, None, None] / (size * size))
    return dx


def _stride_ignored_forward(x, size, stride):
    return ref.maxpool_forward(x, size, 1)


def _route(dout, x, size, stride, step, overwrite=False, all_ties=False, spread=False):
    n, c, h_out, w_out = dout.shape
    dx = np.zeros_like(x, dtype=float)
    for i in range(h_out):
        for j in range(w_out):
            top, left = i * step, j * step
            window = x[:, :, top:top + size, left:left + size]
            for a in range(n):
                for b in range(c):
                    win = window[a, b]
                    if spread:
                        dx[a, b, top:top + size, left:left + size] += dout[a, b, i, j]
                        continue
                    if all_ties:
                        mask = win == win.max()
                        dx[a, b, top:top + size, left:left + size] += mask * dout[a, b, i, j]
                        continue
                    r, q = divmod(int(win.argmax()), size)
                    if overwrite:
                        dx[a, b, top + r, left + q] = dout[a, b, i, j]
                    else:
                        dx[a, b, top + r, left + q] += dout[a, b, i, j]
    return dx


def _overwrite_backward(dout, x, size, stride):
    return _route(dout, x, size, stride, stride, overwrite=True)


def _all_ties_backward(dout, x, size, stride):
    return _route(dout, x, size, stride, stride, all_ties=True)


def _spread_backward(dout, x, size, stride):
    return _route(dout, x, size, stride, stride, spread=True)


def _random_cases(rng):
    return [
        Case("maxpool_forward", [rng.normal(size=(2, 3, 6, 6)), 2, 2], name="random 2x3x6x6"),
        Case("maxpool_forward", [rng.normal(size=(1, 2, 5, 7)), 3, 2],
             name="random 5x7, size 3 stride 2"),
        Case("maxpool_backward", [rng.normal(size=(2, 2, 2, 2)), rng.normal(size=(2, 2, 4, 4)),
                                  2, 2], name="random gradient, size 2 stride 2"),
        Case("maxpool_backward", [rng.normal(size=(1, 1, 3, 3)), rng.normal(size=(1, 1, 5, 5)),
                                  3, 1], name="random gradient, overlapping windows"),
    ]


X1 = np.array([[[[1.0, 3.0, 2.0, 0.0],
                 [4.0, 2.0, 1.0, 5.0],
                 [0.0, 1.0, 3.0, 2.0],
                 [2.0, 6.0, 1.0, 1.0]]]])
TIES = np.array([[[[1.0, 1.0, 0.0], [0.0, 1.0, 2.0], [2.0, 0.0, 2.0]]]])

CHECKS = Checks(
    cases=[
        Case("maxpool_forward", [X1, 2, 2], name="the README example"),
        Case("maxpool_forward", [X1, 2, 1], name="overlapping windows (stride 1)"),
        Case("maxpool_forward", [X1, 3, 1], name="size 3, stride 1"),
        Case("maxpool_backward", [np.array([[[[1.0, -2.0], [0.5, 3.0]]]]), X1, 2, 2],
             name="the README gradient"),
        Case("maxpool_backward", [np.arange(9.0).reshape(1, 1, 3, 3) - 4.0, X1, 2, 1],
             name="overlapping windows"),
        Case("maxpool_backward", [np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), TIES, 2, 1],
             name="ties inside windows"),
    ],
    hidden=[
        Case("maxpool_forward", [np.arange(32.0).reshape(1, 2, 4, 4)[:, :, ::-1], 2, 2]),
        Case("maxpool_backward", [np.ones((1, 2, 2, 2)) * np.array([1.0, -1.0])[None, :, None,
                                                                                  None],
                                  np.linspace(-1, 1, 32).reshape(1, 2, 4, 4), 2, 2]),
        Case("maxpool_backward", [np.array([[[[2.0, -1.0, 0.5, 1.5]]]]),
                                  np.array([[[[3.0, 1.0, 4.0, 1.0, 5.0], [9.0, 2.0, 6.0, 5.0,
                                                                          3.0]]]]), 2, 1]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="max-pool.average",
            title="averaging each window instead of taking its maximum",
            explanation="That is average pooling, a different layer. Max pooling keeps the "
            "strongest response in each window, which makes the output tolerant to small "
            "shifts of a feature.",
            hints=[
                "What should the first window of the README example give?",
                "np.max, not np.mean, over the window.",
                "window.max(axis=(2, 3)); in backward, route the gradient to the argmax.",
            ],
            replace={"maxpool_forward": _average_forward, "maxpool_backward": _average_backward},
        ),
        Misconception(
            id="max-pool.gradient-to-all",
            title="sending the gradient to every element of the window",
            explanation="Only the maximum influenced the output, so only it gets the gradient; "
            "the other elements' derivative is 0.",
            hints=[
                "If you nudge a non-maximal element a little, does the output change?",
                "d max(a, b) / d a is 1 if a is the max, else 0.",
                "Find the argmax of each window and put dout there only.",
            ],
            replace={"maxpool_backward": _spread_backward},
        ),
        Misconception(
            id="max-pool.overwrite-overlaps",
            title="overwriting instead of adding when windows overlap",
            explanation="With stride smaller than the window, one input can be the max of several "
            "windows; its gradient is the sum of what each window sends it.",
            hints=[
                "Look at the overlapping-windows case: which inputs win more than one window?",
                "The chain rule sums over every path from an input to the loss.",
                "Use dx[...] += dout[...].",
            ],
            replace={"maxpool_backward": _overwrite_backward},
        ),
        Misconception(
            id="max-pool.all-ties",
            title="giving the gradient to every tied maximum",
            explanation="When several elements share the maximum, the gradient must go to one of "
            "them, otherwise the total is multiplied. The convention here (and PyTorch's) is the "
            "first one in row-major order, which np.argmax returns.",
            hints=[
                "Look at the case with ties: does your dx sum to the same total as dout?",
                "One output, one receiver.",
                "Use argmax on the flattened window.",
            ],
            replace={"maxpool_backward": _all_ties_backward},
        ),
        Misconception(
            id="max-pool.stride-ignored",
            title="sliding the window one step at a time whatever the stride",
            explanation="The stride is how far the window moves between outputs; the output size "
            "is (H - size) // stride + 1.",
            hints=[
                "What shape should the README example's output have?",
                "Window (i, j) starts at row i * stride and column j * stride.",
                "Use i * stride : i * stride + size.",
            ],
            replace={"maxpool_forward": _stride_ignored_forward},
        ),
    ],
)
