"""Cases and misconceptions for the vanilla RNN and BPTT."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _not_recurrent(x, h0, Wx, Wh, b):
    n, steps, _ = x.shape
    hs = np.empty((n, steps, h0.shape[1]))
    for t in range(steps):
        hs[:, t] = np.tanh(x[:, t] @ Wx + h0 @ Wh + b)  # always the initial state
    return hs


def _backward(dhs, x, h0, Wx, Wh, b, *, carry=True, dwh_current=False, deriv_prev=False):
    hs = ref.rnn_forward(x, h0, Wx, Wh, b)
    steps = x.shape[1]
    dx = np.zeros_like(x, dtype=float)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh_next = np.zeros_like(h0, dtype=float)
    for t in reversed(range(steps)):
        h = hs[:, t]
        h_prev = hs[:, t - 1] if t > 0 else h0
        upstream = dhs[:, t] + (dh_next if carry else 0.0)
        local = 1.0 - h_prev * h_prev if deriv_prev else 1.0 - h * h
        da = upstream * local
        dWx += x[:, t].T @ da
        dWh += (h if dwh_current else h_prev).T @ da
        db += da.sum(axis=0)
        dx[:, t] = da @ Wx.T
        dh_next = da @ Wh.T
    return dx, dh_next, dWx, dWh, db


def _truncated(*a):
    return _backward(*a, carry=False)


def _dwh_current(*a):
    return _backward(*a, dwh_current=True)


def _deriv_prev(*a):
    return _backward(*a, deriv_prev=True)


def _per_array_clip(grads, max_norm):
    out = []
    for g in grads:
        norm = np.sqrt(np.sum(g * g))
        out.append(g * min(1.0, max_norm / norm) if norm > 0 else g)
    return tuple(out)


def _elementwise_clip(grads, max_norm):
    return tuple(np.clip(g, -max_norm, max_norm) for g in grads)


def _always_rescale(grads, max_norm):
    total = np.sqrt(sum(np.sum(g * g) for g in grads))
    return tuple(g * max_norm / total for g in grads)


def _params(rng, n, steps, d, h):
    return [rng.normal(size=(n, steps, d)), rng.normal(scale=0.5, size=(n, h)),
            rng.normal(scale=0.5, size=(d, h)), rng.normal(scale=0.5, size=(h, h)),
            rng.normal(scale=0.1, size=h)]


def _random_cases(rng):
    fwd = _params(rng, 2, 4, 3, 5)
    bwd = _params(rng, 3, 5, 2, 4)
    return [
        Case("rnn_forward", fwd, name="random N=2 T=4 D=3 H=5"),
        Case("rnn_backward", [rng.normal(size=(3, 5, 4)), *bwd], name="random N=3 T=5"),
        Case("clip_by_global_norm", [(rng.normal(size=(3, 3)) * 4, rng.normal(size=3) * 4), 1.0],
             name="random gradients, max_norm 1"),
    ]


RNG = np.random.default_rng(12345)
P_SMALL = [np.array([[[1.0], [0.5], [-1.0]]]), np.array([[0.0, 0.0]]),
           np.array([[0.5, -0.5]]), np.array([[0.2, 0.1], [-0.3, 0.4]]), np.array([0.0, 0.1])]
P_MED = _params(RNG, 2, 4, 3, 3)
DHS_MED = RNG.normal(size=(2, 4, 3))
DHS_LAST = np.zeros((2, 4, 3))
DHS_LAST[:, -1] = RNG.normal(size=(2, 3))

CHECKS = Checks(
    cases=[
        Case("rnn_forward", P_SMALL, name="the README example"),
        Case("rnn_forward", P_MED, name="N=2 T=4 D=3 H=3"),
        Case("rnn_backward", [np.ones((1, 3, 2)) * np.array([1.0, -1.0]), *P_SMALL],
             name="the README sequence"),
        Case("rnn_backward", [DHS_MED, *P_MED], name="gradients at every step"),
        Case("rnn_backward", [DHS_LAST, *P_MED], name="gradient only at the last step"),
        Case("clip_by_global_norm", [(np.array([3.0, 0.0]), np.array([[0.0], [4.0]])), 1.0],
             name="the README example"),
        Case("clip_by_global_norm", [(np.array([0.3, 0.0]), np.array([[0.0], [0.4]])), 1.0],
             name="already small enough"),
        Case("clip_by_global_norm", [(np.array([6.0, 8.0]), np.array([0.0, 0.0])), 5.0],
             name="one array carries all of the norm"),
    ],
    hidden=[
        Case("rnn_forward", [np.linspace(-1, 1, 12).reshape(1, 6, 2), np.zeros((1, 2)),
                             np.eye(2), 0.5 * np.eye(2), np.zeros(2)]),
        Case("rnn_backward", [np.linspace(-1, 1, 12).reshape(1, 6, 2),
                              np.linspace(-1, 1, 12).reshape(1, 6, 2), np.array([[0.1, -0.1]]),
                              np.array([[0.5, 0.2], [-0.3, 0.8]]),
                              np.array([[0.9, -0.2], [0.1, 0.7]]), np.array([0.05, -0.05])]),
        Case("clip_by_global_norm", [(np.full((2, 2), 2.0), np.full(3, -2.0), np.zeros(1)),
                                     2.5]),
    ],
    random_cases=_random_cases,
    rtol=1e-6,
    atol=1e-9,
    misconceptions=[
        Misconception(
            id="rnn-bptt.not-recurrent",
            title="feeding the initial state into every step instead of the previous one",
            explanation="What makes the network recurrent is that h_t depends on h_{t-1}: the "
            "loop must carry h forward.",
            hints=[
                "Does your hidden state at step 2 depend on the input at step 0?",
                "Each step uses the hidden state the previous step produced.",
                "h = np.tanh(x[:, t] @ Wx + h @ Wh + b), updating h in the loop.",
            ],
            replace={"rnn_forward": _not_recurrent},
        ),
        Misconception(
            id="rnn-bptt.truncated",
            title="not carrying the gradient back from later time steps",
            explanation="h_t influences the loss directly and through h_{t+1}, h_{t+2}, ... "
            "Backpropagation through time adds the gradient flowing back from step t + 1 to "
            "step t's own upstream gradient.",
            hints=[
                "Look at the case where only the last step has a gradient: should dx at "
                "step 0 be zero?",
                "The gradient of h_t has two parts: its own and the one from h_{t+1}.",
                "da = (dhs[:, t] + dh_next) * (1 - h_t ** 2); dh_next = da @ Wh.T.",
            ],
            replace={"rnn_backward": _truncated},
            reteach="Through time, a recurrent network is one very deep network with shared "
            "weights. Every path from a weight to the loss counts, and the chain rule sums them; "
            "that sum, repeated multiplication by Wh and tanh', is also why gradients vanish or "
            "explode.",
        ),
        Misconception(
            id="rnn-bptt.dwh-current-state",
            title="pairing dWh with h_t instead of h_{t-1}",
            explanation="Wh multiplies the PREVIOUS hidden state in h_t = tanh(... + h_{t-1} Wh), "
            "so its gradient is h_{t-1}^T da_t (with h0 at the first step).",
            hints=[
                "Which hidden state does Wh multiply in the forward pass?",
                "At t = 0 that state is h0.",
                "dWh += h_prev.T @ da.",
            ],
            replace={"rnn_backward": _dwh_current},
        ),
        Misconception(
            id="rnn-bptt.tanh-derivative-of-previous",
            title="using 1 - h_{t-1}^2 as the tanh derivative at step t",
            explanation="The tanh that produced h_t has derivative 1 - h_t^2, evaluated at its "
            "own output.",
            hints=[
                "Which tanh are you differentiating at step t?",
                "d tanh(a) / da = 1 - tanh(a)^2 = 1 - h_t^2.",
                "Multiply by (1 - h * h) with h = hs[:, t].",
            ],
            replace={"rnn_backward": _deriv_prev},
        ),
        Misconception(
            id="rnn-bptt.per-array-clipping",
            title="clipping each gradient array by its own norm",
            explanation="Global-norm clipping scales every gradient by the same factor, which "
            "keeps the direction of the whole update. Clipping arrays separately changes the "
            "direction.",
            hints=[
                "Compute one norm for all the arrays together.",
                "The global norm is sqrt of the sum of squares of every element of every array.",
                "scale = min(1, max_norm / total); multiply every array by it.",
            ],
            replace={"clip_by_global_norm": _per_array_clip},
        ),
        Misconception(
            id="rnn-bptt.elementwise-clipping",
            title="clipping each element to [-max_norm, max_norm]",
            explanation="Clipping values one by one changes the direction of the gradient and "
            "does not bound its norm; norm clipping rescales instead.",
            hints=[
                "After your clipping, what is the norm of the README example?",
                "Rescale, do not cut.",
                "Multiply by max_norm / total when total > max_norm.",
            ],
            replace={"clip_by_global_norm": _elementwise_clip},
        ),
        Misconception(
            id="rnn-bptt.always-rescale",
            title="rescaling to max_norm even when the norm is already smaller",
            explanation="Clipping only shrinks: gradients below the threshold are left as they "
            "are.",
            hints=[
                "Look at the 'already small enough' case.",
                "The factor is min(1, max_norm / total).",
                "Only scale when total > max_norm.",
            ],
            replace={"clip_by_global_norm": _always_rescale},
        ),
    ],
)
