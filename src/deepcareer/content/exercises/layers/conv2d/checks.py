"""Cases and misconceptions for conv2d."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _flipped_forward(x, w, b, stride, pad):
    return ref.conv2d_forward(x, w[:, :, ::-1, ::-1], b, stride, pad)


def _flipped_backward(dout, x, w, stride, pad):
    dx, dw, db = ref.conv2d_backward(dout, x, w[:, :, ::-1, ::-1], stride, pad)
    return dx, dw[:, :, ::-1, ::-1], db


def _no_bias_forward(x, w, b, stride, pad):
    return ref.conv2d_forward(x, w, np.zeros_like(b), stride, pad)


def _db_per_position(dout, x, w, stride, pad):
    dx, dw, _ = ref.conv2d_backward(dout, x, w, stride, pad)
    return dx, dw, dout.sum(axis=0)


def _dw_averaged(dout, x, w, stride, pad):
    dx, dw, db = ref.conv2d_backward(dout, x, w, stride, pad)
    return dx, dw / x.shape[0], db / x.shape[0]


def _padded_dx(dout, x, w, stride, pad):
    dx, dw, db = ref.conv2d_backward(dout, x, w, stride, pad)
    return np.pad(dx, ((0, 0), (0, 0), (pad, pad), (pad, pad))), dw, db


def _stride_one_backward(dout, x, w, stride, pad):
    # Places window (i, j) at (i, j) instead of (i * stride, j * stride).
    _, _, kh, kw = w.shape
    _, _, h_out, w_out = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp, dtype=float)
    dw = np.zeros_like(w, dtype=float)
    for i in range(h_out):
        for j in range(w_out):
            g = dout[:, :, i, j]
            dw += np.tensordot(g, xp[:, :, i:i + kh, j:j + kw], axes=([0], [0]))
            dxp[:, :, i:i + kh, j:j + kw] += np.tensordot(g, w, axes=([1], [0]))
    h, width = x.shape[2:]
    return dxp[:, :, pad:pad + h, pad:pad + width], dw, dout.sum(axis=(0, 2, 3))


def _no_padding_forward(x, w, b, stride, pad):
    return ref.conv2d_forward(x, w, b, stride, 0)


def _random_cases(rng):
    def fwd(n, c, h, f, k, stride, pad, name):
        return Case("conv2d_forward", [rng.normal(size=(n, c, h, h)),
                                       rng.normal(size=(f, c, k, k)), rng.normal(size=f),
                                       stride, pad], name=name)

    def bwd(n, c, h, f, k, stride, pad, name):
        h_out = (h + 2 * pad - k) // stride + 1
        return Case("conv2d_backward", [rng.normal(size=(n, f, h_out, h_out)),
                                        rng.normal(size=(n, c, h, h)),
                                        rng.normal(size=(f, c, k, k)), stride, pad], name=name)

    return [
        fwd(2, 3, 5, 2, 3, 1, 1, "random 2x3x5x5, 3x3 filters, pad 1"),
        fwd(1, 2, 7, 3, 3, 2, 1, "random 7x7, stride 2, pad 1"),
        bwd(2, 2, 5, 3, 3, 1, 1, "random gradient, pad 1"),
        bwd(1, 3, 6, 2, 2, 2, 0, "random gradient, stride 2"),
    ]


X = np.arange(16.0).reshape(1, 1, 4, 4)
W = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
B = np.array([0.5])
X2 = np.linspace(-1, 1, 2 * 2 * 5 * 5).reshape(2, 2, 5, 5)
W2 = np.linspace(1, -1, 3 * 2 * 3 * 3).reshape(3, 2, 3, 3)

CHECKS = Checks(
    cases=[
        Case("conv2d_forward", [X, W, B, 1, 0], name="the README example"),
        Case("conv2d_forward", [X, W, B, 2, 1], name="stride 2, pad 1"),
        Case("conv2d_forward", [X2, W2, np.array([0.1, -0.2, 0.3]), 1, 1],
             name="2 images, 2 channels, 3 filters, pad 1"),
        Case("conv2d_backward", [np.array([[[[1.0, 0.0, -1.0], [2.0, 0.5, 0.0],
                                             [0.0, 1.0, 1.0]]]]), X, W, 1, 0],
             name="the README gradient"),
        Case("conv2d_backward", [np.linspace(-1, 1, 2 * 3 * 3 * 3).reshape(2, 3, 3, 3), X2, W2,
                                 2, 1], name="stride 2, pad 1, 2 images"),
    ],
    hidden=[
        Case("conv2d_forward", [np.ones((1, 2, 3, 3)), np.ones((1, 2, 3, 3)), np.zeros(1), 1,
                                1]),
        Case("conv2d_backward", [np.ones((1, 2, 4, 4)), np.linspace(0, 1, 16).reshape(1, 1, 4, 4),
                                 np.array([[[[1.0, 2.0, 3.0]] * 3]] * 2), 1, 1]),
        Case("conv2d_backward", [np.linspace(1, 2, 8).reshape(2, 1, 2, 2),
                                 np.linspace(-2, 2, 50).reshape(2, 1, 5, 5),
                                 np.array([[[[0.5, -1.0], [1.5, 0.0]]]]), 3, 0]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="conv2d.flipped-kernel",
            title="flipping the filter (mathematical convolution) instead of cross-correlating",
            explanation="Signal-processing convolution flips the kernel; the 'convolution' of deep "
            "learning frameworks does not. Both learn equally well, but the weights mean "
            "different things, and outputs differ from every framework.",
            hints=[
                "Compare your first output on the README example with the window times the "
                "filter, element by element.",
                "Do not reverse the filter's rows and columns.",
                "out = sum(window * w) over channels and kernel positions, plus b.",
            ],
            replace={"conv2d_forward": _flipped_forward, "conv2d_backward": _flipped_backward},
        ),
        Misconception(
            id="conv2d.no-bias",
            title="forgetting each filter's bias",
            explanation="Each filter has one bias, added to every position of its output map.",
            hints=[
                "Does your forward pass use b?",
                "b has one entry per filter (F,).",
                "Add b to out[:, :, i, j] (it broadcasts over the batch).",
            ],
            replace={"conv2d_forward": _no_bias_forward},
        ),
        Misconception(
            id="conv2d.padding-ignored",
            title="not padding the input",
            explanation="Padding adds `pad` rows and columns of zeros around each image, so "
            "border pixels sit at the centre of some windows and the output keeps its size "
            "with pad = (K - 1) / 2.",
            hints=[
                "What output shape does pad 1 with a 3 x 3 filter give on a 5 x 5 image?",
                "H_out = (H + 2 * pad - KH) // stride + 1.",
                "np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) before sliding.",
            ],
            replace={"conv2d_forward": _no_padding_forward},
        ),
        Misconception(
            id="conv2d.db-per-position",
            title="a bias gradient that keeps the spatial axes",
            explanation="A filter's bias is shared by every output position and every image, so "
            "its gradient sums dout over the batch AND over height and width.",
            hints=[
                "What shape is b, and what shape is your db?",
                "Shared parameters sum the gradients of all their uses.",
                "db = dout.sum(axis=(0, 2, 3)).",
            ],
            replace={"conv2d_backward": _db_per_position},
        ),
        Misconception(
            id="conv2d.averaged-over-batch",
            title="dividing the filter and bias gradients by the batch size",
            explanation="The layer sums its parameters' gradients over the batch; the loss "
            "already carries any 1/N in dout.",
            hints=[
                "Compare your dw for two images with the sum of the dw for each image alone.",
                "No division in the layer's backward pass.",
                "Accumulate dw over all windows of all images.",
            ],
            replace={"conv2d_backward": _dw_averaged},
        ),
        Misconception(
            id="conv2d.padded-dx",
            title="returning the gradient of the padded input",
            explanation="The zeros of the padding are not inputs; dx must have x's shape, so "
            "the padded border is cut off at the end.",
            hints=[
                "What shape is your dx with pad 1?",
                "The padding was added inside the layer.",
                "dx = dxp[:, :, pad:pad + H, pad:pad + W].",
            ],
            replace={"conv2d_backward": _padded_dx},
        ),
        Misconception(
            id="conv2d.backward-ignores-stride",
            title="placing each window's gradient as if the stride were 1",
            explanation="Output (i, j) came from the window starting at (i * stride, j * stride); "
            "its gradient must go back to that same window.",
            hints=[
                "Look at the stride-2 gradient case.",
                "Use the same slices in backward as in forward.",
                "rows = slice(i * stride, i * stride + KH).",
            ],
            replace={"conv2d_backward": _stride_one_backward},
        ),
    ],
)
