"""Quiz: shapes, floating point and the activation functions every network is built from."""

import math

from deepcareer.mentor.quiz import Choice, Numeric, Quiz, distinct


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def _broadcast_size(rng):
    n, m = (int(v) for v in rng.integers(2, 9, size=2))
    return {"n": n, "m": m}, float(n * m), distinct(float(n * m), {
        "expecting an element-wise result the size of the longer array": float(max(n, m)),
        "adding the lengths instead of pairing every row with every column": float(n + m)})


def _logsumexp(rng):
    a = int(rng.integers(700, 900))
    d = int(rng.integers(1, 5))
    exact = a + math.log1p(math.exp(-d))
    return {"a": a, "b": a - d}, exact, {
        "keeping only the largest logit": float(a),
        "subtracting the maximum and forgetting to add it back": math.log1p(math.exp(-d))}


def _sigmoid_grad(rng):
    z = float(rng.choice([-1, 1])) * round(float(rng.uniform(0.3, 2.5)), 2)
    s = _sigmoid(z)
    return {"z": z}, s * (1 - s), distinct(s * (1 - s), {
        "using the sigmoid's value instead of its slope": s,
        "applying $s(1-s)$ to the input $z$ instead of to $\\sigma(z)$": z * (1 - z),
        "using the tanh rule $1 - s^2$": 1 - s * s})


def _tanh_grad(rng):
    x = round(float(rng.uniform(0.2, 2.0)), 2)
    t = math.tanh(x)
    return {"x": x}, 1 - t * t, {
        "forgetting to square: $1 - \\tanh x$": 1 - t,
        "using the sigmoid rule $t(1-t)$": t * (1 - t)}


def _relu_backward(rng):
    while True:
        z = [int(v) for v in rng.choice([-4, -3, -2, -1, 1, 2, 3, 4], size=5)]
        active = sum(v > 0 for v in z)
        if 0 < active < 5 and sum(max(v, 0) for v in z) != active:
            break
    g = round(float(rng.uniform(0.5, 2.0)), 1)
    return {"z": z, "g": g}, round(g * active, 6), {
        "passing the gradient through every unit": g * len(z),
        "multiplying by $\\mathrm{ReLU}(z)$ instead of its derivative":
            g * sum(max(v, 0) for v in z)}


def _softmax_first(rng):
    logits = [int(v) for v in rng.integers(1, 5, size=3)]
    while len(set(logits)) == 1:
        logits = [int(v) for v in rng.integers(1, 5, size=3)]
    exps = [math.exp(v) for v in logits]
    return {"l": logits}, exps[0] / sum(exps), {
        "dividing the logits by their sum without exponentiating": logits[0] / sum(logits),
        "a sigmoid of the first logit alone": _sigmoid(logits[0])}


def _perceptron_step(rng):
    while True:  # the unit must really answer 0: w . x < 0
        w = [round(float(v), 1) for v in rng.uniform(-1, 1, size=2)]
        x = [int(v) for v in rng.integers(1, 4, size=2)]
        if w[0] * x[0] + w[1] * x[1] < 0:
            break
    eta = float(rng.choice([0.1, 0.2, 0.5]))
    new = round(w[0] + eta * x[0], 6)
    return {"w": w, "x": x, "eta": eta}, new, distinct(new, {
        "moving the weight away from the input (the sign flipped)": w[0] - eta * x[0],
        "leaving out the learning rate": w[0] + x[0]})


QUIZ = Quiz(
    id="fundamentals",
    title="Shapes, floating point and activation functions",
    skills=["broadcasting", "numerical-stability", "sigmoid-units", "tanh", "relu", "softmax",
            "perceptron"],
    questions=[
        Numeric(
            skill="broadcasting",
            prompt="`x` has shape ({n}, 1) and `y` has shape ({m},). How many elements does "
            "`x - y` have?",
            make=_broadcast_size,
            explanation="Shapes are compared from the right: (n, 1) against (1, m) stretches "
            "both sizes-1 axes, giving an (n, m) array with $n m$ elements.",
            rel_tol=1e-9,
        ),
        Choice(
            skill="broadcasting",
            prompt="Which pair of shapes can NOT be added with NumPy broadcasting?",
            options=["(5, 3) and (3,)", "(5, 3) and (5,)", "(5, 3) and (5, 1)",
                     "(4, 1, 3) and (2, 1)"],
            answer=1,
            why_not={0: "(3,) lines up with the last axis, 3 against 3: it works.",
                     2: "The size-1 axis stretches to 3: it works.",
                     3: "From the right: 3 vs 1, 1 vs 2, 4 vs nothing: shape (4, 2, 3)."},
            explanation="Trailing axes are matched first: (5,) meets the axis of size 3, and "
            "5 and 3 are neither equal nor 1. Reshape to (5, 1) to mean 'one value per row'.",
        ),
        Numeric(
            skill="numerical-stability",
            prompt="Compute $\\log(e^{{a}} + e^{{b}})$ for $a = {a}$ and $b = {b}$ (give four "
            "decimals; $e^{{a}}$ itself overflows a float64).",
            make=_logsumexp,
            explanation="Factor out the maximum: $\\log(e^a + e^b) = m + \\log(e^{a-m} + "
            "e^{b-m})$ with $m = \\max(a, b)$; the exponentials are then at most 1.",
            rel_tol=1e-6,
        ),
        Choice(
            skill="numerical-stability",
            prompt="Why do frameworks compute the cross-entropy from logits (log-softmax) rather "
            "than as $-\\log$ of a softmax output?",
            options=["It is faster but gives the same numbers",
                     "A softmax probability can round to 0 in floating point, and its log is "
                     "then $-\\infty$; log-softmax stays finite",
                     "Logits are easier to interpret than probabilities",
                     "The softmax is not differentiable"],
            answer=1,
            why_not={0: "The numbers differ exactly when it matters: tiny probabilities "
                        "underflow before the log is taken.",
                     2: "Interpretability has nothing to do with how the loss is computed.",
                     3: "The softmax is smooth everywhere."},
            explanation="$\\log \\mathrm{softmax}(z)_i = z_i - \\log\\sum_j e^{z_j}$ with the "
            "log-sum-exp trick never forms the tiny probability, so it cannot underflow.",
        ),
        Numeric(
            skill="sigmoid-units",
            prompt="What is the derivative of the sigmoid $\\sigma(z) = 1/(1 + e^{{-z}})$ at "
            "$z = {z}$?",
            make=_sigmoid_grad,
            explanation="$\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$: evaluate the sigmoid first, "
            "then apply the rule to that value.",
        ),
        Choice(
            skill="sigmoid-units",
            prompt="A sigmoid unit's pre-activation is $z = 12$. What happens to the gradient "
            "that flows back through it?",
            options=["It is about 0.5, the sigmoid's steepest slope",
                     "It is nearly zero: the unit is saturated",
                     "It is exactly 1 because the output is close to 1",
                     "It is negative because the output is above 0.5"],
            answer=1,
            why_not={0: "0.25 (not 0.5) is the steepest slope, and it is reached at $z = 0$, "
                        "not at 12.",
                     2: "The output being near 1 makes $\\sigma(1 - \\sigma)$ near 0, not 1.",
                     3: "The sigmoid is increasing, so its slope is never negative."},
            explanation="$\\sigma(12)(1 - \\sigma(12)) \\approx 6 \\times 10^{-6}$: saturated "
            "units barely learn, one reason hidden layers moved to ReLU.",
        ),
        Numeric(
            skill="tanh",
            prompt="What is the derivative of $\\tanh$ at $x = {x}$?",
            make=_tanh_grad,
            explanation="$\\frac{d}{dx}\\tanh x = 1 - \\tanh^2 x$.",
        ),
        Choice(
            skill="tanh",
            prompt="How is $\\tanh$ related to the sigmoid $\\sigma$?",
            options=["$\\tanh(x) = 2\\sigma(2x) - 1$", "$\\tanh(x) = \\sigma(x) - 0.5$",
                     "$\\tanh(x) = \\sigma(x)^2$", "They are unrelated functions"],
            answer=0,
            why_not={1: "That ranges over (-0.5, 0.5) with slope 0.25 at 0; tanh ranges over "
                        "(-1, 1) with slope 1 at 0.",
                     2: "A square of a sigmoid is never negative, and tanh is.",
                     3: "Both are built from $e^{-x}$; tanh is a rescaled, shifted sigmoid."},
            explanation="Stretching the input by 2 and the output by 2, then shifting down by 1 "
            "turns the sigmoid into tanh: a zero-centred version of the same curve.",
        ),
        Numeric(
            skill="relu",
            prompt="A ReLU layer receives pre-activations $z = {z}$ and the upstream gradient is "
            "{g} for every unit. What is the sum of $\\partial L / \\partial z$ over the units?",
            make=_relu_backward,
            explanation="The ReLU's derivative is 1 where $z > 0$ and 0 elsewhere, so the "
            "gradient passes only through the active units.",
        ),
        Choice(
            skill="relu",
            prompt="After a large update, a ReLU unit's pre-activation is negative for every "
            "training example. What follows?",
            options=["It recovers on its own at the next step",
                     "Its gradient is zero for all inputs, so its weights stop changing: a dead "
                     "unit",
                     "It behaves like a linear unit", "It outputs negative values"],
            answer=1,
            why_not={0: "With zero gradient, gradient descent has nothing to move it with.",
                     2: "A ReLU is linear only on the positive side; here it is always on the "
                        "flat side.",
                     3: "ReLU clips at 0; it never outputs a negative value."},
            explanation="A dead ReLU outputs 0 and passes back 0. Smaller learning rates, "
            "careful initialisation or a leaky ReLU keep units alive.",
        ),
        Numeric(
            skill="softmax",
            prompt="The logits of three classes are {l}. What softmax probability does the first "
            "class get?",
            make=_softmax_first,
            explanation="$p_i = e^{z_i} / \\sum_j e^{z_j}$: exponentiate, then normalise.",
        ),
        Choice(
            skill="softmax",
            prompt="You add 100 to every logit before the softmax. What changes?",
            options=["Nothing: the probabilities are the same",
                     "The largest class gets probability close to 1",
                     "All probabilities grow by the same amount",
                     "The probabilities become uniform"],
            answer=0,
            why_not={1: "That happens when you MULTIPLY the logits by a large number.",
                     2: "They still sum to 1, so they cannot all grow.",
                     3: "Uniform probabilities come from equal logits, not shifted ones."},
            explanation="$e^{z_i + c} / \\sum_j e^{z_j + c} = e^{z_i}/\\sum_j e^{z_j}$: the "
            "shift cancels, which is exactly why subtracting the maximum is safe.",
        ),
        Numeric(
            skill="perceptron",
            prompt="A perceptron with weights $w = {w}$ misclassifies the input $x = {x}$, whose "
            "label is 1, as 0. The learning rate is {eta}. What is the first weight after the "
            "perceptron update?",
            make=_perceptron_step,
            explanation="The rule is $w \\leftarrow w + \\eta (y - \\hat y) x$; here "
            "$y - \\hat y = 1$, so the weights move towards the input.",
        ),
        Choice(
            skill="perceptron",
            prompt="When is the perceptron learning rule guaranteed to stop making mistakes on "
            "the training set?",
            options=["Always, given enough epochs",
                     "When the two classes can be separated by a hyperplane",
                     "When the learning rate is small enough",
                     "Never: it is a heuristic"],
            answer=1,
            why_not={0: "On XOR-like data it cycles forever.",
                     2: "Starting from zero weights, the learning rate only rescales them; it "
                        "does not decide whether the rule converges.",
                     3: "Novikoff's theorem bounds the number of mistakes for separable data."},
            explanation="For linearly separable data the number of updates is bounded; "
            "otherwise the rule never settles, which is why hidden layers were needed.",
        ),
    ],
)
