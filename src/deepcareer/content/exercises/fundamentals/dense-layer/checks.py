"""Cases and misconceptions for the dense layer."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _forward_no_bias(x, W, b):
    return x @ W


def _dw_averaged(dout, x, W):
    dx, dW, db = ref.dense_backward(dout, x, W)
    return dx, dW / x.shape[0], db / x.shape[0]


def _db_mean(dout, x, W):
    dx, dW, _ = ref.dense_backward(dout, x, W)
    return dx, dW, dout.mean(axis=0)


def _dx_no_transpose(dout, x, W):
    _, dW, db = ref.dense_backward(dout, x, W)
    return dout @ W, dW, db


def _dw_swapped(dout, x, W):
    dx, _, db = ref.dense_backward(dout, x, W)
    return dx, dout.T @ x, db


def _ignores_dout(dout, x, W):
    ones = np.ones_like(dout)
    return ones @ W.T, x.T @ ones, ones.sum(axis=0)


def _db_wrong_axis(dout, x, W):
    dx, dW, _ = ref.dense_backward(dout, x, W)
    return dx, dW, dout.sum(axis=1)


def _random_cases(rng):
    def backward(n, d, m, name):
        return Case("dense_backward", [rng.normal(size=(n, m)), rng.normal(size=(n, d)),
                                       rng.normal(size=(d, m))], name=name)

    return [
        Case("dense_forward", [rng.normal(size=(5, 3)), rng.normal(size=(3, 4)),
                               rng.normal(size=4)], name="random batch"),
        backward(6, 4, 3, "random batch, N=6 D=4 M=3"),
        backward(3, 3, 3, "random square shapes"),
        backward(2, 5, 5, "random batch, N=2 D=M=5"),
        Case("dense_forward", [rng.normal(size=(1, 3)), rng.normal(size=(3, 2)),
                               rng.normal(size=2)], name="random batch of one example"),
    ]


X = np.array([[1.0, 2.0], [3.0, -1.0]])
W = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
B = np.array([0.1, 0.2, 0.3])
DOUT = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0]])
SQ_X = np.array([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]])
SQ_W = np.array([[2.0, 1.0], [-1.0, 0.5]])
SQ_DOUT = np.array([[0.3, -1.2], [2.0, 0.7], [-0.4, 1.1]])

CHECKS = Checks(
    cases=[
        Case("dense_forward", [X, W, B], name="the README example"),
        Case("dense_forward", [SQ_X, SQ_W, np.array([1.0, -1.0])], name="square weights"),
        Case("dense_backward", [DOUT, X, W], name="the README gradient"),
        Case("dense_backward", [SQ_DOUT, SQ_X, SQ_W], name="square weights, batch of 3"),
        Case("dense_backward", [np.array([[2.0, -1.0]]), np.array([[1.0, 3.0]]), SQ_W],
             name="a batch of one"),
    ],
    hidden=[
        Case("dense_forward", [np.arange(6.0).reshape(3, 2), SQ_W, np.zeros(2)]),
        Case("dense_backward", [np.linspace(-1, 1, 8).reshape(4, 2),
                                np.linspace(0, 2, 12).reshape(4, 3),
                                np.linspace(1, -1, 6).reshape(3, 2)]),
        Case("dense_backward", [np.array([[0.5, 0.25], [-1.5, 2.0]]),
                                np.array([[1.0, 0.0], [2.0, -3.0]]),
                                np.array([[0.1, 0.2], [0.3, 0.4]])]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="dense-layer.averaged-over-batch",
            title="dividing the weight and bias gradients by the batch size",
            explanation="The layer's gradients sum over the examples of the batch. Averaging "
            "belongs to the loss: if the loss is a mean, its gradient dout already carries the "
            "1/N, and dividing again makes the update N times too small.",
            hints=[
                "Compare your dW for a batch of 2 with the sum of the dW you get for each "
                "example alone.",
                "Each example adds its own x_i^T dout_i to dW; the layer does not average.",
                "dW = x.T @ dout and db = dout.sum(axis=0), with no division.",
            ],
            replace={"dense_backward": _dw_averaged},
            reteach="Where the 1/N lives matters: exactly one place in the chain (the loss) "
            "should average over the batch. Everything downstream of it sums.",
        ),
        Misconception(
            id="dense-layer.db-mean",
            title="averaging the bias gradient over the batch while summing dW",
            explanation="b is added to every row of the output, so every row's gradient flows "
            "into it: db is the sum of dout over the batch axis, consistent with dW.",
            hints=[
                "How many times is b used in a batch of N examples?",
                "A parameter used N times collects N gradient contributions.",
                "db = dout.sum(axis=0).",
            ],
            replace={"dense_backward": _db_mean},
        ),
        Misconception(
            id="dense-layer.dx-no-transpose",
            title="computing dx as dout @ W instead of dout @ W.T",
            explanation="out = x @ W maps D inputs to M outputs; going backwards maps M "
            "gradients to D, which takes W transposed. Without the transpose the shapes only "
            "line up when W is square, and then the values are wrong.",
            hints=[
                "Check the shape of dx against the shape of x when D != M.",
                "dx must be (N, D) and dout is (N, M): which matrix is (M, D)?",
                "dx = dout @ W.T.",
            ],
            replace={"dense_backward": _dx_no_transpose},
        ),
        Misconception(
            id="dense-layer.dw-transposed",
            title="computing dW as dout.T @ x (the transpose of the right answer)",
            explanation="The gradient of a parameter has the parameter's shape: W is (D, M), so "
            "dW must be (D, M), which is x.T @ dout. dout.T @ x is its transpose, (M, D).",
            hints=[
                "What shape is W, and what shape is your dW?",
                "Write out one entry: dL/dW[j, k] = sum_n x[n, j] * dout[n, k].",
                "dW = x.T @ dout.",
            ],
            replace={"dense_backward": _dw_swapped},
        ),
        Misconception(
            id="dense-layer.ignores-dout",
            title="ignoring the upstream gradient (treating dout as all ones)",
            explanation="Backpropagation multiplies the layer's local derivative by the gradient "
            "arriving from above. Dropping dout gives the gradient of sum(out), not of the loss.",
            hints=[
                "Does your backward pass use its first argument?",
                "The chain rule: dL/dW = dL/d(out) * d(out)/dW.",
                "Every gradient is a product with dout: dout @ W.T, x.T @ dout, dout.sum(0).",
            ],
            replace={"dense_backward": _ignores_dout},
        ),
        Misconception(
            id="dense-layer.db-wrong-axis",
            title="summing the bias gradient over the output axis instead of the batch",
            explanation="db needs one entry per output unit (shape (M,)), so the sum runs over "
            "the examples, axis 0.",
            hints=[
                "What shape is your db, and what shape is b?",
                "axis=0 runs over the examples; axis=1 over the output units.",
                "db = dout.sum(axis=0).",
            ],
            replace={"dense_backward": _db_wrong_axis},
        ),
        Misconception(
            id="dense-layer.no-bias",
            title="forgetting to add the bias in the forward pass",
            explanation="A dense layer computes x @ W + b; without b every output hyperplane "
            "must pass through the origin.",
            hints=[
                "Does your forward pass use b?",
                "b has one entry per output unit and is added to every row.",
                "return x @ W + b.",
            ],
            replace={"dense_forward": _forward_no_bias},
        ),
    ],
)
