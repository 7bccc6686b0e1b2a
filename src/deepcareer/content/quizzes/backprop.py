"""Quiz: the chain rule, backpropagation, automatic differentiation and network set-up."""

import math

from deepcareer.mentor.quiz import Choice, Numeric, Quiz, distinct


def _chain_square(rng):
    a, b = (int(v) for v in rng.integers(2, 6, size=2))
    x = int(rng.integers(1, 4))
    d = 2 * (a * x + b) * a
    return {"a": a, "b": b, "x": x}, float(d), distinct(d, {
        "forgetting the inner derivative $a$": 2 * (a * x + b),
        "differentiating only the inside": a,
        "squaring the derivative of the inside": 2 * a * a * x})


def _chain_sin(rng):
    x = round(float(rng.uniform(0.3, 1.5)), 2)
    d = math.cos(x * x) * 2 * x
    return {"x": x}, d, distinct(d, {
        "forgetting the inner derivative $2x$": math.cos(x * x),
        "plugging the inner derivative into the outer one, $\\cos(2x)$": math.cos(2 * x)})


def _wg(rng):
    while True:
        w = [[int(v) for v in rng.integers(-3, 4, size=2)] for _ in range(2)]
        g = [int(v) for v in rng.integers(-2, 3, size=2)]
        right = w[0][0] * g[0] + w[1][0] * g[1]
        wrong = w[0][0] * g[0] + w[0][1] * g[1]
        if right != wrong:
            return w, g, right, wrong


def _linear_dx(rng):
    w, g, right, wrong = _wg(rng)
    return {"w": w, "g": g}, float(right), distinct(right, {
        "multiplying by $W$ instead of its transpose": wrong})


def _linear_dw(rng):
    while True:
        g = [int(v) for v in rng.integers(-3, 4, size=2)]
        x = [int(v) for v in rng.integers(-3, 4, size=3)]
        if g[0] * x[1] != g[1] * x[0] and g[0] * x[1] != 0:
            break
    return {"g": g, "x": x}, float(g[0] * x[1]), distinct(g[0] * x[1], {
        "swapping the indices, $g_j x_i$": g[1] * x[0],
        "summing over the upstream gradient": sum(g) * x[1]})


def _accumulate(rng):
    x, y = (int(v) for v in rng.integers(2, 7, size=2))
    return {"x": x, "y": y}, float(y + 1), distinct(y + 1, {
        "keeping only the product's path (overwriting, not adding)": y,
        "keeping only the direct path (overwriting, not adding)": 1})


def _central(rng):
    x = int(rng.integers(1, 4))
    h = float(rng.choice([0.1, 0.2]))
    c = ((x + h) ** 3 - (x - h) ** 3) / (2 * h)
    return {"x": x, "h": h}, c, distinct(c, {
        "the one-sided difference $(f(x + h) - f(x))/h$": ((x + h) ** 3 - x ** 3) / h,
        "dividing by $h$ instead of $2h$": 2 * c}, rel_tol=2e-3)


def _mlp_params(rng):
    d, h, k = (int(v) for v in rng.integers(3, 40, size=3))
    n = d * h + h + h * k + k
    return {"d": d, "h": h, "k": k}, float(n), distinct(n, {
        "forgetting the biases": d * h + h * k,
        "counting units instead of weights": d + h + k,
        "giving every input a bias as well": (d + 1) * h + (h + 1) * k + d})


def _he_std(rng):
    n = int(rng.choice([64, 128, 256, 300, 512, 784, 1024]))
    s = math.sqrt(2 / n)
    return {"n": n}, s, distinct(s, {
        "Xavier's $\\sqrt{1/n}$ for a tanh layer": math.sqrt(1 / n),
        "the variance $2/n$ instead of the standard deviation": 2 / n})


def _xavier_limit(rng):
    fan_in, fan_out = (int(v) for v in rng.integers(50, 400, size=2))
    lim = math.sqrt(6 / (fan_in + fan_out))
    return {"i": fan_in, "o": fan_out}, lim, distinct(lim, {
        "the normal distribution's standard deviation $\\sqrt{2/(n_i + n_o)}$":
            math.sqrt(2 / (fan_in + fan_out)),
        "forgetting the square root": 6 / (fan_in + fan_out),
        "using only the fan-in, $\\sqrt{6/n_i}$": math.sqrt(6 / fan_in)})


QUIZ = Quiz(
    id="backprop",
    title="Chain rule, backpropagation and network set-up",
    skills=["chain-rule", "backpropagation", "autodiff", "gradient-checking", "mlp",
            "weight-init"],
    questions=[
        Numeric(
            skill="chain-rule",
            prompt="$y = (a x + b)^2$ with $a = {a}$, $b = {b}$. What is $dy/dx$ at $x = {x}$?",
            make=_chain_square,
            explanation="Outer derivative times inner derivative: $2(ax + b) \\cdot a$.",
        ),
        Numeric(
            skill="chain-rule",
            prompt="What is the derivative of $\\sin(x^2)$ at $x = {x}$?",
            make=_chain_sin,
            explanation="$\\frac{d}{dx}\\sin(u) = \\cos(u) \\frac{du}{dx}$ with $u = x^2$: "
            "$\\cos(x^2) \\cdot 2x$.",
        ),
        Numeric(
            skill="backpropagation",
            prompt="A linear layer computes $y = W x$ with $W = {w}$ (rows are outputs). The "
            "upstream gradient is $\\partial L/\\partial y = {g}$. What is the first component "
            "of $\\partial L/\\partial x$?",
            make=_linear_dx,
            explanation="$\\partial L/\\partial x = W^\\top \\partial L/\\partial y$: each input "
            "collects the gradient of every output it feeds, through the column of $W$.",
        ),
        Numeric(
            skill="backpropagation",
            prompt="A linear layer computes $y = W x$ with input $x = {x}$ and upstream gradient "
            "$\\partial L/\\partial y = {g}$. What is $\\partial L / \\partial W$ in row 1, "
            "column 2 (counting from 1)?",
            make=_linear_dw,
            explanation="$\\partial L/\\partial W = g x^\\top$, so entry $(i, j)$ is "
            "$g_i x_j$: the output's gradient times the input that weight multiplied.",
        ),
        Choice(
            skill="backpropagation",
            prompt="A network has a million weights. Why is backpropagation preferred to "
            "finite differences for training?",
            options=["Finite differences give the wrong sign",
                     "One backward pass gives all million partial derivatives for about the "
                     "cost of a forward pass; finite differences need a forward pass per weight",
                     "Backpropagation needs no forward pass",
                     "Finite differences only work for convex losses"],
            answer=1,
            why_not={0: "They give a good estimate, just slowly and with rounding error.",
                     2: "Backpropagation reuses the values stored by the forward pass.",
                     3: "They estimate derivatives of any smooth function."},
            explanation="Reverse mode costs a small multiple of the forward pass whatever the "
            "number of parameters, so finite differences are kept for checking only.",
        ),
        Numeric(
            skill="autodiff",
            prompt="A computation graph computes $f = x y + x$ with $x = {x}$ and $y = {y}$. "
            "What gradient should reach $x$ after the backward pass?",
            make=_accumulate,
            explanation="$x$ feeds two nodes, so the gradients from both paths ADD: "
            "$\\partial f/\\partial x = y + 1$.",
            rel_tol=1e-9,
        ),
        Choice(
            skill="autodiff",
            prompt="In reverse-mode autodiff, why must nodes be visited in reverse topological "
            "order?",
            options=["To save memory",
                     "A node may pass its gradient on only after every node that uses it has "
                     "added its contribution",
                     "Because the forward pass ran in random order",
                     "It does not matter; any order gives the same gradients"],
            answer=1,
            why_not={0: "The order is about correctness, not memory.",
                     2: "The forward pass also follows a topological order.",
                     3: "If a node propagates early, later contributions never reach its "
                        "inputs."},
            explanation="A node's gradient is a sum over its consumers; processing consumers "
            "first guarantees the sum is complete.",
        ),
        Numeric(
            skill="gradient-checking",
            prompt="Estimate the derivative of $f(x) = x^3$ at $x = {x}$ with the central "
            "difference and $h = {h}$ (the estimate, not the exact derivative).",
            make=_central,
            explanation="$(f(x + h) - f(x - h)) / 2h = 3x^2 + h^2$ for a cubic: the error is "
            "of order $h^2$, against order $h$ for a one-sided difference.",
            rel_tol=1e-3,
        ),
        Choice(
            skill="gradient-checking",
            prompt="A gradient check in float64 reports a relative error of $10^{-2}$ between "
            "your analytic gradient and the central difference. What do you conclude?",
            options=["All is well: 1 % is close",
                     "There is very likely a bug in the analytic gradient",
                     "The step $h$ is too small, nothing more",
                     "Float64 cannot do better"],
            answer=1,
            why_not={0: "With central differences in float64 a correct gradient agrees to "
                        "about $10^{-7}$ or better.",
                     2: "A too-small $h$ gives rounding noise, seldom a steady 1 % gap.",
                     3: "Float64 has about 16 significant digits."},
            explanation="Relative errors near $10^{-7}$ and below are fine; $10^{-2}$ points to "
            "a wrong formula (a missing factor, a transpose, a sign).",
        ),
        Numeric(
            skill="mlp",
            prompt="A network has {d} inputs, one hidden layer of {h} units and {k} outputs, "
            "every layer with biases. How many parameters does it have?",
            make=_mlp_params,
            explanation="Each dense layer has (inputs x outputs) weights plus one bias per "
            "output: $dh + h + hk + k$.",
            rel_tol=1e-9,
        ),
        Choice(
            skill="mlp",
            prompt="You stack five dense layers without any activation function between them. "
            "What can the network represent?",
            options=["Anything a five-layer network with ReLUs can",
                     "Only linear (affine) functions of the input",
                     "Only functions with five bends", "Only classifications"],
            answer=1,
            why_not={0: "Without non-linearities the layers collapse into one.",
                     2: "Bends come from non-linear activations, and there are none.",
                     3: "It can regress as well; it is just linear."},
            explanation="$W_5 \\cdots W_1 x$ is one matrix times $x$: depth only adds power "
            "with a non-linearity between layers.",
        ),
        Numeric(
            skill="weight-init",
            prompt="He (Kaiming) initialisation for a ReLU layer with fan-in {n}: what standard "
            "deviation should the normal distribution of the weights have?",
            make=_he_std,
            explanation="He's rule keeps the variance of ReLU activations constant: "
            "$\\mathrm{Var}(w) = 2/n_{\\text{in}}$, so the standard deviation is "
            "$\\sqrt{2/n_{\\text{in}}}$.",
        ),
        Numeric(
            skill="weight-init",
            prompt="Xavier (Glorot) uniform initialisation of a layer with fan-in {i} and "
            "fan-out {o} draws from $U(-a, a)$. What is $a$?",
            make=_xavier_limit,
            explanation="Glorot asks $\\mathrm{Var}(w) = 2/(n_i + n_o)$; a uniform on "
            "$(-a, a)$ has variance $a^2/3$, so $a = \\sqrt{6/(n_i + n_o)}$.",
        ),
        Choice(
            skill="weight-init",
            prompt="What goes wrong if every weight of a hidden layer starts at 0 (or at the "
            "same value)?",
            options=["Nothing: training moves them apart",
                     "Every hidden unit computes and learns the same thing, so the layer acts "
                     "like one unit",
                     "The loss is infinite", "The biases cannot learn"],
            answer=1,
            why_not={0: "Identical units receive identical gradients, so they stay identical.",
                     2: "The loss is finite; the network is just symmetric.",
                     3: "Biases do learn, but identically for every unit too."},
            explanation="Random initialisation breaks the symmetry between units; its scale "
            "(Xavier, He) keeps signals from vanishing or exploding.",
        ),
    ],
)
