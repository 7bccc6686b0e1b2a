"""Cases and misconceptions for the sigmoid MLP."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)
sig = ref.sigmoid


def _sigmoid_output(X, W1, b1, W2, b2):
    hidden, out = ref.mlp_forward(X, W1, b1, W2, b2)
    return hidden, sig(out)


def _backward(dout, X, W1, b1, W2, b2, *, deriv="s", through_w2=True):
    hidden, _ = ref.mlp_forward(X, W1, b1, W2, b2)
    z = X @ W1 + b1
    dW2, db2 = hidden.T @ dout, dout.sum(axis=0)
    if through_w2:
        dhidden = dout @ W2.T
    else:  # every hidden unit gets the total output gradient, ignoring its weights
        dhidden = dout.sum(axis=1, keepdims=True) * np.ones_like(hidden)
    local = {"s": hidden * (1 - hidden), "z": z * (1 - z), "none": 1.0}[deriv]
    dz = dhidden * local
    return X.T @ dz, dz.sum(axis=0), dW2, db2


def _deriv_on_z(*a):
    return _backward(*a, deriv="z")


def _no_deriv(*a):
    return _backward(*a, deriv="none")


def _no_w2(*a):
    return _backward(*a, through_w2=False)


def _step_with(backward, sequential=False):
    def step(X, y, W1, b1, W2, b2, lr):
        _, out = ref.mlp_forward(X, W1, b1, W2, b2)
        dout = 2.0 * (out - y) / out.size
        if sequential:
            _, _, dW2, db2 = backward(dout, X, W1, b1, W2, b2)
            W2, b2 = W2 - lr * dW2, b2 - lr * db2
            dW1, db1, _, _ = backward(dout, X, W1, b1, W2, b2)  # uses the updated W2
            return W1 - lr * dW1, b1 - lr * db1, W2, b2
        dW1, db1, dW2, db2 = backward(dout, X, W1, b1, W2, b2)
        return W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2

    return step


def _step_mse_sum(X, y, W1, b1, W2, b2, lr):
    _, out = ref.mlp_forward(X, W1, b1, W2, b2)
    dW1, db1, dW2, db2 = ref.mlp_backward(2.0 * (out - y), X, W1, b1, W2, b2)
    return W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2


def _params(rng, d, h, k):
    return [rng.normal(size=(d, h)), rng.normal(scale=0.5, size=h),
            rng.normal(size=(h, k)), rng.normal(scale=0.5, size=k)]


def _random_cases(rng):
    X = rng.normal(size=(5, 3))
    params = _params(rng, 3, 4, 2)
    return [
        Case("mlp_forward", [X, *params], name="random N=5 D=3 H=4 K=2"),
        Case("mlp_backward", [rng.normal(size=(5, 2)), X, *params], name="random gradient"),
        Case("mlp_train_step", [X, rng.normal(size=(5, 2)), *params, 0.1],
             name="random training step"),
        Case("mlp_backward", [rng.normal(size=(1, 2)), X[:1], *params],
             name="random gradient, a batch of one example"),
    ]


X1 = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
P1 = [np.array([[1.0, -1.0, 0.5], [0.5, 2.0, -1.0]]), np.array([0.0, 0.5, -0.5]),
      np.array([[1.0], [-2.0], [0.5]]), np.array([0.1])]
Y1 = np.array([[1.0], [0.0], [1.0]])
RNG = np.random.default_rng(99)
X2 = RNG.normal(size=(4, 3))
P2 = _params(RNG, 3, 2, 3)

CHECKS = Checks(
    cases=[
        Case("mlp_forward", [X1, *P1], name="the README example"),
        Case("mlp_forward", [X2, *P2], name="N=4 D=3 H=2 K=3"),
        Case("mlp_backward", [np.array([[1.0], [-1.0], [0.5]]), X1, *P1],
             name="the README gradient"),
        Case("mlp_backward", [RNG.normal(size=(4, 3)), X2, *P2], name="N=4 D=3 H=2 K=3"),
        Case("mlp_train_step", [X1, Y1, *P1, 0.5], name="the README training step"),
        Case("mlp_train_step", [X2, RNG.normal(size=(4, 3)), *P2, 0.2],
             name="N=4 D=3 H=2 K=3, lr 0.2"),
    ],
    hidden=[
        Case("mlp_forward", [np.eye(2), np.ones((2, 2)), np.zeros(2), np.ones((2, 1)),
                             np.zeros(1)]),
        Case("mlp_backward", [np.array([[0.5, -0.5]]), np.array([[1.0, 2.0, -1.0]]),
                              *_params(np.random.default_rng(5), 3, 3, 2)]),
        Case("mlp_train_step", [np.array([[0.5, -1.0], [2.0, 0.0]]), np.array([[1.0], [-1.0]]),
                                *_params(np.random.default_rng(6), 2, 3, 1), 1.0]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="mlp-sigmoid.sigmoid-output",
            title="putting a sigmoid on the output layer as well",
            explanation="This network does regression: its output must be able to take any "
            "value, so the last layer is linear. A sigmoid there squeezes predictions into "
            "(0, 1).",
            hints=[
                "Can your output be larger than 1?",
                "Only the hidden layer has a non-linearity.",
                "out = hidden @ W2 + b2.",
            ],
            replace={"mlp_forward": _sigmoid_output},
        ),
        Misconception(
            id="mlp-sigmoid.derivative-on-preactivation",
            title="applying s(1 - s) to the pre-activation z instead of to the sigmoid output",
            explanation="sigmoid'(z) = sigmoid(z) (1 - sigmoid(z)): the formula takes the unit's "
            "OUTPUT. z (1 - z) is a different function.",
            hints=[
                "At z = 0 the sigmoid's slope is 0.25; what does your formula give?",
                "Use the hidden activations, not z.",
                "dz = dhidden * hidden * (1 - hidden).",
            ],
            replace={"mlp_backward": _deriv_on_z, "mlp_train_step": _step_with(_deriv_on_z)},
        ),
        Misconception(
            id="mlp-sigmoid.missing-sigmoid-derivative",
            title="backpropagating through the hidden layer without the sigmoid's derivative",
            explanation="Between W2 and W1 sits a sigmoid; the chain rule multiplies by its slope "
            "at each unit. Without it, saturated units pass gradient as if they were linear.",
            hints=[
                "Which functions lie between the loss and W1?",
                "d hidden / d z is not 1.",
                "Multiply dhidden by hidden * (1 - hidden).",
            ],
            replace={"mlp_backward": _no_deriv, "mlp_train_step": _step_with(_no_deriv)},
        ),
        Misconception(
            id="mlp-sigmoid.skips-w2",
            title="sending the output gradient to the hidden layer without going through W2",
            explanation="Each hidden unit affects the output through its row of W2, so the "
            "gradient reaching it is dout @ W2.T.",
            hints=[
                "What shape must the gradient at the hidden layer have, and how do you get it "
                "from dout?",
                "It is the dense layer's dx: dout times the transposed weights.",
                "dhidden = dout @ W2.T.",
            ],
            replace={"mlp_backward": _no_w2, "mlp_train_step": _step_with(_no_w2)},
        ),
        Misconception(
            id="mlp-sigmoid.sequential-update",
            title="updating W2 before computing the gradient of W1",
            explanation="All gradients belong to one point in weight space. Recomputing W1's "
            "gradient after W2 moved mixes two points.",
            hints=[
                "In what order do you compute gradients and apply updates?",
                "Compute every gradient first, from the current weights.",
                "grads = mlp_backward(...); then update all four parameters.",
            ],
            replace={"mlp_train_step": _step_with(ref.mlp_backward, sequential=True)},
        ),
        Misconception(
            id="mlp-sigmoid.mse-sum",
            title="starting backpropagation from the gradient of the summed squared error",
            explanation="The loss is the MEAN squared error, so the gradient at the output is "
            "2 (out - y) / out.size.",
            hints=[
                "Does your step size depend on how many examples there are?",
                "The mean divides by the number of elements.",
                "dout = 2 * (out - y) / out.size.",
            ],
            replace={"mlp_train_step": _step_mse_sum},
        ),
    ],
)
