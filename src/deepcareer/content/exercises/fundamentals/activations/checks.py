"""Cases and misconceptions for sigmoid, tanh and ReLU."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _sigmoid_grad_raw(x):
    return x * (1.0 - x)  # applies s(1 - s) to x itself


def _tanh_grad_no_square(x):
    return 1.0 - np.tanh(x)


def _relu_grad_identity(x):
    return np.maximum(x, 0.0)  # returns relu(x) as if it were the derivative


def _relu_grad_at_zero(x):
    return (x >= 0).astype(float)


def _relu_abs(x):
    return np.abs(x)


def _relu_global_max(x):
    return np.maximum(x, np.max(x)) if x.size else x


def _sigmoid_sign(x):
    return 1.0 / (1.0 + np.exp(x))


def _tanh_as_sigmoid(x):
    return ref.sigmoid(x)


def _tanh_grad_as_sigmoid_grad(x):
    return ref.sigmoid_grad(x)


def _random_cases(rng):
    return [Case(name, [rng.normal(0, 3, size=(3, 4))], name="random 3 x 4")
            for name in ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad")]


X = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
BIG = np.array([[-1000.0, -30.0], [30.0, 1000.0]])

CHECKS = Checks(
    cases=[
        *[Case(name, [X], name="the README example")
          for name in ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad")],
        Case("sigmoid", [BIG], name="inputs near +-1000"),
        Case("sigmoid_grad", [BIG], name="inputs near +-1000"),
        Case("relu_grad", [np.array([[0.0, -0.0, 1e-12, -1e-12]])], name="around zero"),
    ],
    hidden=[
        Case("sigmoid", [np.linspace(-5, 5, 11)]),
        Case("tanh", [np.linspace(-3, 3, 7).reshape(7, 1)]),
        Case("tanh_grad", [np.array([[0.1, -1.2], [3.0, -0.01]])]),
        Case("relu", [np.array([[-1.5, 0.0, 2.5]])]),
        Case("relu_grad", [np.linspace(-1, 1, 6)]),
        Case("sigmoid_grad", [np.array([0.3, -4.0, 8.0])]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="activations.sigmoid-grad-on-input",
            title="computing the sigmoid derivative as x (1 - x) on the raw input",
            explanation="s(1 - s) is the derivative written in terms of the sigmoid's OUTPUT "
            "s = sigmoid(x). Applying it to x itself is only right if x was already a sigmoid "
            "output, which is a common mix-up when a backward pass caches the wrong thing.",
            hints=[
                "What is sigmoid_grad(0)? It should be 0.25.",
                "s(1 - s) needs s = sigmoid(x) first.",
                "s = sigmoid(x); return s * (1 - s).",
            ],
            replace={"sigmoid_grad": _sigmoid_grad_raw},
            reteach="Derivatives of activations are often written in terms of the activation's "
            "output (sigmoid: s(1-s), tanh: 1-t^2). Always be clear whether your variable holds "
            "the input or the output of the unit.",
        ),
        Misconception(
            id="activations.tanh-grad-no-square",
            title="writing the tanh derivative as 1 - tanh(x) (missing the square)",
            explanation="d tanh / dx = 1 - tanh(x)^2, which is symmetric in x and never negative.",
            hints=[
                "Is your tanh_grad ever negative? It should not be.",
                "The derivative of tanh is sech^2 = 1 - tanh^2.",
                "t = np.tanh(x); return 1 - t * t.",
            ],
            replace={"tanh_grad": _tanh_grad_no_square},
        ),
        Misconception(
            id="activations.relu-grad-is-relu",
            title="returning relu(x) as the ReLU derivative",
            explanation="The derivative of max(0, x) is a step: 1 for x > 0 and 0 otherwise. It "
            "does not grow with x.",
            hints=[
                "What is the slope of the line y = x?",
                "The gradient is a 0/1 mask, not the activation.",
                "return (x > 0).astype(float).",
            ],
            replace={"relu_grad": _relu_grad_identity},
        ),
        Misconception(
            id="activations.relu-grad-at-zero",
            title="taking the ReLU derivative at exactly 0 to be 1",
            explanation="ReLU has no derivative at 0; frameworks pick 0 there (a subgradient), "
            "and so does this exercise. Use a strict comparison.",
            hints=[
                "Look at the case with inputs exactly 0.",
                "x > 0 and x >= 0 differ only at zero.",
                "Use (x > 0).",
            ],
            replace={"relu_grad": _relu_grad_at_zero},
        ),
        Misconception(
            id="activations.relu-abs",
            title="implementing ReLU as an absolute value",
            explanation="ReLU zeroes negative inputs; abs flips them positive, which keeps the "
            "unit linear in |x| and loses the 'off' region that makes it a gate.",
            hints=[
                "What should relu(-2) be?",
                "Negative inputs are replaced by 0, not by their magnitude.",
                "np.maximum(x, 0).",
            ],
            replace={"relu": _relu_abs},
        ),
        Misconception(
            id="activations.relu-global-max",
            title="comparing with the array's maximum instead of with 0",
            explanation="np.maximum(x, 0) compares each element with 0. np.max(x) is a single "
            "number, the largest element, which is a different thing.",
            hints=[
                "np.max reduces; np.maximum compares elementwise.",
                "The threshold of ReLU is 0 for every element.",
                "np.maximum(x, 0.0).",
            ],
            replace={"relu": _relu_global_max},
        ),
        Misconception(
            id="activations.sigmoid-sign",
            title="writing the sigmoid as 1 / (1 + exp(x)) (sign flipped)",
            explanation="sigmoid(x) = 1 / (1 + exp(-x)) rises from 0 to 1. With +x in the "
            "exponent the curve falls instead: it is sigmoid(-x).",
            hints=[
                "Should sigmoid(2) be above or below 0.5?",
                "Large positive inputs should give values close to 1.",
                "The exponent is -x.",
            ],
            replace={"sigmoid": _sigmoid_sign},
        ),
        Misconception(
            id="activations.tanh-is-sigmoid",
            title="using the sigmoid where tanh is asked for",
            explanation="tanh is a rescaled sigmoid, tanh(x) = 2 sigmoid(2x) - 1: it ranges over "
            "(-1, 1) and is centred on 0, which is why it was preferred for hidden layers.",
            hints=[
                "What is tanh(0)?",
                "tanh ranges from -1 to 1, the sigmoid from 0 to 1.",
                "np.tanh(x), and 1 - tanh(x)^2 for the derivative.",
            ],
            replace={"tanh": _tanh_as_sigmoid, "tanh_grad": _tanh_grad_as_sigmoid_grad},
        ),
    ],
)
