"""Quiz: gradient descent, momentum, adaptive steps, Adam and when to stop."""

import math

from deepcareer.mentor.quiz import Choice, Numeric, Quiz, distinct


def _gd_step(rng):
    a = int(rng.integers(1, 4))
    c = int(rng.integers(-3, 4))
    w = c + int(rng.choice([-3, -2, -1, 1, 2, 3]))
    eta = float(rng.choice([0.05, 0.1, 0.2]))
    grad = 2 * a * (w - c)
    new = round(w - eta * grad, 9)
    return {"a": a, "c": c, "w": w, "eta": eta}, new, distinct(new, {
        "adding the gradient (ascent instead of descent)": w + eta * grad,
        "forgetting the factor 2 of the derivative": w - eta * a * (w - c)})


def _stable_lr(rng):
    a = int(rng.choice([2, 4, 5, 8, 10, 20]))
    return {"a": a}, 2 / a, distinct(2 / a, {
        "the rate that jumps to the minimum in one step, $1/a$": 1 / a,
        "the curvature itself": float(a)})


def _momentum(rng):
    g1, g2 = (round(float(v), 1) for v in rng.uniform(0.5, 3.0, size=2))
    beta = float(rng.choice([0.5, 0.8, 0.9]))
    eta = 0.1
    w0 = 1.0
    w2 = w0 - eta * g1 - eta * (beta * g1 + g2)
    return {"g1": g1, "g2": g2, "beta": beta, "eta": eta, "w0": w0}, w2, distinct(w2, {
        "ignoring momentum (plain gradient descent)": w0 - eta * (g1 + g2),
        "letting the velocity forget the new gradient": w0 - eta * g1 - eta * beta * g1},
        rel_tol=1e-3)


def _rmsprop(rng):
    g = float(rng.choice([-1, 1])) * round(float(rng.uniform(0.2, 5.0)), 1)
    rho = float(rng.choice([0.9, 0.99]))
    eta = 0.01
    step = eta * abs(g) / math.sqrt((1 - rho) * g * g)
    return {"g": g, "rho": rho, "eta": eta}, step, distinct(step, {
        "forgetting the square root of the running average": eta * abs(g) / ((1 - rho) * g * g),
        "treating the running average as if it were $g^2$ already": eta})


def _adam_first(rng):
    g = float(rng.choice([-1, 1])) * round(float(rng.uniform(0.01, 50.0)), 2)
    while abs(abs(g) - 1) < 0.05:
        g = 2 * g
    eta = float(rng.choice([1e-3, 1e-2, 3e-4]))
    b1, b2 = 0.9, 0.999
    m, v = (1 - b1) * g, (1 - b2) * g * g
    step = eta * (m / (1 - b1)) / math.sqrt(v / (1 - b2))
    return {"g": g, "eta": eta}, abs(step), distinct(abs(step), {
        "skipping the bias correction": eta * abs(m) / math.sqrt(v),
        "dividing by $\\hat v$ instead of its square root": eta * abs(g) / (g * g),
        "a plain gradient step": eta * abs(g)})


def _adam_mhat(rng):
    g1, g2 = (round(float(v), 1) for v in rng.uniform(-3, 3, size=2))
    while abs(g1 - g2) < 0.3 or abs(0.1 * g1 + g2) < 0.2:
        g1, g2 = (round(float(v), 1) for v in rng.uniform(-3, 3, size=2))
    b1 = 0.9
    m = (1 - b1) * (b1 * g1 + g2)
    mhat = m / (1 - b1 ** 2)
    return {"g1": g1, "g2": g2}, mhat, distinct(mhat, {
        "skipping the bias correction": m,
        "correcting with $1 - \\beta_1$ instead of $1 - \\beta_1^t$": m / (1 - b1),
        "averaging the two gradients equally": (g1 + g2) / 2})


def _stop_epoch(rng):
    n = 14
    best = int(rng.integers(3, 7))
    patience = int(rng.integers(2, 5))
    losses = [round(1.0 - 0.1 * e, 2) for e in range(1, best + 1)]
    after = [round(losses[-1] + 0.01 * int(v), 2) for v in rng.integers(1, 9, size=n - best)]
    losses += after
    stop = best + patience
    return {"losses": losses, "p": patience}, float(stop), distinct(stop, {
        "stopping at the best epoch itself": best,
        "stopping one epoch early (patience counted from the best epoch)": stop - 1,
        "training to the end": n}, rel_tol=1e-3)


QUIZ = Quiz(
    id="optimization",
    title="Gradient descent, optimisers and early stopping",
    skills=["gradient-descent", "optimizers", "adam", "early-stopping"],
    questions=[
        Numeric(
            skill="gradient-descent",
            prompt="Minimise $f(w) = {a}(w - {c})^2$ by gradient descent with learning rate "
            "{eta}, starting from $w = {w}$. What is $w$ after one step?",
            make=_gd_step,
            explanation="$w \\leftarrow w - \\eta f'(w)$ with $f'(w) = 2a(w - c)$.",
        ),
        Numeric(
            skill="gradient-descent",
            prompt="Gradient descent on $f(w) = \\frac{{{a}}}{{2}} w^2$: above which learning "
            "rate does it diverge?",
            make=_stable_lr,
            explanation="Each step multiplies $w$ by $1 - \\eta a$; it shrinks only while "
            "$|1 - \\eta a| < 1$, that is $\\eta < 2/a$. At $1/a$ it lands on the minimum in one "
            "step.",
            rel_tol=1e-6,
        ),
        Choice(
            skill="gradient-descent",
            prompt="The training loss goes down, then oscillates and grows to nan after a few "
            "hundred steps. What do you try first?",
            options=["A larger learning rate", "A smaller learning rate (or gradient clipping)",
                     "More epochs", "A bigger model"],
            answer=1,
            why_not={0: "Larger steps overshoot even more.",
                     2: "More steps of a diverging run only reach nan sooner.",
                     3: "Capacity is not the problem when the optimiser is unstable."},
            explanation="Growing oscillations are the sign of steps too long for the loss "
            "curvature; shrink the step.",
        ),
        Numeric(
            skill="optimizers",
            prompt="SGD with momentum: $v \\leftarrow \\beta v + g$, $w \\leftarrow w - \\eta v$, "
            "with $v$ starting at 0, $\\beta = {beta}$, $\\eta = {eta}$ and $w = {w0}$. The "
            "gradients of the first two steps are {g1} and {g2}. What is $w$ after two steps?",
            make=_momentum,
            explanation="Step 1: $v = g_1$. Step 2: $v = \\beta g_1 + g_2$. Both velocities are "
            "subtracted, times $\\eta$.",
            rel_tol=1e-4,
        ),
        Numeric(
            skill="optimizers",
            prompt="RMSProp keeps $s \\leftarrow \\rho s + (1 - \\rho) g^2$ with $s$ starting at "
            "0 and steps by $\\eta g / \\sqrt{{s}}$ (ignore $\\epsilon$). With $\\rho = {rho}$, "
            "$\\eta = {eta}$ and a first gradient $g = {g}$, how long is the first step (its "
            "absolute value)?",
            make=_rmsprop,
            explanation="After one step $s = (1 - \\rho) g^2$, so the step is "
            "$\\eta / \\sqrt{1 - \\rho}$ whatever $g$: RMSProp without bias correction takes a "
            "large first step.",
        ),
        Numeric(
            skill="adam",
            prompt="Adam with $\\beta_1 = 0.9$, $\\beta_2 = 0.999$, learning rate {eta}, "
            "$\\epsilon$ negligible. The first gradient is {g}. How large is the first update "
            "(absolute value)?",
            make=_adam_first,
            explanation="After bias correction $\\hat m = g$ and $\\hat v = g^2$, so the first "
            "step is $\\eta$ times the sign of $g$: Adam's step size does not depend on the "
            "gradient's scale.",
        ),
        Numeric(
            skill="adam",
            prompt="Adam with $\\beta_1 = 0.9$ sees the gradients {g1} then {g2}. What is the "
            "bias-corrected first moment $\\hat m$ after the second step?",
            make=_adam_mhat,
            explanation="$m_2 = (1 - \\beta_1)(\\beta_1 g_1 + g_2)$ and "
            "$\\hat m_2 = m_2 / (1 - \\beta_1^2)$: a weighted average that favours the recent "
            "gradient.",
        ),
        Choice(
            skill="adam",
            prompt="What does AdamW change compared with Adam plus an L2 penalty in the loss?",
            options=["Nothing, the two are identical",
                     "The decay is applied to the weights directly, not through the gradient, "
                     "so Adam's per-parameter scaling does not weaken it",
                     "It removes the second moment",
                     "It adds momentum"],
            answer=1,
            why_not={0: "They are identical for plain SGD, not for Adam.",
                     2: "AdamW keeps both moments.",
                     3: "Adam already has momentum (the first moment)."},
            explanation="With L2 in the loss the decay term is divided by $\\sqrt{\\hat v}$, so "
            "weights with large gradients are hardly decayed; AdamW decouples it.",
        ),
        Numeric(
            skill="early-stopping",
            prompt="Validation losses per epoch (epoch 1 first): {losses}. Early stopping with "
            "patience {p} ends training after the first run of {p} epochs without a new best. "
            "At the end of which epoch does training stop?",
            make=_stop_epoch,
            explanation="Count from the best epoch: patience $p$ lets $p$ more epochs run "
            "without improvement, so training stops at best $+ p$ (and restores the best "
            "epoch's weights).",
            rel_tol=1e-9,
        ),
        Choice(
            skill="early-stopping",
            prompt="Training stopped by early stopping. Which weights should you keep?",
            options=["Those of the last epoch run",
                     "Those of the epoch with the lowest validation loss",
                     "Those of the epoch with the lowest training loss",
                     "An average over all epochs"],
            answer=1,
            why_not={0: "The last epochs are, by construction, the ones that stopped "
                        "improving.",
                     2: "The lowest training loss is usually the most over-fitted epoch.",
                     3: "Averaging weights is a different technique, not early stopping."},
            explanation="Early stopping is model selection on the validation set: restore the "
            "best checkpoint, and keep the test set for the final score.",
        ),
    ],
)
