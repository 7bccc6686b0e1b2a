"""Cases and misconceptions for Adam."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception


def _moments(grad, m, v, beta1, beta2):
    return beta1 * m + (1.0 - beta1) * grad, beta2 * v + (1.0 - beta2) * grad * grad


def _no_correction(w, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, m, v, beta1, beta2)
    return w - lr * m / (np.sqrt(v) + eps), m, v


def _t_from_zero(w, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, m, v, beta1, beta2)
    m_hat = m / (1.0 - beta1 ** (t + 1))
    v_hat = v / (1.0 - beta2 ** (t + 1))
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _stores_corrected(w, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, m, v, beta1, beta2)
    m = m / (1.0 - beta1**t)
    v = v / (1.0 - beta2**t)
    return w - lr * m / (np.sqrt(v) + eps), m, v


def _eps_inside(w, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, m, v, beta1, beta2)
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), m, v


def _v_not_squared(w, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1.0 - beta1) * grad
    v = beta2 * v + (1.0 - beta2) * np.abs(grad)
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _correct_only_m(w, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(grad, m, v, beta1, beta2)
    m_hat = m / (1.0 - beta1**t)
    return w - lr * m_hat / (np.sqrt(v) + eps), m, v


def _random_cases(rng):
    def case(shape, t, name):
        m = rng.normal(scale=0.1, size=shape) if t > 1 else np.zeros(shape)
        v = rng.random(shape) * 0.01 if t > 1 else np.zeros(shape)
        return Case("adam_step", [rng.normal(size=shape), rng.normal(size=shape), m, v, t, 1e-3,
                                  0.9, 0.999, 1e-8], name=name)

    return [case((3, 2), 1, "random first step"), case(4, 5, "random step 5"),
            case((2, 2), 50, "random step 50")]


W = np.array([1.0, -1.0])
G = np.array([0.2, -0.4])
Z = np.zeros(2)

CHECKS = Checks(
    cases=[
        Case("adam_step", [W, G, Z, Z, 1, 0.1, 0.9, 0.999, 1e-8], name="the README example"),
        Case("adam_step", [W, G, np.array([0.05, -0.1]), np.array([0.01, 0.02]), 3, 0.1, 0.9,
                           0.999, 1e-8], name="step 3"),
        Case("adam_step", [W, G, np.array([0.05, -0.1]), np.array([0.01, 0.02]), 10_000, 0.1,
                           0.9, 0.999, 1e-8], name="step 10000 (corrections near 1)"),
        Case("adam_step", [W, np.array([1e-4, 1e-3]), Z, Z, 1, 0.1, 0.9, 0.999, 1e-3],
             name="tiny gradients, eps = 1e-3"),
    ],
    hidden=[
        Case("adam_step", [np.zeros(3), np.array([1.0, -2.0, 0.5]), Z[:1].repeat(3),
                           Z[:1].repeat(3), 1, 0.01, 0.8, 0.99, 1e-8]),
        Case("adam_step", [np.ones((2, 2)), np.full((2, 2), 0.3), np.full((2, 2), 0.1),
                           np.full((2, 2), 0.05), 7, 0.05, 0.9, 0.999, 1e-8]),
        Case("adam_step", [np.array([2.0]), np.array([-0.7]), np.array([0.2]), np.array([0.3]),
                           2, 0.5, 0.5, 0.9, 0.1]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="adam.no-bias-correction",
            title="Adam without bias correction",
            explanation="m and v start at 0, so in the first steps they are biased towards 0 "
            "(after one step m = (1 - beta1) g). Dividing by (1 - beta^t) removes that bias; "
            "without it the first steps have the wrong size, badly so for v with beta2 = 0.999.",
            hints=[
                "After the first step from m = 0, what is m? Is that a fair estimate of the mean "
                "gradient?",
                "Divide m by (1 - beta1^t) and v by (1 - beta2^t) before using them.",
                "m_hat = m / (1 - beta1**t); v_hat = v / (1 - beta2**t); step with m_hat and "
                "v_hat.",
            ],
            replace={"adam_step": _no_correction},
            reteach="Any exponential moving average started at 0 underestimates for its first "
            "~1/(1 - beta) steps. Bias correction is the exact fix: the weights of an EMA after "
            "t steps sum to 1 - beta^t, so dividing by that renormalises them.",
        ),
        Misconception(
            id="adam.t-from-zero",
            title="counting steps from 0 in the bias correction (an off-by-one)",
            explanation="The first update is step t = 1: after one update the weights of the "
            "average sum to 1 - beta. Using t + 1 (or starting at 0 and adding one too many) "
            "corrects for a step that has not happened.",
            hints=[
                "On the first step (t = 1), what should 1 - beta1^t be?",
                "The function receives t already counting from 1.",
                "Use beta1**t and beta2**t with the t you are given.",
            ],
            replace={"adam_step": _t_from_zero},
        ),
        Misconception(
            id="adam.stores-corrected",
            title="storing the bias-corrected moments as the new state",
            explanation="The correction is applied to a copy used for the step. If the corrected "
            "m and v are stored, the next step corrects them again and the state drifts.",
            hints=[
                "Which m do you return: the running average or the corrected one?",
                "Keep m and v as plain moving averages; correct copies.",
                "Return the uncorrected m and v.",
            ],
            replace={"adam_step": _stores_corrected},
        ),
        Misconception(
            id="adam.eps-inside-sqrt",
            title="putting eps inside the square root",
            explanation="The paper and PyTorch add eps after the root: sqrt(v_hat) + eps. Inside "
            "the root it acts like a much larger eps when v is small.",
            hints=[
                "Look at the case with tiny gradients and eps = 1e-3.",
                "eps guards the division, next to the divisor.",
                "m_hat / (np.sqrt(v_hat) + eps).",
            ],
            replace={"adam_step": _eps_inside},
        ),
        Misconception(
            id="adam.v-not-squared",
            title="averaging |grad| in the second moment instead of grad squared",
            explanation="v estimates the uncentred variance E[g^2]; its square root gives the "
            "gradient's scale. Averaging |g| and then taking a root mixes units.",
            hints=[
                "What quantity is v an estimate of?",
                "The second moment of g is E[g^2].",
                "v = beta2 * v + (1 - beta2) * grad ** 2.",
            ],
            replace={"adam_step": _v_not_squared},
        ),
        Misconception(
            id="adam.correct-only-m",
            title="correcting the first moment but not the second",
            explanation="Both moments start at 0 and both are biased. Correcting only m makes the "
            "first steps far too large, because v is tiny until about 1/(1 - beta2) = 1000 steps "
            "have passed.",
            hints=[
                "Is your v corrected too?",
                "1 - beta2^t is about 0.001 on step 1 with beta2 = 0.999.",
                "v_hat = v / (1 - beta2**t), and use v_hat in the step.",
            ],
            replace={"adam_step": _correct_only_m},
        ),
    ],
)
