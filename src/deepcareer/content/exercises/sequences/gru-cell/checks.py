"""Cases and misconceptions for the GRU cell."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)
sig = ref._sigmoid


def _blocks(x, h, Wx, Wh, bx, bh):
    size = h.shape[1]
    gx, gh = x @ Wx + bx, h @ Wh + bh
    return size, gx, gh


def _swapped_interpolation(x, h, Wx, Wh, bx, bh):
    s, gx, gh = _blocks(x, h, Wx, Wh, bx, bh)
    r = sig(gx[:, :s] + gh[:, :s])
    z = sig(gx[:, s:2 * s] + gh[:, s:2 * s])
    n = np.tanh(gx[:, 2 * s:] + r * gh[:, 2 * s:])
    return z * n + (1.0 - z) * h


def _reset_before_product(x, h, Wx, Wh, bx, bh):
    # The original formulation (Cho et al. 2014): r applied to h before multiplying by W_hn.
    s, gx, gh = _blocks(x, h, Wx, Wh, bx, bh)
    r = sig(gx[:, :s] + gh[:, :s])
    z = sig(gx[:, s:2 * s] + gh[:, s:2 * s])
    n = np.tanh(gx[:, 2 * s:] + (r * h) @ Wh[:, 2 * s:] + bh[2 * s:])
    return (1.0 - z) * n + z * h


def _sigmoid_candidate(x, h, Wx, Wh, bx, bh):
    s, gx, gh = _blocks(x, h, Wx, Wh, bx, bh)
    r = sig(gx[:, :s] + gh[:, :s])
    z = sig(gx[:, s:2 * s] + gh[:, s:2 * s])
    n = sig(gx[:, 2 * s:] + r * gh[:, 2 * s:])
    return (1.0 - z) * n + z * h


def _gate_order_zrn(x, h, Wx, Wh, bx, bh):
    s, gx, gh = _blocks(x, h, Wx, Wh, bx, bh)
    z = sig(gx[:, :s] + gh[:, :s])
    r = sig(gx[:, s:2 * s] + gh[:, s:2 * s])
    n = np.tanh(gx[:, 2 * s:] + r * gh[:, 2 * s:])
    return (1.0 - z) * n + z * h


def _params(rng, n, d, hidden):
    return [rng.normal(size=(n, d)), rng.normal(scale=0.5, size=(n, hidden)),
            rng.normal(scale=0.5, size=(d, 3 * hidden)),
            rng.normal(scale=0.5, size=(hidden, 3 * hidden)),
            rng.normal(scale=0.5, size=3 * hidden), rng.normal(scale=0.5, size=3 * hidden)]


def _random_cases(rng):
    return [Case("gru_step", _params(rng, 3, 4, 2), name="random N=3 D=4 H=2"),
            Case("gru_step", _params(rng, 2, 2, 3), name="random N=2 D=2 H=3")]


RNG = np.random.default_rng(31)

def _no_reset_gate(x, h, Wx, Wh, bx, bh):
    size = h.shape[1]
    gx, gh = x @ Wx + bx, h @ Wh + bh
    z = ref._sigmoid(gx[:, size:2 * size] + gh[:, size:2 * size])
    n = np.tanh(gx[:, 2 * size:] + gh[:, 2 * size:])  # r computed or not, never used
    return (1.0 - z) * n + z * h


CHECKS = Checks(
    cases=[
        Case("gru_step", [np.zeros((1, 2)), np.array([[0.5, -0.5]]), np.zeros((2, 6)),
                          np.zeros((2, 6)), np.zeros(6), np.zeros(6)],
             name="the README example (all pre-activations zero)"),
        Case("gru_step", _params(RNG, 2, 3, 2), name="N=2 D=3 H=2"),
        Case("gru_step", _params(RNG, 1, 2, 4), name="N=1 D=2 H=4"),
    ],
    hidden=[Case("gru_step", _params(np.random.default_rng(4), 2, 2, 2))],
    random_cases=_random_cases,
    rtol=1e-6,
    atol=1e-9,
    misconceptions=[
        Misconception(
            id="gru-cell.reset-gate-unused",
            title="a candidate state that ignores the reset gate",
            explanation="The reset gate r decides how much of the old state enters the candidate: "
            "n = tanh(x W_n + b_n + r * (h U_n + c_n)). Without r the cell cannot forget the "
            "past when a new input makes it irrelevant; it is then half a GRU.",
            hints=["Where does r appear in your candidate n?",
                   "r multiplies h's contribution to n, inside the tanh.",
                   "n = np.tanh(gx[:, 2H:] + r * gh[:, 2H:])."],
            replace={"gru_step": _no_reset_gate},
        ),
        Misconception(
            id="gru-cell.swapped-interpolation",
            title="h' = z * n + (1 - z) * h (the update gate's roles swapped)",
            explanation="In PyTorch's convention z is the share of the OLD state kept: "
            "h' = (1 - z) n + z h. The paper by Cho et al. writes it the other way round, so "
            "check the convention of the code you follow.",
            hints=["With all pre-activations zero, z = 0.5: the README example cannot tell. "
                   "Try z near 1: should h' be close to h or to n?",
                   "z keeps the old state.", "(1 - z) * n + z * h."],
            replace={"gru_step": _swapped_interpolation},
        ),
        Misconception(
            id="gru-cell.reset-before-product",
            title="applying the reset gate to h before the product (the 2014 variant)",
            explanation="PyTorch (and cuDNN) compute n = tanh(x W_in + b_in + "
            "r * (h W_hn + b_hn)): the reset gate scales the whole hidden term, bias included. "
            "The original GRU "
            "computed (r * h) W_hn, which gives different numbers.",
            hints=["Where does your reset gate act: on h, or on h W_hn + b_hn?",
                   "Follow torch.nn.GRUCell's documented equation.",
                   "n = tanh(gx_n + r * gh_n) with gh = h @ Wh + bh."],
            replace={"gru_step": _reset_before_product},
        ),
        Misconception(
            id="gru-cell.sigmoid-candidate",
            title="a sigmoid on the candidate state",
            explanation="The new candidate n is a tanh, so the state can move in both "
            "directions; only the gates are sigmoids.",
            hints=["Can your candidate be negative?", "Two gates, one candidate.",
                   "np.tanh(...) for n."],
            replace={"gru_step": _sigmoid_candidate},
        ),
        Misconception(
            id="gru-cell.gate-order",
            title="slicing the blocks as update, reset, new",
            explanation="The order along the 3H axis is a convention that must match the "
            "weights; torch.nn.GRUCell uses reset, update, new.",
            hints=["Which block is the reset gate?", "r, z, n.", "r = sigmoid(block 0)."],
            replace={"gru_step": _gate_order_zrn},
        ),
    ],
)
