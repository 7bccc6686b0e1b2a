"""Quiz: what a loss measures, its gradient, and the linear models trained with it."""

import math

from deepcareer.mentor.quiz import Choice, Numeric, Quiz, distinct


def _pairs(rng):
    y = [int(v) for v in rng.integers(0, 6, size=3)]
    while True:
        p = [int(v) for v in rng.integers(0, 6, size=3)]
        if p != y:
            return y, p


def _mse(rng):
    y, p = _pairs(rng)
    d = [a - b for a, b in zip(p, y)]
    mse = sum(v * v for v in d) / 3
    return {"y": y, "p": p}, mse, distinct(mse, {
        "summing the squared errors instead of averaging": float(sum(v * v for v in d)),
        "squaring the mean error instead of averaging the squares": (sum(d) / 3) ** 2,
        "averaging the absolute errors": sum(abs(v) for v in d) / 3})


def _mse_grad(rng):
    n = int(rng.integers(4, 11))
    y = round(float(rng.uniform(-2, 2)), 1)
    p = round(y + float(rng.choice([-1, 1])) * round(float(rng.uniform(0.2, 2)), 1), 1)
    g = 2 * (p - y) / n
    return {"n": n, "y": y, "p": p}, g, distinct(g, {
        "forgetting the $1/n$ of the mean": 2 * (p - y),
        "forgetting the factor 2 from the square": (p - y) / n,
        "differentiating $y - \\hat y$ with the wrong sign": -g})


def _softmax(z):
    m = max(z)
    e = [math.exp(v - m) for v in z]
    return [v / sum(e) for v in e]


def _ce(rng):
    p = round(float(rng.uniform(0.05, 0.95)), 2)
    return {"p": p}, -math.log(p), distinct(-math.log(p), {
        "using the base-10 logarithm": -math.log10(p),
        "using the base-2 logarithm (bits, not nats)": -math.log2(p),
        "taking $1 - p$ as the loss": 1 - p})


def _ce_grad(rng):
    z = [int(v) for v in rng.integers(-2, 4, size=3)]
    p = _softmax(z)
    return {"z": z}, p[0] - 1, distinct(p[0] - 1, {
        "forgetting to subtract the one-hot label": p[0],
        "the gradient with respect to the probability, $-1/p$, not the logit": -1 / p[0],
        "subtracting the label with the wrong sign, $1 - p$": 1 - p[0]})


def _sum_lr(rng):
    eta = float(rng.choice([0.1, 0.05, 0.2, 0.5]))
    b = int(rng.choice([16, 32, 64, 128]))
    return {"eta": eta, "b": b}, eta / b, distinct(eta / b, {
        "multiplying by the batch size instead of dividing": eta * b,
        "keeping the same learning rate": eta})


def _slope(rng):
    while True:
        x = sorted(int(v) for v in rng.choice(range(0, 9), size=3, replace=False))
        y = [int(v) for v in rng.integers(-3, 8, size=3)]
        mx, my = sum(x) / 3, sum(y) / 3
        sxx = sum((a - mx) ** 2 for a in x)
        syy = sum((b - my) ** 2 for b in y)
        if syy > 0:
            break
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    return {"x": x, "y": y}, sxy / sxx, distinct(sxy / sxx, {
        "dividing the covariance by the variance of $y$ instead of $x$": sxy / syy,
        "joining the first and last points": (y[2] - y[0]) / (x[2] - x[0]),
        "the ratio of the means": my / mx if mx else math.inf})


def _softmax_params(rng):
    d = int(rng.integers(3, 30))
    k = int(rng.integers(3, 11))
    n = k * (d + 1)
    return {"d": d, "k": k}, float(n), distinct(float(n), {
        "forgetting the biases": float(k * d),
        "one weight vector as in binary logistic regression": float(d + 1),
        "one bias in total rather than one per class": float(k * d + 1)})


QUIZ = Quiz(
    id="losses",
    title="Losses, their gradients and linear models",
    skills=["cost-functions", "mse-cost", "cross-entropy", "linear-regression",
            "softmax-regression"],
    questions=[
        Numeric(
            skill="mse-cost",
            prompt="Targets $y = {y}$, predictions $\\hat y = {p}$. What is the mean squared "
            "error?",
            make=_mse,
            explanation="$\\frac{1}{n}\\sum_i (\\hat y_i - y_i)^2$: square each error, then "
            "average.",
        ),
        Numeric(
            skill="mse-cost",
            prompt="The loss is the mean squared error over a batch of {n} examples. One example "
            "has target {y} and prediction {p}. What is $\\partial L / \\partial \\hat y$ for that "
            "example?",
            make=_mse_grad,
            explanation="$L = \\frac{1}{n}\\sum_i (\\hat y_i - y_i)^2$, so "
            "$\\partial L / \\partial \\hat y_i = 2(\\hat y_i - y_i)/n$.",
        ),
        Choice(
            skill="mse-cost",
            prompt="Why is the squared error a poor loss for a sigmoid classifier?",
            options=["It cannot be computed for labels 0 and 1",
                     "Its gradient carries the sigmoid's slope, so a confidently wrong, "
                     "saturated unit learns very slowly",
                     "It always has a closed-form minimum", "It is not differentiable"],
            answer=1,
            why_not={0: "It can: $(\\sigma(z) - y)^2$ is defined for any label.",
                     2: "With a sigmoid inside there is no closed form; and that would not be "
                        "a flaw.",
                     3: "It is smooth."},
            explanation="$\\partial/\\partial z$ of $(\\sigma(z) - y)^2$ has a factor "
            "$\\sigma'(z)$, near 0 when saturated; cross-entropy cancels it and keeps "
            "$\\sigma(z) - y$.",
        ),
        Numeric(
            skill="cross-entropy",
            prompt="A classifier gives the true class probability {p}. What is the "
            "cross-entropy loss for this example (natural logarithm)?",
            make=_ce,
            explanation="Cross-entropy with a one-hot label is $-\\ln p_{\\text{true}}$.",
        ),
        Numeric(
            skill="cross-entropy",
            prompt="Logits {z}; the true class is the first one. What is the gradient of the "
            "softmax cross-entropy with respect to the FIRST logit?",
            make=_ce_grad,
            explanation="For softmax followed by cross-entropy, $\\partial L/\\partial z = p - y$ "
            "with $y$ one-hot: the probability minus 1 for the true class.",
        ),
        Choice(
            skill="cross-entropy",
            prompt="A model gives probability exactly 0 to the true class of one training "
            "example. What is that example's cross-entropy?",
            options=["0", "1", "Infinite", "Undefined, so it is skipped"],
            answer=2,
            why_not={0: "Zero loss means probability 1 for the true class, the opposite case.",
                     1: "Cross-entropy is not bounded by 1; it grows without limit as $p \\to 0$.",
                     3: "Frameworks do not skip it: the loss becomes inf or nan and spreads."},
            explanation="$-\\ln 0 = \\infty$: one reason to compute from logits and clip or "
            "smooth probabilities.",
        ),
        Choice(
            skill="cost-functions",
            prompt="Why is a batch loss usually the MEAN of the example losses rather than "
            "their sum?",
            options=["The mean has a smaller minimum",
                     "The gradient's size then does not depend on the batch size, so one "
                     "learning rate works across batch sizes",
                     "The sum cannot be differentiated", "The mean is always convex"],
            answer=1,
            why_not={0: "Mean and sum have their minimum at the same parameters.",
                     2: "Sums are differentiable.",
                     3: "Convexity depends on the model, not on how you reduce the batch."},
            explanation="Averaging divides the gradient by the batch size; with a sum, doubling "
            "the batch doubles the step.",
        ),
        Numeric(
            skill="cost-functions",
            prompt="A model trains well with learning rate {eta} when the loss is the mean over "
            "a batch of {b}. You switch the loss to the SUM over the batch. Which learning rate "
            "takes the same steps?",
            make=_sum_lr,
            explanation="The summed loss's gradient is $b$ times the mean's, so the learning "
            "rate must be divided by $b$.",
            rel_tol=1e-6,
        ),
        Numeric(
            skill="linear-regression",
            prompt="Fit $y = a x + c$ by least squares to the points $x = {x}$, $y = {y}$. What "
            "is the slope $a$?",
            make=_slope,
            explanation="$a = \\sum_i (x_i - \\bar x)(y_i - \\bar y) / \\sum_i (x_i - \\bar x)^2$: "
            "covariance over the variance of $x$.",
        ),
        Choice(
            skill="linear-regression",
            prompt="The normal equations give $w = (X^\\top X)^{-1} X^\\top y$. When does this "
            "formula fail?",
            options=["When there are more rows than columns",
                     "When two features are exactly collinear, so $X^\\top X$ is singular",
                     "When $y$ has negative values", "When the features are standardised"],
            answer=1,
            why_not={0: "More rows than columns is the usual, well-posed case.",
                     2: "The sign of the targets does not matter.",
                     3: "Standardising helps conditioning; it never causes the failure."},
            explanation="Collinear columns (or more columns than rows) leave $X^\\top X$ "
            "without an inverse: use a least-squares solver, a pseudo-inverse or ridge.",
        ),
        Numeric(
            skill="softmax-regression",
            prompt="Softmax regression with {d} input features and {k} classes (a weight vector "
            "and a bias per class). How many parameters does it have?",
            make=_softmax_params,
            explanation="A $k \\times d$ weight matrix plus $k$ biases: $k(d + 1)$.",
            rel_tol=1e-9,
        ),
        Choice(
            skill="softmax-regression",
            prompt="How does softmax regression with two classes relate to logistic "
            "regression?",
            options=["They are different models with different decision boundaries",
                     "They are the same model: only the difference of the two weight vectors "
                     "matters, and the softmax of two logits is a sigmoid of their difference",
                     "Softmax regression needs a hidden layer",
                     "Logistic regression is the three-class case"],
            answer=1,
            why_not={0: "Both draw a linear boundary, and it is the same one.",
                     2: "Neither has a hidden layer.",
                     3: "Logistic regression is the two-class case."},
            explanation="$e^{z_1}/(e^{z_1} + e^{z_2}) = \\sigma(z_1 - z_2)$: two-class softmax "
            "is over-parameterised logistic regression.",
        ),
    ],
)
