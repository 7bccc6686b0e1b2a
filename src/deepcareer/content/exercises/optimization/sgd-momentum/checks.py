"""Cases and misconceptions for SGD with momentum."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception


def _ema(w, grad, velocity, lr, beta):
    velocity = beta * velocity + (1.0 - beta) * grad
    return w - lr * velocity, velocity


def _old_velocity(w, grad, velocity, lr, beta):
    new_velocity = beta * velocity + grad
    return w - lr * velocity, new_velocity


def _uphill(w, grad, velocity, lr, beta):
    velocity = beta * velocity + grad
    return w + lr * velocity, velocity


def _lr_inside(w, grad, velocity, lr, beta):
    # Folds lr into the velocity: same path only while lr never changes, and the
    # returned velocity is not the one asked for.
    velocity = beta * velocity + lr * grad
    return w - velocity, velocity


def _no_decay(w, grad, velocity, lr, beta):
    velocity = velocity + grad
    return w - lr * velocity, velocity


def _velocity_not_returned(w, grad, velocity, lr, beta):
    new_velocity = beta * velocity + grad
    return w - lr * new_velocity, velocity


def _random_cases(rng):
    shape = (3, 2)
    return [
        Case("momentum_step", [rng.normal(size=shape), rng.normal(size=shape),
                               rng.normal(size=shape), 0.1, 0.9], name="random 3 x 2"),
        Case("momentum_step", [rng.normal(size=5), rng.normal(size=5), rng.normal(size=5),
                               0.01, 0.5], name="random vector"),
        Case("momentum_step", [rng.normal(size=4), rng.normal(size=4), np.zeros(4), 0.2, 0.9],
             name="random first step"),
    ]


W = np.array([1.0, -2.0])
G = np.array([0.5, 1.0])
V = np.array([0.2, -0.4])

CHECKS = Checks(
    cases=[
        Case("momentum_step", [W, G, V, 0.1, 0.9], name="the README example"),
        Case("momentum_step", [W, G, np.zeros(2), 0.1, 0.9], name="the first step (velocity 0)"),
        Case("momentum_step", [W, G, V, 0.1, 0.0], name="beta = 0 is plain SGD"),
        Case("momentum_step", [W, G, V, 0.5, 0.5], name="lr = 0.5, beta = 0.5"),
    ],
    hidden=[
        Case("momentum_step", [np.ones((2, 2)), np.full((2, 2), -0.3), np.full((2, 2), 0.7),
                               0.05, 0.99]),
        Case("momentum_step", [np.array([0.0]), np.array([2.0]), np.array([1.0]), 1.0, 0.5]),
        Case("momentum_step", [np.linspace(-1, 1, 5), np.linspace(1, -1, 5), np.zeros(5), 0.3,
                               0.8]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="sgd-momentum.ema-velocity",
            title="averaging the gradient into the velocity with (1 - beta)",
            explanation="That is the exponential-moving-average form (used by some libraries "
            "and by Adam's first moment). The heavy-ball momentum asked for here, as in "
            "PyTorch's SGD, adds the full gradient: v = beta v + g. The two differ by a factor "
            "1 / (1 - beta) in the effective learning rate.",
            hints=[
                "On the first step from velocity 0, should the velocity equal the gradient?",
                "There is no (1 - beta) factor in this convention.",
                "velocity = beta * velocity + grad.",
            ],
            replace={"momentum_step": _ema},
        ),
        Misconception(
            id="sgd-momentum.stale-velocity",
            title="moving the weights with the old velocity",
            explanation="The step must include the current gradient: update the velocity first, "
            "then move by the new velocity.",
            hints=[
                "On the first step your weights do not move at all. Why?",
                "Which velocity contains this step's gradient?",
                "Compute the new velocity, then w = w - lr * new_velocity.",
            ],
            replace={"momentum_step": _old_velocity},
        ),
        Misconception(
            id="sgd-momentum.uphill",
            title="adding the velocity to the weights instead of subtracting it",
            explanation="The velocity accumulates gradients, which point uphill; descent moves "
            "against them.",
            hints=[
                "Does the loss go down after your step?",
                "Gradient descent subtracts.",
                "w = w - lr * velocity.",
            ],
            replace={"momentum_step": _uphill},
        ),
        Misconception(
            id="sgd-momentum.lr-in-velocity",
            title="folding the learning rate into the velocity",
            explanation="v = beta v + lr g; w -= v is the formulation of Sutskever et al.; it "
            "follows the same path only while lr is constant, and its velocity is lr times "
            "the one asked for here, so schedules that change lr behave differently.",
            hints=[
                "Compare the velocity you return with beta * velocity + grad.",
                "Keep lr out of the velocity; apply it when moving w.",
                "velocity = beta * velocity + grad; w = w - lr * velocity.",
            ],
            replace={"momentum_step": _lr_inside},
        ),
        Misconception(
            id="sgd-momentum.no-decay",
            title="never decaying the velocity (beta ignored)",
            explanation="Without the factor beta the velocity is the sum of every gradient ever "
            "seen, and old directions are never forgotten.",
            hints=[
                "Does your update use beta?",
                "The old velocity shrinks by beta each step.",
                "velocity = beta * velocity + grad.",
            ],
            replace={"momentum_step": _no_decay},
        ),
        Misconception(
            id="sgd-momentum.velocity-not-returned",
            title="returning the old velocity, so the state never advances",
            explanation="The optimiser's state lives outside the function; if the new velocity is "
            "not returned, the next step starts from the old one.",
            hints=[
                "Which velocity does your function return?",
                "The caller passes your returned velocity into the next step.",
                "return w, new_velocity.",
            ],
            replace={"momentum_step": _velocity_not_returned},
        ),
    ],
)
