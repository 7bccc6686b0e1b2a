"""Cases and misconceptions for the pre-LayerNorm transformer block."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _silu(x):
    return x / (1.0 + np.exp(-x))


def _gelu_no_cubic(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * x))


def _block(x, ln1_g, ln1_b, Wq, Wk, Wv, Wo, ln2_g, ln2_b, W1, b1, W2, b2, n_heads, *,
           layout="pre", act=ref.gelu):
    def mlp(z):
        return act(z @ W1 + b1) @ W2 + b2

    def attn(z):
        return ref.causal_self_attention(z, Wq, Wk, Wv, Wo, n_heads)

    if layout == "post":  # the 2017 layout: normalise AFTER adding the residual
        h = ref.layer_norm(x + attn(x), ln1_g, ln1_b)
        return ref.layer_norm(h + mlp(h), ln2_g, ln2_b)
    if layout == "normalised-stream":  # x overwritten by LN(x): the residual adds LN(x)
        x = ref.layer_norm(x, ln1_g, ln1_b)
        h = x + attn(x)
        h = ref.layer_norm(h, ln2_g, ln2_b)
        return h + mlp(h)
    h = x + attn(ref.layer_norm(x, ln1_g, ln1_b))
    return h + mlp(ref.layer_norm(h, ln2_g, ln2_b))


def _grad(dout, x, *rest, kind):
    *params, eps = rest
    xp = x.astype(float)
    base = np.sum(dout * ref.block_forward(xp, *params))
    grad = np.zeros_like(xp)
    for i in np.ndindex(xp.shape):
        old = xp[i]
        xp[i] = old + eps
        up = np.sum(dout * ref.block_forward(xp, *params))
        xp[i] = old - eps
        down = np.sum(dout * ref.block_forward(xp, *params))
        xp[i] = old
        if kind == "forward":
            grad[i] = (up - base) / eps
        else:  # central difference divided by eps instead of 2 eps
            grad[i] = (up - down) / eps
    return grad


def _pair(**knobs):
    def forward(*args):
        return _block(*args, **knobs)

    def grad(dout, x, *rest):
        *params, eps = rest
        f = lambda z: np.sum(dout * forward(z, *params))  # noqa: E731
        xp = x.astype(float)
        g = np.zeros_like(xp)
        for i in np.ndindex(xp.shape):
            old = xp[i]
            xp[i] = old + eps
            up = f(xp)
            xp[i] = old - eps
            down = f(xp)
            xp[i] = old
            g[i] = (up - down) / (2.0 * eps)
        return g

    return {"block_forward": forward, "block_input_grad": grad}


def _params(rng, d, f):
    s = 1.0 / np.sqrt(d)
    return [1.0 + 0.1 * rng.normal(size=d), 0.1 * rng.normal(size=d),
            *(s * rng.normal(size=(d, d)) for _ in range(4)),
            1.0 + 0.1 * rng.normal(size=d), 0.1 * rng.normal(size=d),
            s * rng.normal(size=(d, f)), 0.1 * rng.normal(size=f),
            rng.normal(size=(f, d)) / np.sqrt(f), 0.1 * rng.normal(size=d)]


def _random_cases(rng):
    p = _params(rng, 6, 12)
    x = rng.normal(1.0, 2.0, size=(2, 4, 6))  # off-centre: a missing LayerNorm shows
    p1 = _params(rng, 4, 8)
    return [
        Case("gelu", [np.concatenate([rng.normal(0, 3, size=8), [-6.0, 6.0, 0.0]])],
             name="random values and both tails"),
        Case("block_forward", [x, *p, 3], name="random (2, 4, 6), 3 heads, MLP width 12"),
        Case("block_input_grad", [rng.normal(size=(1, 3, 4)), rng.normal(size=(1, 3, 4)),
                                  *p1, 2, 1e-3], name="random gradient, (1, 3, 4), 2 heads"),
    ]


I2, Z2 = np.eye(2), np.zeros(2)
ONES = np.ones(2)
README_PARAMS = [ONES, Z2, I2, I2, I2, I2, ONES, Z2, I2, Z2, I2, Z2]
X1 = np.array([[[1.0, 3.0]]])
RNG = np.random.default_rng(1706)
P4 = _params(RNG, 4, 8)
X4 = RNG.normal(0.5, 1.5, size=(2, 3, 4))
G4 = RNG.normal(size=(2, 3, 4))

CHECKS = Checks(
    cases=[
        Case("gelu", [np.array([-1.0, 0.0, 1.0, 2.0])], name="the README example"),
        Case("gelu", [np.array([-30.0, -8.0, 8.0, 30.0])], name="far tails"),
        Case("block_forward", [X1, *README_PARAMS, 1], name="the README example"),
        Case("block_forward", [X4, *P4, 2], name="two sequences of 3, 2 heads"),
        Case("block_forward", [X4[:1], *P4, 4], name="one sequence, 4 heads of width 1"),
        Case("block_forward", [X4, *P4[:2], 40.0 * P4[2], 40.0 * P4[3], *P4[4:], 1],
             name="sharp attention: scores in the hundreds"),
        Case("block_input_grad", [G4[:1, :2], X4[:1, :2], *P4, 2, 1e-3],
             name="a gradient through 2 positions"),
        Case("block_input_grad", [np.array([[[1.0, -0.5]]]), X1, *README_PARAMS, 1, 1e-4],
             name="the README example's gradient"),
    ],
    hidden=[
        Case("gelu", [np.linspace(-4, 4, 9)]),
        Case("block_forward", [X4[1:], *P4, 1]),
        Case("block_input_grad", [G4[1:, :2], X4[1:, :2], *P4, 4, 1e-3]),
    ],
    random_cases=_random_cases,
    rtol=1e-7,
    atol=1e-9,
    misconceptions=[
        Misconception(
            id="transformer-block.post-layernorm",
            title="normalising after the residual addition (the 2017 post-LN layout)",
            explanation="The original transformer computed LN(x + sublayer(x)). GPT-2 and "
            "nearly every model since normalise a copy BEFORE each sub-layer and add the "
            "result to the untouched stream, x + sublayer(LN(x)): the stream keeps an "
            "identity path from input to output, so gradients reach early layers intact and "
            "training needs far less warm-up.",
            hints=["Where is your LayerNorm: before the sub-layer or after the addition?",
                   "Pre-LN: the sub-layer reads LN(x); the residual adds to x itself.",
                   "h = x + attn(layer_norm(x, ...)); out = h + mlp(layer_norm(h, ...))."],
            replace=_pair(layout="post"),
        ),
        Misconception(
            id="transformer-block.normalised-stream",
            title="adding the sub-layer's output to the normalised input instead of to x",
            explanation="Writing x = layer_norm(x) and then x + attn(x) replaces the residual "
            "stream by its normalised copy: every block then throws away the scale of its "
            "input, and the identity path through the network is lost.",
            hints=["In h = ? + attention(...), is the first term x or LN(x)?",
                   "Normalise into a NEW variable; keep x for the residual.",
                   "h = x + causal_self_attention(layer_norm(x, ...), ...)."],
            replace=_pair(layout="normalised-stream"),
        ),
        Misconception(
            id="transformer-block.gelu-as-silu",
            title="GELU written as x * sigmoid(x) (that is SiLU / swish)",
            explanation="GELU gates x by the standard normal CDF, x Phi(x). x * sigmoid(x) is "
            "a different activation (SiLU); x * sigmoid(1.702 x) would approximate GELU. This "
            "exercise uses GPT-2's tanh form.",
            hints=["What is your gelu(1)? It should be about 0.8412.",
                   "GELU(x) = x Phi(x), approximated with tanh, not with a plain sigmoid.",
                   "0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))."],
            replace={"gelu": _silu, **_pair(act=_silu)},
        ),
        Misconception(
            id="transformer-block.gelu-no-cubic",
            title="the tanh GELU without its cubic term",
            explanation="The tanh form is tanh(sqrt(2 / pi) (x + 0.044715 x^3)): the small "
            "cubic term bends the curve so it matches the normal CDF. Without it the "
            "activation is off by up to a few hundredths around |x| = 2.",
            hints=["Compare your gelu(2) with 1.9546.",
                   "Inside the tanh: x + 0.044715 x^3.",
                   "np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))."],
            replace={"gelu": _gelu_no_cubic, **_pair(act=_gelu_no_cubic)},
        ),
        Misconception(
            id="transformer-block.one-sided-difference",
            title="a one-sided difference (f(x + eps) - f(x)) / eps in the gradient check",
            explanation="The forward difference has an error proportional to eps; the central "
            "difference (f(x + eps) - f(x - eps)) / (2 eps) cancels that term and is accurate "
            "to eps squared, which is what makes a gradient check trustworthy.",
            hints=["Do you evaluate the block at x - eps?",
                   "Central differences: both sides, divided by 2 eps.",
                   "(up - down) / (2 * eps)."],
            replace={"block_input_grad": lambda *a: _grad(*a, kind="forward")},
        ),
        Misconception(
            id="transformer-block.central-over-eps",
            title="a central difference divided by eps instead of 2 eps",
            explanation="From x - eps to x + eps is a distance of 2 eps: dividing by eps "
            "doubles every gradient.",
            hints=["Is your numerical gradient exactly twice the true one?",
                   "The two evaluation points are 2 eps apart.",
                   "(up - down) / (2 * eps)."],
            replace={"block_input_grad": lambda *a: _grad(*a, kind="over-eps")},
        ),
    ],
)
