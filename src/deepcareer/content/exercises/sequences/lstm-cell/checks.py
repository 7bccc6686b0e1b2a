"""Cases and misconceptions for the LSTM cell."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)
sig = ref._sigmoid


def _gates(x, h_prev, Wx, Wh, b, order="ifgo", g_act=np.tanh):
    hidden = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    blocks = {name: a[:, k * hidden:(k + 1) * hidden] for k, name in enumerate(order)}
    return sig(blocks["i"]), sig(blocks["f"]), g_act(blocks["g"]), sig(blocks["o"])


def _step_ifog(x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = _gates(x, h_prev, Wx, Wh, b, order="ifog")
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def _step_igfo(x, h_prev, c_prev, Wx, Wh, b):
    # TensorFlow's LSTMCell orders the blocks i, g (called j or c), f, o.
    i, f, g, o = _gates(x, h_prev, Wx, Wh, b, order="igfo")
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def _step_swapped_roles(x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = _gates(x, h_prev, Wx, Wh, b)
    c = f * g + i * c_prev
    return o * np.tanh(c), c


def _step_no_tanh(x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = _gates(x, h_prev, Wx, Wh, b)
    c = f * c_prev + i * g
    return o * c, c


def _step_sigmoid_candidate(x, h_prev, c_prev, Wx, Wh, b):
    i, f, g, o = _gates(x, h_prev, Wx, Wh, b, g_act=sig)
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def _backward(dh, dc, x, h_prev, c_prev, Wx, Wh, b, *, through_h=True, keep_f=True):
    i, f, g, o = _gates(x, h_prev, Wx, Wh, b)
    c = f * c_prev + i * g
    tc = np.tanh(c)
    dc_total = dc + (dh * o * (1.0 - tc * tc) if through_h else 0.0)
    da = np.concatenate([dc_total * g * i * (1 - i), dc_total * c_prev * f * (1 - f),
                         dc_total * i * (1 - g * g), dh * tc * o * (1 - o)], axis=1)
    dc_prev = dc_total * f if keep_f else dc_total
    return da @ Wx.T, da @ Wh.T, dc_prev, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def _backward_no_h_path(*a):
    return _backward(*a, through_h=False)


def _backward_dc_prev_no_f(*a):
    return _backward(*a, keep_f=False)


def _params(rng, n, d, h):
    return [rng.normal(size=(n, d)), rng.normal(scale=0.5, size=(n, h)),
            rng.normal(size=(n, h)), rng.normal(scale=0.5, size=(d, 4 * h)),
            rng.normal(scale=0.5, size=(h, 4 * h)), rng.normal(scale=0.5, size=4 * h)]


def _random_cases(rng):
    return [
        Case("lstm_step", _params(rng, 3, 4, 2), name="random N=3 D=4 H=2"),
        Case("lstm_step", _params(rng, 2, 2, 3), name="random N=2 D=2 H=3"),
        Case("lstm_step_backward", [rng.normal(size=(3, 2)), rng.normal(size=(3, 2)),
                                    *_params(rng, 3, 4, 2)], name="random N=3 D=4 H=2"),
    ]


H1 = 2
B1 = np.array([0.0, 0.0, 1.0, 1.0, 0.5, -0.5, 0.0, 0.0])
P1 = [np.array([[1.0, -1.0]]), np.array([[0.5, -0.5]]), np.array([[1.0, 2.0]]),
      np.linspace(-1, 1, 16).reshape(2, 8), np.linspace(1, -1, 16).reshape(2, 8), B1]
RNG = np.random.default_rng(2024)
P2 = _params(RNG, 2, 3, 2)

CHECKS = Checks(
    cases=[
        Case("lstm_step", P1, name="the README shapes"),
        Case("lstm_step", P2, name="N=2 D=3 H=2"),
        Case("lstm_step_backward", [np.array([[1.0, -0.5]]), np.array([[0.2, 0.3]]), *P1],
             name="the README shapes"),
        Case("lstm_step_backward", [RNG.normal(size=(2, 2)), np.zeros((2, 2)), *P2],
             name="gradient through h only"),
        Case("lstm_step_backward", [np.zeros((2, 2)), RNG.normal(size=(2, 2)), *P2],
             name="gradient through c only"),
    ],
    hidden=[
        Case("lstm_step", [np.ones((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)),
                           np.array([[1.0, 2.0, 3.0, 4.0]]), np.ones((1, 4)),
                           np.array([0.0, -1.0, 0.5, 1.0])]),
        Case("lstm_step_backward", [np.array([[0.3, 0.6]]), np.array([[-0.4, 0.1]]),
                                    np.array([[0.2, 0.4, -0.6]]), np.array([[0.1, -0.2]]),
                                    np.array([[0.5, -1.0]]),
                                    np.linspace(-0.5, 0.5, 24).reshape(3, 8),
                                    np.linspace(0.3, -0.3, 16).reshape(2, 8), np.zeros(8)]),
    ],
    random_cases=_random_cases,
    rtol=1e-6,
    atol=1e-9,
    misconceptions=[
        Misconception(
            id="lstm-cell.gate-order-ifog",
            title="slicing the gates in the order input, forget, output, candidate",
            explanation="The four gates come from one (N, 4H) block; the order of the slices is "
            "a convention that must match the weights. PyTorch's (and this exercise's) is "
            "i, f, g, o.",
            hints=[
                "Which quarter of the 4H axis is the candidate g?",
                "Order: input, forget, candidate, output.",
                "g = tanh(a[:, 2H:3H]) and o = sigmoid(a[:, 3H:]).",
            ],
            replace={"lstm_step": _step_ifog},
            reteach="Gate order is the first thing to check when weights move between "
            "frameworks: PyTorch uses i, f, g, o; TensorFlow/Keras use i, f, c, o in "
            "LSTMCell's kernel but i, j(g), f, o in the older tf.compat LSTMCell.",
        ),
        Misconception(
            id="lstm-cell.gate-order-tf",
            title="slicing the gates in TensorFlow's old order (input, candidate, forget, output)",
            explanation="Some TensorFlow code orders the blocks i, j, f, o (j is the candidate). "
            "With PyTorch-ordered weights that puts the forget gate's weights into the "
            "candidate.",
            hints=[
                "Is your second block the forget gate?",
                "Order: input, forget, candidate, output.",
                "f = sigmoid(a[:, H:2H]); g = tanh(a[:, 2H:3H]).",
            ],
            replace={"lstm_step": _step_igfo},
        ),
        Misconception(
            id="lstm-cell.swapped-roles",
            title="applying the forget gate to the candidate and the input gate to the old cell",
            explanation="The forget gate decides how much of the OLD cell to keep (f * c_prev); "
            "the input gate decides how much of the NEW candidate to write (i * g).",
            hints=[
                "What does 'forget' act on?",
                "c = (keep part of the old cell) + (write part of the new candidate).",
                "c = f * c_prev + i * g.",
            ],
            replace={"lstm_step": _step_swapped_roles},
        ),
        Misconception(
            id="lstm-cell.no-tanh-on-cell",
            title="h = o * c, without squashing the cell with tanh",
            explanation="The cell state can grow beyond [-1, 1]; the output is o * tanh(c), "
            "so h stays bounded.",
            hints=[
                "Can your h exceed 1 in absolute value?",
                "The cell is squashed before the output gate is applied.",
                "h = o * np.tanh(c).",
            ],
            replace={"lstm_step": _step_no_tanh},
        ),
        Misconception(
            id="lstm-cell.sigmoid-candidate",
            title="a sigmoid on the candidate instead of tanh",
            explanation="Gates are sigmoids (values in 0..1 that scale); the candidate is a tanh "
            "(values in -1..1 that are written), so the cell can move both ways.",
            hints=[
                "Can your candidate be negative?",
                "Three gates are sigmoids; one block is not a gate.",
                "g = np.tanh(a[:, 2H:3H]).",
            ],
            replace={"lstm_step": _step_sigmoid_candidate},
        ),
        Misconception(
            id="lstm-cell.cell-gradient-misses-h",
            title="a cell gradient that ignores the path through h",
            explanation="c reaches the loss directly (dc) and through h = o * tanh(c). Both "
            "contribute: dc_total = dc + dh * o * (1 - tanh(c)^2).",
            hints=[
                "Look at the case with gradient through h only: is your dc_prev zero?",
                "h depends on c.",
                "dc_total = dc + dh * o * (1 - np.tanh(c) ** 2).",
            ],
            replace={"lstm_step_backward": _backward_no_h_path},
        ),
        Misconception(
            id="lstm-cell.dc-prev-without-forget",
            title="passing the cell gradient back without the forget gate",
            explanation="c = f * c_prev + ..., so dc_prev = dc_total * f. This multiplication by f "
            "(close to 1 when the cell remembers) is how LSTMs keep gradients alive.",
            hints=[
                "What is d c / d c_prev?",
                "It is the forget gate, elementwise.",
                "dc_prev = dc_total * f.",
            ],
            replace={"lstm_step_backward": _backward_dc_prev_no_f},
        ),
    ],
)
