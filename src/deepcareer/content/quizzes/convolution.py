"""Quiz: convolution arithmetic and what convolutional layers buy."""

from deepcareer.mentor.quiz import Choice, Numeric, Quiz, distinct


def _out_size(rng):
    n = int(rng.integers(20, 65))
    k = int(rng.choice([3, 5, 7]))
    s = int(rng.choice([1, 2, 3]))
    p = int(rng.integers(1, 4))
    out = (n + 2 * p - k) // s + 1
    return {"n": n, "k": k, "s": s, "p": p}, float(out), distinct(out, {
        "forgetting the $+1$": (n + 2 * p - k) // s,
        "ignoring the padding": (n - k) // s + 1,
        "padding only one side": (n + p - k) // s + 1}, rel_tol=1e-3)


def _dilated(rng):
    n = int(rng.integers(16, 65))
    k = int(rng.choice([3, 5]))
    d = int(rng.choice([2, 3, 4]))
    span = d * (k - 1) + 1
    out = n - span + 1
    return {"n": n, "k": k, "d": d}, float(out), distinct(out, {
        "ignoring the dilation": n - k + 1,
        "taking the span as $d k$": n - d * k + 1}, rel_tol=1e-3)


def _pool(rng):
    n = int(rng.integers(8, 65))
    k = int(rng.choice([2, 3]))
    out = (n - k) // k + 1
    return {"n": n, "k": k}, float(out), distinct(out, {
        "sliding with stride 1 as a convolution's default": n - k + 1,
        "dividing the size by the window and rounding up": -(-n // k)}, rel_tol=1e-3)


def _conv_params(rng):
    cin = int(rng.choice([1, 3, 16, 32, 64]))
    cout = int(rng.choice([8, 16, 32, 64, 128]))
    k = int(rng.choice([1, 3, 5]))
    n = cout * (cin * k * k + 1)
    return {"cin": cin, "cout": cout, "k": k}, float(n), distinct(n, {
        "forgetting the input channels": cout * (k * k + 1),
        "forgetting the biases": cout * cin * k * k,
        "one bias per weight": 2 * cout * cin * k * k}, rel_tol=1e-3)


def _receptive(rng):
    layers = int(rng.integers(2, 7))
    k = int(rng.choice([3, 5]))
    rf = 1 + layers * (k - 1)
    return {"L": layers, "k": k}, float(rf), distinct(rf, {
        "multiplying the kernel size by the depth": layers * k,
        "thinking depth does not widen the view": k}, rel_tol=1e-3)


QUIZ = Quiz(
    id="convolution",
    title="Convolution arithmetic and convolutional networks",
    skills=["convolution-arithmetic", "cnn"],
    questions=[
        Numeric(
            skill="convolution-arithmetic",
            prompt="A convolution with kernel {k}, stride {s} and padding {p} (on each side) is "
            "applied to a {n} x {n} image. How wide is the output?",
            make=_out_size,
            explanation="$\\lfloor (n + 2p - k)/s \\rfloor + 1$: the number of positions the "
            "kernel fits in the padded input, counting every $s$-th one.",
            rel_tol=1e-9,
        ),
        Numeric(
            skill="convolution-arithmetic",
            prompt="A {k} x {k} kernel with dilation {d}, stride 1 and no padding slides over a "
            "{n}-wide input. How wide is the output?",
            make=_dilated,
            explanation="Dilation spreads the kernel over $d(k - 1) + 1$ pixels; the output is "
            "$n - d(k - 1)$ wide.",
            rel_tol=1e-9,
        ),
        Numeric(
            skill="convolution-arithmetic",
            prompt="Max pooling with a {k} x {k} window and the usual stride (equal to the "
            "window), no padding, on a {n} x {n} input. How wide is the output?",
            make=_pool,
            explanation="Pooling windows do not overlap when the stride equals the window: "
            "$\\lfloor (n - k)/k \\rfloor + 1$, dropping the incomplete window at the edge.",
            rel_tol=1e-9,
        ),
        Numeric(
            skill="convolution-arithmetic",
            prompt="How many pixels wide is the receptive field of a unit after {L} stacked "
            "{k} x {k} convolutions with stride 1?",
            make=_receptive,
            explanation="Each layer adds $k - 1$ pixels to the view: $1 + L(k - 1)$. Two 3x3 "
            "layers see 5x5 with fewer weights than one 5x5.",
            rel_tol=1e-9,
        ),
        Numeric(
            skill="cnn",
            prompt="A convolutional layer maps {cin} input channels to {cout} output channels "
            "with {k} x {k} kernels and one bias per output channel. How many parameters does "
            "it have?",
            make=_conv_params,
            explanation="Each output channel has a $c_{in} \\times k \\times k$ kernel and one "
            "bias: $c_{out}(c_{in} k^2 + 1)$, independent of the image size.",
            rel_tol=1e-9,
        ),
        Choice(
            skill="cnn",
            prompt="What property does a convolutional layer (without pooling or stride) have "
            "that a dense layer lacks?",
            options=["It is invariant to rotations",
                     "It is equivariant to translations: shifting the input shifts the output",
                     "It needs no backpropagation", "It is invariant to scaling"],
            answer=1,
            why_not={0: "Rotating an image changes a convolution's output in general; rotation "
                        "invariance must be learned or built in separately.",
                     2: "It is trained by backpropagation like any layer.",
                     3: "A feature at twice the size excites different kernels."},
            explanation="The same kernel slides over every position (weight sharing), so a "
            "pattern is detected wherever it appears.",
        ),
        Choice(
            skill="cnn",
            prompt="Why is a dense layer a poor first layer for 224 x 224 colour images?",
            options=["Dense layers cannot take images",
                     "It needs a weight per pixel per unit (about 150 000 each) and ignores "
                     "that nearby pixels belong together",
                     "It cannot be trained with Adam", "It is non-linear"],
            answer=1,
            why_not={0: "It can, after flattening; it is just wasteful.",
                     2: "Any differentiable layer can be trained with Adam.",
                     3: "A dense layer is linear before its activation, like a convolution."},
            explanation="Convolutions use small shared kernels: far fewer parameters, and a "
            "built-in assumption of locality that images reward.",
        ),
    ],
)
