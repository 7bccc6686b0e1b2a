"""Cases and misconceptions for Xavier and He initialisation."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _he_fan_out_normal(z):
    return z * np.sqrt(2.0 / z.shape[1])


def _he_fan_out_uniform(u):
    return (2.0 * u - 1.0) * np.sqrt(6.0 / u.shape[1])


def _lecun_normal(z):
    return z * np.sqrt(1.0 / z.shape[0])


def _lecun_uniform(u):
    return (2.0 * u - 1.0) * np.sqrt(3.0 / u.shape[0])


def _variance_as_std_normal(z):
    return z * (2.0 / sum(z.shape))


def _variance_as_std_he(z):
    return z * (2.0 / z.shape[0])


def _std_as_bound_xavier(u):
    return (2.0 * u - 1.0) * np.sqrt(2.0 / sum(u.shape))


def _std_as_bound_he(u):
    return (2.0 * u - 1.0) * np.sqrt(2.0 / u.shape[0])


def _half_range_xavier(u):
    return u * np.sqrt(6.0 / sum(u.shape))


def _half_range_he(u):
    return u * np.sqrt(6.0 / u.shape[0])


def _xavier_fan_in_only_uniform(u):
    return (2.0 * u - 1.0) * np.sqrt(6.0 / (2 * u.shape[0]))


def _xavier_fan_in_only_normal(z):
    return z * np.sqrt(2.0 / (2 * z.shape[0]))


def _random_cases(rng):
    return [
        Case("xavier_uniform", [rng.random((6, 3))], name="random 6 x 3"),
        Case("xavier_normal", [rng.standard_normal((4, 9))], name="random 4 x 9"),
        Case("he_uniform", [rng.random((5, 2))], name="random 5 x 2"),
        Case("he_normal", [rng.standard_normal((3, 8))], name="random 3 x 8"),
    ]


U = np.array([[0.0, 0.25, 0.5], [0.75, 0.9, 0.1]])  # fan_in 2, fan_out 3
Z = np.array([[1.0, -0.5, 2.0], [0.0, -1.5, 0.3]])
TALL_U = np.linspace(0.05, 0.95, 8).reshape(4, 2)  # fan_in 4, fan_out 2
TALL_Z = np.linspace(-1.5, 2.0, 8).reshape(4, 2)

CHECKS = Checks(
    cases=[
        Case("xavier_uniform", [U], name="the README example"),
        Case("xavier_normal", [Z], name="the README example"),
        Case("he_uniform", [U], name="the README example"),
        Case("he_normal", [Z], name="the README example"),
        Case("xavier_uniform", [TALL_U], name="fan_in 4, fan_out 2"),
        Case("xavier_normal", [TALL_Z], name="fan_in 4, fan_out 2"),
        Case("he_uniform", [TALL_U], name="fan_in 4, fan_out 2"),
        Case("he_normal", [TALL_Z], name="fan_in 4, fan_out 2"),
    ],
    hidden=[
        Case("xavier_uniform", [np.full((3, 5), 0.999)]),
        Case("he_normal", [np.ones((8, 1))]),
        Case("he_uniform", [np.linspace(0, 0.99, 10).reshape(10, 1)]),
        Case("xavier_normal", [np.linspace(-2, 2, 6).reshape(1, 6)]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="weight-init.he-fan-out",
            title="using fan_out instead of fan_in in He initialisation",
            explanation="He initialisation keeps the variance of the forward signal constant, "
            "which depends on how many inputs each unit sums: fan_in. (The fan_out variant "
            "preserves the backward signal instead and is a different, named mode.)",
            hints=[
                "Which dimension of the weight matrix counts the inputs of a unit?",
                "For weights of shape (fan_in, fan_out), fan_in is shape[0].",
                "std = sqrt(2 / W.shape[0]).",
            ],
            replace={"he_normal": _he_fan_out_normal, "he_uniform": _he_fan_out_uniform},
        ),
        Misconception(
            id="weight-init.he-missing-two",
            title="forgetting the factor 2 in He initialisation (LeCun scaling)",
            explanation="A ReLU zeroes about half of its inputs, halving the variance of what it "
            "passes on. He initialisation doubles the weight variance to compensate: 2 / fan_in "
            "rather than 1 / fan_in.",
            hints=[
                "What fraction of a ReLU's inputs come out as zero, on average?",
                "Losing half the signal variance per layer is repaid by doubling the weight "
                "variance.",
                "Variance 2 / fan_in: std sqrt(2 / fan_in), uniform bound sqrt(6 / fan_in).",
            ],
            replace={"he_normal": _lecun_normal, "he_uniform": _lecun_uniform},
        ),
        Misconception(
            id="weight-init.variance-as-std",
            title="scaling normal samples by the variance instead of its square root",
            explanation="Multiplying a standard normal by s gives standard deviation s and "
            "variance s^2. To get variance v, multiply by sqrt(v).",
            hints=[
                "If z has variance 1, what is the variance of c * z?",
                "You want Var = 2 / (fan_in + fan_out); take the square root for the factor.",
                "z * np.sqrt(2 / (fan_in + fan_out)).",
            ],
            replace={"xavier_normal": _variance_as_std_normal, "he_normal": _variance_as_std_he},
        ),
        Misconception(
            id="weight-init.std-as-bound",
            title="using the standard deviation as the bound of the uniform distribution",
            explanation="U(-a, a) has variance a^2 / 3, so matching variance v needs a = "
            "sqrt(3 v), not sqrt(v). That is where the 6 in sqrt(6 / (fan_in + fan_out)) "
            "comes from.",
            hints=[
                "What is the variance of a uniform distribution on [-a, a]?",
                "a^2 / 3 = v gives a = sqrt(3 v).",
                "Xavier: a = sqrt(6 / (fan_in + fan_out)); He: a = sqrt(6 / fan_in).",
            ],
            replace={"xavier_uniform": _std_as_bound_xavier, "he_uniform": _std_as_bound_he},
        ),
        Misconception(
            id="weight-init.half-range",
            title="mapping uniform samples to [0, a] instead of [-a, a]",
            explanation="Multiplying u in [0, 1) by a gives only positive weights with mean a/2. "
            "Weights must be centred on zero, so stretch to [-1, 1) first: 2u - 1.",
            hints=[
                "Are any of your weights negative?",
                "2u - 1 maps [0, 1) onto [-1, 1).",
                "(2 * u - 1) * bound.",
            ],
            replace={"xavier_uniform": _half_range_xavier, "he_uniform": _half_range_he},
        ),
        Misconception(
            id="weight-init.xavier-fan-in-only",
            title="using 2 * fan_in in place of fan_in + fan_out in Xavier",
            explanation="Xavier averages the forward condition (fan_in) and the backward one "
            "(fan_out); with a non-square layer the two differ.",
            hints=[
                "Try a layer with fan_in 4 and fan_out 2: which shape entries appear in your "
                "formula?",
                "Xavier's denominator is the sum of both fans.",
                "sum(W.shape) = fan_in + fan_out.",
            ],
            replace={"xavier_uniform": _xavier_fan_in_only_uniform,
                     "xavier_normal": _xavier_fan_in_only_normal},
        ),
    ],
)
