"""Quiz: penalties, dropout, batch normalisation and the bias-variance trade-off."""

import math

from deepcareer.mentor.quiz import Choice, Numeric, Quiz, distinct


def _l2_grad(rng):
    w = float(rng.choice([-1, 1])) * round(float(rng.uniform(0.2, 3.0)), 1)
    while abs(abs(w) - 1) < 0.05:
        w = round(w * 1.7, 1)
    lam = float(rng.choice([0.01, 0.1, 0.5]))
    return {"w": w, "lam": lam}, lam * w, distinct(lam * w, {
        "forgetting the one-half, as if the penalty were $\\lambda w^2$": 2 * lam * w,
        "the L1 gradient $\\lambda \\operatorname{sign}(w)$": lam * math.copysign(1, w)})


def _decay_step(rng):
    w = round(float(rng.uniform(0.5, 3.0)), 1)
    g = round(float(rng.uniform(-1, 1)), 1)
    eta = float(rng.choice([0.1, 0.05]))
    lam = float(rng.choice([0.1, 0.01, 0.5]))
    new = w - eta * (g + lam * w)
    return {"w": w, "g": g, "eta": eta, "lam": lam}, new, distinct(new, {
        "decaying without the learning rate": w - eta * g - lam * w,
        "adding the decay instead of subtracting it": w - eta * (g - lam * w)}, rel_tol=1e-3)


def _inverted_dropout(rng):
    keep = float(rng.choice([0.5, 0.6, 0.75, 0.8, 0.9]))
    a = round(float(rng.uniform(0.5, 4.0)), 1)
    return {"keep": keep, "a": a}, a / keep, distinct(a / keep, {
        "dividing by the drop rate instead of the keep rate": a / (1 - keep),
        "forgetting to rescale": a,
        "multiplying by the keep rate (the old test-time rule)": a * keep})


def _batchnorm(rng):
    while True:
        xs = [int(v) for v in rng.integers(0, 10, size=4)]
        if len(set(xs)) > 2:
            break
    mean = sum(xs) / 4
    var = sum((x - mean) ** 2 for x in xs) / 4
    z = (xs[0] - mean) / math.sqrt(var)
    return {"xs": xs}, z, distinct(z, {
        "the unbiased variance (dividing by $n - 1$)":
            (xs[0] - mean) / math.sqrt(var * 4 / 3),
        "dividing by the variance instead of the standard deviation": (xs[0] - mean) / var})


def _running_mean(rng):
    r = round(float(rng.uniform(-1, 1)), 2)
    b = round(float(rng.uniform(1, 4)), 2)
    m = float(rng.choice([0.1, 0.01, 0.2]))
    new = (1 - m) * r + m * b
    return {"r": r, "b": b, "m": m}, new, distinct(new, {
        "swapping the weights of the old and new statistics": m * r + (1 - m) * b,
        "replacing the running mean with the batch mean": b}, rel_tol=1e-3)


def _decomposition(rng):
    bias = round(float(rng.uniform(0.1, 1.5)), 1)
    var = round(float(rng.uniform(0.1, 1.0)), 2)
    noise = round(float(rng.uniform(0.05, 0.5)), 2)
    total = bias ** 2 + var + noise
    return {"b": bias, "v": var, "s": noise}, total, distinct(total, {
        "adding the bias without squaring it": bias + var + noise,
        "forgetting the irreducible noise": bias ** 2 + var}, rel_tol=1e-3)


QUIZ = Quiz(
    id="regularization",
    title="Regularisation, dropout, batch normalisation and bias-variance",
    skills=["regularization", "dropout", "batch-norm", "bias-variance"],
    questions=[
        Numeric(
            skill="regularization",
            prompt="The loss has an L2 penalty $\\frac{{\\lambda}}{{2}} w^2$ with "
            "$\\lambda = {lam}$. What does the penalty add to $\\partial L / \\partial w$ at "
            "$w = {w}$?",
            make=_l2_grad,
            explanation="$\\frac{d}{dw} \\frac{\\lambda}{2} w^2 = \\lambda w$: the one-half is "
            "there to cancel the 2.",
        ),
        Numeric(
            skill="regularization",
            prompt="SGD with weight decay: $w \\leftarrow w - \\eta (g + \\lambda w)$. With "
            "$w = {w}$, $g = {g}$, $\\eta = {eta}$, $\\lambda = {lam}$, what is the new $w$?",
            make=_decay_step,
            explanation="The decay term $\\lambda w$ joins the gradient and is scaled by the "
            "learning rate like it: $w(1 - \\eta\\lambda) - \\eta g$.",
            rel_tol=1e-4,
        ),
        Choice(
            skill="regularization",
            prompt="You want many weights to become exactly zero. Which penalty do you use?",
            options=["L2 ($\\sum w^2$)", "L1 ($\\sum |w|$)", "No penalty, only more data",
                     "Dropout"],
            answer=1,
            why_not={0: "L2 shrinks weights proportionally; they get small but rarely exactly "
                        "zero.",
                     2: "More data reduces variance but does not zero weights.",
                     3: "Dropout zeroes activations at random during training, not weights "
                        "for good."},
            explanation="The L1 penalty's gradient has constant size, so it pushes small "
            "weights all the way to zero: a sparse solution.",
        ),
        Numeric(
            skill="dropout",
            prompt="Inverted dropout keeps each unit with probability {keep}. During training, "
            "a unit whose activation is {a} is kept. What value does it pass on?",
            make=_inverted_dropout,
            explanation="Inverted dropout divides kept activations by the keep probability, so "
            "the expected activation is unchanged and inference needs no rescaling.",
        ),
        Choice(
            skill="dropout",
            prompt="What does (inverted) dropout do at inference time?",
            options=["It drops units at the same rate as in training",
                     "Nothing: all units are used and no rescaling is needed",
                     "It multiplies activations by the keep probability",
                     "It averages several dropped-out passes by default"],
            answer=1,
            why_not={0: "Dropping at inference makes predictions random and worse.",
                     2: "That is the original (non-inverted) scheme; inverted dropout already "
                        "rescaled during training.",
                     3: "Monte-Carlo dropout does that on purpose, but it is not the default."},
            explanation="Training divides by the keep probability, so at inference the layer is "
            "the identity: call `model.eval()` to switch it off.",
        ),
        Numeric(
            skill="batch-norm",
            prompt="A batch normalisation layer in training mode sees one feature with values "
            "{xs} ($\\epsilon = 0$, $\\gamma = 1$, $\\beta = 0$). What does it output for the "
            "FIRST value?",
            make=_batchnorm,
            explanation="Subtract the batch mean and divide by the batch standard deviation, "
            "computed with $1/n$ (the biased variance), as the frameworks do for normalising.",
        ),
        Numeric(
            skill="batch-norm",
            prompt="A batch normalisation layer updates its running mean with momentum {m} "
            "(PyTorch's convention: the weight of the NEW batch). The running mean is {r} and "
            "the batch mean {b}. What is the new running mean?",
            make=_running_mean,
            explanation="running $\\leftarrow (1 - m) \\cdot$ running $+ m \\cdot$ batch mean: "
            "a small momentum changes the running statistics slowly.",
            rel_tol=1e-4,
        ),
        Choice(
            skill="batch-norm",
            prompt="At inference a batch-norm network gives different predictions for the same "
            "image depending on the other images in the batch. What is wrong?",
            options=["Nothing: batch norm always does that",
                     "The layer is still in training mode, using batch statistics instead of "
                     "its running statistics",
                     "The learning rate is too high", "Batch norm needs a batch of size 1"],
            answer=1,
            why_not={0: "At inference batch norm is a fixed affine map per feature.",
                     2: "No training happens at inference.",
                     3: "A batch of one in training mode has zero variance; the fix is the mode."},
            explanation="Switch to evaluation mode so the layer normalises with the running "
            "mean and variance gathered during training.",
        ),
        Numeric(
            skill="bias-variance",
            prompt="At one input, a model's bias is {b}, its variance over training sets is "
            "{v}, and the noise variance of the targets is {s}. What is the expected squared "
            "error?",
            make=_decomposition,
            explanation="Expected squared error $= \\text{bias}^2 + \\text{variance} + "
            "\\text{noise}$: the bias enters squared.",
            rel_tol=1e-4,
        ),
        Choice(
            skill="bias-variance",
            prompt="Training error 2 %, validation error 19 %. Which change most directly "
            "helps?",
            options=["A bigger model", "More regularisation or more training data",
                     "Training for longer", "Removing the validation set"],
            answer=1,
            why_not={0: "A bigger model increases the variance that causes the gap.",
                     2: "Longer training usually widens the gap further.",
                     3: "Then you could no longer see the problem, not fix it."},
            explanation="A large gap between training and validation error is high variance "
            "(over-fitting): constrain the model or give it more data.",
        ),
    ],
)
