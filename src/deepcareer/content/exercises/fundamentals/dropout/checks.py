"""Cases and misconceptions for inverted dropout."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, Property


def _no_rescale_forward(x, p, u, training):
    if not training:
        return x
    return x * (u >= p)


def _no_rescale_backward(dout, p, u, training):
    if not training:
        return dout
    return dout * (u >= p)


def _classic_forward(x, p, u, training):
    # "Vanilla" dropout: no rescaling in training, multiply by the keep rate at evaluation.
    if not training:
        return x * (1.0 - p)
    return x * (u >= p)


def _classic_backward(dout, p, u, training):
    if not training:
        return dout * (1.0 - p)
    return dout * (u >= p)


def _drops_at_eval_forward(x, p, u, training):
    return x * (u >= p) / (1.0 - p)


def _drops_at_eval_backward(dout, p, u, training):
    return dout * (u >= p) / (1.0 - p)


def _keep_prob_forward(x, p, u, training):
    # Reads p as the probability of keeping a unit.
    if not training:
        return x
    return x * (u < p) / p


def _keep_prob_backward(dout, p, u, training):
    if not training:
        return dout
    return dout * (u < p) / p


def _backward_no_mask(dout, p, u, training):
    if not training:
        return dout
    return dout / (1.0 - p)


def _strict_mask_forward(x, p, u, training):
    if not training:
        return x
    return x * (u > p) / (1.0 - p)


def _strict_mask_backward(dout, p, u, training):
    if not training:
        return dout
    return dout * (u > p) / (1.0 - p)


def _kept_or_zero(case, out):
    x = np.asarray(case.args[0], dtype=float)
    out = np.asarray(out, dtype=float)
    p, training = case.args[1], case.args[3]
    if not training or out.shape != x.shape:
        return None
    scaled = x / (1.0 - p)
    ok = np.isclose(out, 0.0) | np.isclose(out, scaled)
    if not ok.all():
        return "in training every output should be either 0 or x / (1 - p)"
    return None


def _case(rng, shape, p, training, name, call="dropout_forward"):
    first = rng.normal(size=shape)
    u = rng.random(shape)
    return Case(call, [first, p, u, training], name=name)


def _random_cases(rng):
    return [
        _case(rng, (4, 5), 0.5, True, "random batch, p = 0.5"),
        _case(rng, (3, 7), 0.2, True, "random batch, p = 0.2"),
        _case(rng, (4, 5), 0.3, False, "random batch at evaluation"),
        _case(rng, (6, 3), 0.4, True, "random upstream gradient", call="dropout_backward"),
        _case(rng, (2, 4), 0.25, False, "random gradient at evaluation", call="dropout_backward"),
    ]


X = np.array([[1.0, 2.0, 3.0, 4.0]])
U = np.array([[0.9, 0.1, 0.5, 0.7]])
DOUT = np.array([[0.5, -1.0, 2.0, 0.25]])

CHECKS = Checks(
    cases=[
        Case("dropout_forward", [X, 0.5, U, True], name="the README example"),
        Case("dropout_forward", [X, 0.5, U, False], name="the README example at evaluation"),
        Case("dropout_forward", [X, 0.5, np.array([[0.5, 0.49, 0.51, 0.0]]), True],
             name="u exactly equal to p"),
        Case("dropout_forward", [X, 0.0, U, True], name="p = 0 keeps everything"),
        Case("dropout_forward", [np.arange(6.0).reshape(2, 3) - 2.0, 0.75,
                                 np.array([[0.8, 0.2, 0.9], [0.76, 0.74, 0.1]]), True],
             name="p = 0.75"),
        Case("dropout_backward", [DOUT, 0.5, U, True], name="the README gradient"),
        Case("dropout_backward", [DOUT, 0.5, U, False], name="gradient at evaluation"),
        Case("dropout_backward", [DOUT, 0.5, np.array([[0.5, 0.49, 0.51, 0.0]]), True],
             name="gradient with u exactly equal to p"),
    ],
    hidden=[
        Case("dropout_forward", [np.linspace(-1, 1, 12).reshape(3, 4), 0.1,
                                 np.linspace(0, 0.99, 12).reshape(3, 4), True]),
        Case("dropout_forward", [np.ones((2, 2)), 0.6, np.array([[0.3, 0.6], [0.9, 0.59]]),
                                 False]),
        Case("dropout_backward", [np.linspace(1, 2, 6).reshape(2, 3), 0.3,
                                  np.array([[0.1, 0.3, 0.5], [0.7, 0.29, 0.31]]), True]),
        Case("dropout_backward", [np.full((2, 2), -0.5), 0.2, np.full((2, 2), 0.1), False]),
    ],
    random_cases=_random_cases,
    properties=[Property("outputs are 0 or x / (1 - p)", _kept_or_zero,
                         calls=("dropout_forward",))],
    misconceptions=[
        Misconception(
            id="dropout.no-rescale",
            title="dropping units in training without rescaling the survivors",
            explanation="With probability p a unit is zeroed, so its expected value shrinks to "
            "(1 - p) x. Inverted dropout divides the survivors by (1 - p) so that the expected "
            "activation in training equals the activation at evaluation.",
            hints=[
                "Average your training output over many masks: is it x?",
                "A unit survives a fraction 1 - p of the time. Which factor brings its mean "
                "back to x?",
                "Divide the masked activations (and gradients) by (1 - p).",
            ],
            replace={"dropout_forward": _no_rescale_forward,
                     "dropout_backward": _no_rescale_backward},
            reteach="Dropout must not change what the next layer sees on average, or the "
            "network trained with it behaves differently at test time. Inverted dropout puts "
            "the correction in training so evaluation is a plain identity.",
        ),
        Misconception(
            id="dropout.scale-at-eval",
            title="scaling by (1 - p) at evaluation instead of rescaling in training",
            explanation="That is the original (non-inverted) formulation. It is a different "
            "convention from the one asked for: here evaluation must return x unchanged and "
            "the rescaling happens in training.",
            hints=[
                "What does your function return when training is False?",
                "With inverted dropout the evaluation pass does no arithmetic at all.",
                "Return x at evaluation, and divide by (1 - p) in training instead.",
            ],
            replace={"dropout_forward": _classic_forward, "dropout_backward": _classic_backward},
        ),
        Misconception(
            id="dropout.drops-at-eval",
            title="dropping units at evaluation time too",
            explanation="Dropout is a training-time regulariser. At evaluation the network "
            "should be deterministic and use every unit.",
            hints=[
                "Does your function look at the training flag?",
                "Evaluate the same input twice with different u at evaluation: the output "
                "should not change.",
                "If not training: return x (and dout in the backward pass).",
            ],
            replace={"dropout_forward": _drops_at_eval_forward,
                     "dropout_backward": _drops_at_eval_backward},
        ),
        Misconception(
            id="dropout.p-as-keep",
            title="treating p as the probability of keeping a unit",
            explanation="Here p is the drop probability (as in PyTorch's nn.Dropout(p)); the "
            "keep probability is 1 - p. Keras's rate means the same thing, but some older "
            "code passes keep_prob.",
            hints=[
                "With p = 0, how many units should survive?",
                "A unit is dropped with probability p, so it is kept where u >= p.",
                "mask = u >= p and scale by 1 / (1 - p).",
            ],
            replace={"dropout_forward": _keep_prob_forward,
                     "dropout_backward": _keep_prob_backward},
        ),
        Misconception(
            id="dropout.backward-no-mask",
            title="backward pass that ignores the dropout mask",
            explanation="A dropped unit contributed nothing to the output, so no gradient flows "
            "back through it. The backward pass multiplies dout by the same mask and the same "
            "factor as the forward pass.",
            hints=[
                "Which units of x influenced the output in training?",
                "The derivative of x * mask / (1 - p) with respect to x is mask / (1 - p).",
                "Return dout * (u >= p) / (1 - p) in training.",
            ],
            replace={"dropout_backward": _backward_no_mask},
        ),
        Misconception(
            id="dropout.strict-mask",
            title="keeping units only where u > p (a strict comparison)",
            explanation="The rule here is keep where u >= p, so that p = 0 keeps every unit even "
            "when a sample is exactly 0. A strict comparison drops units whose sample equals p.",
            hints=[
                "Look at the case where some u are exactly equal to p.",
                "With p = 0 and u = 0, should the unit survive?",
                "Use u >= p.",
            ],
            replace={"dropout_forward": _strict_mask_forward,
                     "dropout_backward": _strict_mask_backward},
        ),
    ],
)
