"""Cases and misconceptions for L2 and L1 penalties."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception


def _l2_no_half(w, lam):
    return lam * np.sum(w * w)


def _l2_grad_double(w, lam):
    return 2.0 * lam * w


def _l2_norm(w, lam):
    return 0.5 * lam * np.sqrt(np.sum(w * w))


def _l1_grad_abs(w, lam):
    return lam * np.abs(w)


def _l1_grad_at_zero(w, lam):
    return lam * np.where(w >= 0, 1.0, -1.0)


def _l2_grad_sign(w, lam):
    return -lam * w


def _l1_no_abs(w, lam):
    return lam * np.sum(w)


def _random_cases(rng):
    w = rng.normal(size=(3, 4))
    return [
        Case("l2_penalty", [w, 0.01], name="random 3 x 4, lam 0.01"),
        Case("l2_grad", [w, 0.1], name="random 3 x 4, lam 0.1"),
        Case("l1_penalty", [w, 0.5], name="random 3 x 4, lam 0.5"),
        Case("l1_grad", [rng.normal(size=6), 0.2], name="random vector, lam 0.2"),
    ]


W = np.array([[1.0, -2.0], [0.0, 3.0]])

CHECKS = Checks(
    cases=[
        Case("l2_penalty", [W, 0.1], name="the README example"),
        Case("l2_grad", [W, 0.1], name="the README example"),
        Case("l1_penalty", [W, 0.1], name="the README example"),
        Case("l1_grad", [W, 0.1], name="the README example"),
        Case("l2_penalty", [W, 0.0], name="lam = 0"),
        Case("l1_grad", [np.array([0.0, -0.0, 1e-9, -1e-9]), 1.0], name="around zero"),
    ],
    hidden=[
        Case("l2_penalty", [np.linspace(-1, 1, 5), 2.0]),
        Case("l2_grad", [np.array([[0.5, -0.25]]), 4.0]),
        Case("l1_penalty", [np.array([-1.5, 0.0, 2.5]), 0.3]),
        Case("l1_grad", [np.array([[-2.0, 0.0], [0.1, 5.0]]), 0.05]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="weight-penalties.l2-missing-half",
            title="an L2 penalty without the factor 1/2",
            explanation="With the 1/2 the gradient is exactly lam * w, which is why frameworks' "
            "weight_decay = lam matches (lam / 2) ||w||^2. Without it the penalty is twice as "
            "strong as intended.",
            hints=[
                "Check that the derivative of your penalty is lam * w.",
                "The derivative of w^2 is 2w; what cancels the 2?",
                "0.5 * lam * np.sum(w * w).",
            ],
            replace={"l2_penalty": _l2_no_half, "l2_grad": _l2_grad_double},
        ),
        Misconception(
            id="weight-penalties.l2-norm-not-squared",
            title="penalising the L2 norm instead of its square",
            explanation="sqrt(sum w^2) is the Euclidean norm; the L2 penalty (ridge, weight "
            "decay) uses its square, which is smooth everywhere and has the simple gradient "
            "lam * w.",
            hints=[
                "Does your penalty take a square root?",
                "Ridge uses sum(w^2), not its root.",
                "0.5 * lam * np.sum(w * w).",
            ],
            replace={"l2_penalty": _l2_norm},
        ),
        Misconception(
            id="weight-penalties.l1-grad-abs",
            title="using |w| as the L1 gradient",
            explanation="d|w|/dw is the sign of w, +1 or -1: the L1 pull has the same strength for "
            "every nonzero weight, which is what drives small weights all the way to 0.",
            hints=[
                "What is the slope of |w| at w = -2?",
                "The slope of |w| is constant on each side of 0.",
                "lam * np.sign(w).",
            ],
            replace={"l1_grad": _l1_grad_abs},
        ),
        Misconception(
            id="weight-penalties.l1-grad-at-zero",
            title="an L1 gradient of +lam at exactly 0",
            explanation="|w| has no derivative at 0; any value in [-lam, lam] is a subgradient. "
            "The convention here (np.sign, and frameworks) is 0, so a zero weight stays at 0.",
            hints=[
                "Look at the case around zero.",
                "What does np.sign(0) return?",
                "Use np.sign(w).",
            ],
            replace={"l1_grad": _l1_grad_at_zero},
        ),
        Misconception(
            id="weight-penalties.l2-grad-sign",
            title="an L2 gradient with the sign flipped",
            explanation="The penalty grows with |w|, so its gradient points away from 0 (lam * w); "
            "gradient descent then shrinks the weights towards 0, hence 'weight decay'.",
            hints=[
                "For w = 3, should the gradient of the penalty be positive or negative?",
                "Descent subtracts the gradient; the subtraction does the shrinking.",
                "lam * w.",
            ],
            replace={"l2_grad": _l2_grad_sign},
        ),
        Misconception(
            id="weight-penalties.l1-no-abs",
            title="summing the weights without absolute values",
            explanation="Positive and negative weights would cancel, so a large network could "
            "have zero penalty. L1 sums magnitudes.",
            hints=[
                "Can your L1 penalty be negative?",
                "It measures size, whatever the sign.",
                "lam * np.sum(np.abs(w)).",
            ],
            replace={"l1_penalty": _l1_no_abs},
        ),
    ],
)
