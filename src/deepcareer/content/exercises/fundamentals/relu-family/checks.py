"""Cases and misconceptions for the ReLU family."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)
C, K = ref.C, ref.K


def _leaky_max(x, alpha):
    return np.maximum(x, alpha)


def _leaky_grad_zero(x, alpha):
    return (x > 0).astype(float)


def _elu_no_minus_one(x, alpha):
    return np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0.0)))


def _elu_grad_is_elu(x, alpha):
    return np.where(x > 0, 1.0, alpha * np.expm1(np.minimum(x, 0.0)))


def _gelu_grad_gate_only(x):
    return 0.5 * (1.0 + np.tanh(C * (x + K * x**3)))


def _gelu_sigmoid_form(x):
    return x / (1.0 + np.exp(-1.702 * x))


def _gelu_exact(x):
    import math

    erf = np.vectorize(math.erf, otypes=[float])
    return 0.5 * x * (1.0 + erf(np.asarray(x, dtype=float) / math.sqrt(2.0)))


def _random_cases(rng):
    x = rng.normal(0, 2, size=(3, 4))
    return [Case(name, [x, 0.1] if "gelu" not in name else [x], name="random 3 x 4")
            for name in ("leaky_relu", "leaky_relu_grad", "elu", "elu_grad", "gelu", "gelu_grad")]


X = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])

CHECKS = Checks(
    cases=[
        Case("leaky_relu", [X, 0.1], name="the README example"),
        Case("leaky_relu_grad", [X, 0.1], name="the README example"),
        Case("elu", [X, 1.0], name="the README example"),
        Case("elu_grad", [X, 1.0], name="the README example"),
        Case("gelu", [X], name="the README example"),
        Case("gelu_grad", [X], name="the README example"),
        Case("elu", [np.array([-800.0, 800.0]), 0.5], name="large inputs"),
        # exp overflows above about 709.8: np.where evaluates both branches, so an unclipped
        # exponent overflows on the positive side even though that branch is not chosen.
        Case("elu_grad", [np.array([-800.0, 800.0, 0.0]), 0.5], name="large inputs"),
    ],
    hidden=[
        Case("leaky_relu", [np.linspace(-3, 3, 7), 0.2]),
        Case("elu_grad", [np.linspace(-3, 1, 5), 2.0]),
        Case("gelu_grad", [np.linspace(-4, 4, 9)]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="relu-family.leaky-as-max-alpha",
            title="leaky ReLU as max(x, alpha)",
            explanation="The leak is a slope, alpha * x, not a floor at alpha: leaky_relu(-2) is "
            "-0.2 for alpha 0.1, and it keeps decreasing with x.",
            hints=["What is your leaky_relu(-2)?", "Negative inputs are scaled, not clipped.",
                   "np.where(x > 0, x, alpha * x)."],
            replace={"leaky_relu": _leaky_max},
        ),
        Misconception(
            id="relu-family.leaky-grad-zero",
            title="a leaky ReLU gradient of 0 for negative inputs",
            explanation="The whole point of the leak is a nonzero gradient (alpha) for negative "
            "inputs, so units never die.",
            hints=["What is the slope of alpha * x?", "alpha, not 0.",
                   "np.where(x > 0, 1.0, alpha)."],
            replace={"leaky_relu_grad": _leaky_grad_zero},
        ),
        Misconception(
            id="relu-family.elu-missing-minus-one",
            title="ELU without the - 1",
            explanation="alpha (exp(x) - 1) is 0 at x = 0, so ELU is continuous; alpha exp(x) "
            "jumps from alpha to 0.",
            hints=["What is your elu(0)? And just below 0?", "exp(x) - 1 goes to 0 at 0.",
                   "alpha * np.expm1(x)."],
            replace={"elu": _elu_no_minus_one},
        ),
        Misconception(
            id="relu-family.elu-grad-is-elu",
            title="using ELU's value as its derivative for negative inputs",
            explanation="For x <= 0 the derivative is alpha exp(x) = ELU(x) + alpha; ELU(x) alone "
            "is negative, which a slope of an increasing function never is.",
            hints=["Can your ELU gradient be negative?", "d/dx alpha (exp(x) - 1) = alpha exp(x).",
                   "alpha * np.exp(x) for x <= 0."],
            replace={"elu_grad": _elu_grad_is_elu},
        ),
        Misconception(
            id="relu-family.gelu-grad-gate-only",
            title="GELU's derivative as just the gate, forgetting the product rule",
            explanation="GELU is x times a gate g(x); its derivative is g(x) + x g'(x). The gate "
            "alone is the derivative only far from 0.",
            hints=["GELU is a product: what does the product rule give?",
                   "d/dx [x g(x)] = g(x) + x g'(x).",
                   "0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 * 0.044715 x^2)."],
            replace={"gelu_grad": _gelu_grad_gate_only},
        ),
        Misconception(
            id="relu-family.gelu-sigmoid-approximation",
            title="the sigmoid approximation x * sigmoid(1.702 x) instead of the tanh form",
            explanation="Both approximate x * Phi(x); this exercise (like BERT and GPT-2, and "
            "PyTorch's approximate='tanh') uses the tanh formula, and the two differ by up to "
            "about 0.02.",
            hints=["Which GELU formula does the README give?",
                   "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).", "Use the tanh form."],
            replace={"gelu": _gelu_sigmoid_form},
        ),
        Misconception(
            id="relu-family.gelu-exact-erf",
            title="the exact x * Phi(x) (with erf) instead of the tanh approximation",
            explanation="x * Phi(x) is GELU's definition, but this exercise asks for the tanh "
            "approximation that BERT and GPT-2 use; the two differ by up to about 5e-4, far "
            "more than the checker's tolerance.",
            hints=["Your GELU is very close but not equal: which formula does the README ask "
                   "you to compute?",
                   "The task is the tanh approximation, not the erf form.",
                   "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."],
            replace={"gelu": _gelu_exact},
        ),
    ],
)
