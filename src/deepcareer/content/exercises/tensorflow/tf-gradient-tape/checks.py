"""Cases and misconceptions for GradientTape. Outputs are compared as NumPy arrays.

The reference needs TensorFlow; the buggy variants are written as a learner would write them.
TensorFlow is imported inside the variants, not at the top: building the cases then needs only
NumPy, so the sandbox starts importing TensorFlow while this process does the same.
"""

import importlib

import numpy as np

from deepcareer.grading.spec import BEYOND_OVERFLOW, Case, Checks, Misconception


def _tf():
    return importlib.import_module("tensorflow")


def _c(a):
    return _tf().constant(np.asarray(a, dtype=float))


def _linear(x, W, b, dout, *, how):
    tf = _tf()
    tx, tW, tb = (_c(a) for a in (x, W, b))
    with tf.GradientTape() as tape:
        tape.watch([tx, tW, tb])
        out = tx @ tW + tb
        if how == "sum":
            target = tf.reduce_sum(out)  # as if the upstream gradient were all ones
        else:
            target = tf.reduce_mean(out * _c(dout))
    return tape.gradient(target, [tx, tW, tb])


def _linear_sum(x, W, b, dout):
    return _linear(x, W, b, dout, how="sum")


def _linear_mean(x, W, b, dout):
    return _linear(x, W, b, dout, how="mean")


def _mse_sum(pred, target):
    tf = _tf()
    tp = tf.Variable(np.asarray(pred, dtype=float))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(tp - target))
    return tape.gradient(loss, tp)


def _mse_wrt_target(pred, target):
    tf = _tf()
    tt = tf.Variable(np.asarray(target, dtype=float))
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(pred - tt))
    return tape.gradient(loss, tt)


def _logistic(X, y, w, b, *, mode):
    tf = _tf()
    tw, tb = tf.Variable(np.asarray(w, dtype=float)), tf.Variable(np.float64(b))
    labels = _c(y)
    with tf.GradientTape() as tape:
        logits = tf.linalg.matvec(_c(X), tw) + tb
        if mode == "by-hand":
            # the textbook formula on probabilities: log(0) once sigmoid saturates
            p = tf.sigmoid(logits)
            per = -(labels * tf.math.log(p) + (1.0 - labels) * tf.math.log(1.0 - p))
        elif mode == "double-sigmoid":
            # probabilities passed where logits are expected: sigmoid is applied twice
            per = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels,
                                                          logits=tf.sigmoid(logits))
        else:
            per = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
        loss = tf.reduce_sum(per) if mode == "sum" else tf.reduce_mean(per)
    return tape.gradient(loss, [tw, tb])


def _logistic_double_sigmoid(X, y, w, b):
    return _logistic(X, y, w, b, mode="double-sigmoid")


def _logistic_by_hand(X, y, w, b):
    return _logistic(X, y, w, b, mode="by-hand")


def _logistic_sum(X, y, w, b):
    return _logistic(X, y, w, b, mode="sum")


def _random_cases(rng):
    n = int(rng.integers(5, 9))
    return [
        Case("linear_grads", [rng.normal(size=(4, 3)), rng.normal(size=(3, 2)),
                              rng.normal(size=2), rng.normal(size=(4, 2))],
             name="random N=4 D=3 M=2"),
        Case("mse_grad", [rng.normal(size=(3, 2)), rng.normal(size=(3, 2))], name="random 3 x 2"),
        Case("logistic_grads", [rng.normal(size=(n, 3)), rng.integers(0, 2, size=n).astype(float),
                                rng.normal(size=3), float(rng.normal())],
             name=f"random N={n} D=3"),
        Case("logistic_grads", _extreme(rng, n), name=f"random N={n} D=3, logits up to +-800"),
    ]


def _extreme(rng, n):
    """[X, y, w, b] with the largest |logit| exactly 800: the stable form is tested every run."""
    X, w = rng.normal(size=(n, 3)), rng.normal(size=3)
    X *= BEYOND_OVERFLOW / np.max(np.abs(X @ w))
    z = X @ w
    y = (z < 0).astype(float)  # every label on the wrong side: log(sigmoid) meets log(0)
    return [X, y, w, 0.0]


X = np.array([[1.0, 2.0], [3.0, -1.0]])
W = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
B = np.array([0.1, 0.2, 0.3])
DOUT = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0]])
XL = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.5]])
YL = np.array([1.0, 0.0, 1.0, 0.0])

CHECKS = Checks(
    cases=[
        Case("linear_grads", [X, W, B, DOUT], name="the dense-layer README example"),
        Case("mse_grad", [np.array([2.5, 0.0, 2.0, 8.0]), np.array([3.0, -0.5, 2.0, 7.0])],
             name="the mse README example"),
        Case("logistic_grads", [XL, YL, np.zeros(2), 0.0], name="the README example"),
        Case("logistic_grads", [XL, YL, np.array([1.0, -2.0]), 0.5], name="non-zero weights"),
        # Logits of +-800, beyond exp's overflow point (about 709.8), on the wrong side of their
        # labels: log(sigmoid(z)) written by hand gives log(0) and NaN gradients there.
        Case("logistic_grads", [np.array([[400.0, 0.0], [-400.0, 0.0], [1.0, 1.0]]),
                                np.array([0.0, 1.0, 1.0]), np.array([2.0, 0.5]), 0.0],
             name="logits of +-800"),
    ],
    hidden=[
        Case("linear_grads", [np.eye(2), np.ones((2, 2)), np.zeros(2),
                              np.array([[1.0, 2.0], [3.0, 4.0]])]),
        Case("mse_grad", [np.linspace(0, 1, 6).reshape(2, 3), np.ones((2, 3))]),
        Case("logistic_grads", [np.array([[3.0, -1.0], [0.5, 0.5], [-2.0, 1.0]]),
                                np.array([0.0, 1.0, 1.0]), np.array([0.3, 0.7]), -0.2]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="tf-gradient-tape.gradient-of-sum",
            title="taking the gradient of reduce_sum(out) instead of passing the upstream "
            "gradient",
            explanation="tape.gradient(reduce_sum(out), ...) is the gradient of sum(out), as if "
            "dL/d(out) were all ones. A given dout goes in as output_gradients=dout.",
            hints=[
                "Does your answer change when dout changes?",
                "tape.gradient takes output_gradients for a non-scalar target.",
                "tape.gradient(out, [x, W, b], output_gradients=dout).",
            ],
            replace={"linear_grads": _linear_sum},
        ),
        Misconception(
            id="tf-gradient-tape.mean-with-dout",
            title="differentiating reduce_mean(out * dout) instead of out with gradient dout",
            explanation="Weighting by dout is right, but the mean divides every gradient by the "
            "number of elements of out.",
            hints=[
                "Compare with your NumPy dense-layer gradients: what factor separates them?",
                "reduce_sum(out * dout) would be right; reduce_mean is not.",
                "tape.gradient(out, sources, output_gradients=dout).",
            ],
            replace={"linear_grads": _linear_mean},
        ),
        Misconception(
            id="tf-gradient-tape.mse-sum",
            title="summing the squared errors where the mean is asked for",
            explanation="reduce_sum makes the gradient grow with the number of elements; the "
            "mean squared error divides by it.",
            hints=[
                "Is your gradient too large by a whole-number factor?",
                "The loss is a mean.",
                "tf.reduce_mean(tf.square(pred - target)).",
            ],
            replace={"mse_grad": _mse_sum},
        ),
        Misconception(
            id="tf-gradient-tape.grad-of-target",
            title="watching the target instead of the prediction",
            explanation="Only the prediction depends on the model; the target is data. The "
            "gradient with respect to the target is minus the one asked for.",
            hints=[
                "Which tensor did the tape watch?",
                "Differentiate with respect to pred.",
                "tp = tf.Variable(pred); ... tape.gradient(loss, tp).",
            ],
            replace={"mse_grad": _mse_wrt_target},
        ),
        Misconception(
            id="tf-gradient-tape.sigmoid-then-from-logits",
            title="feeding probabilities to a loss that expects logits",
            explanation="sigmoid_cross_entropy_with_logits (and Keras losses with "
            "from_logits=True) apply the sigmoid themselves. Passing sigmoid(z) applies it "
            "twice: the loss is wrong and its gradients are squashed.",
            hints=[
                "What does the `logits` argument expect: scores or probabilities?",
                "The loss applies the sigmoid for you.",
                "Pass X @ w + b itself as logits.",
            ],
            replace={"logistic_grads": _logistic_double_sigmoid},
            reteach="TensorFlow and Keras losses come in two kinds: from logits (raw scores, "
            "numerically stable) and from probabilities. Pick one and feed it what it expects; "
            "models usually output logits.",
        ),
        Misconception(
            id="tf-gradient-tape.log-of-sigmoid",
            title="writing the cross-entropy by hand as log(sigmoid(z)) and log(1 - sigmoid(z))",
            explanation="For |z| beyond about 37 in float64, sigmoid(z) rounds to exactly 1 (or "
            "its complement to 0), so log(1 - sigmoid(z)) is log(0) = -inf and the gradient "
            "through it is NaN. The loss written from the logits never forms that 0.",
            hints=[
                "Your gradients are right for small logits. What are they for a logit of 800 "
                "with label 0?",
                "The README names the losses that take logits and apply the sigmoid "
                "themselves, stably.",
                "tf.nn.sigmoid_cross_entropy_with_logits(labels=..., logits=X @ w + b), then "
                "the mean.",
            ],
            replace={"logistic_grads": _logistic_by_hand},
        ),
        Misconception(
            id="tf-gradient-tape.logistic-sum",
            title="summing the per-example losses instead of averaging them",
            explanation="The loss is the mean over the batch; a sum scales the gradient with "
            "the batch size, so the learning rate would have to change with it.",
            hints=[
                "Does your gradient grow with N?",
                "Average over the batch.",
                "tf.reduce_mean(...) around the per-example losses.",
            ],
            replace={"logistic_grads": _logistic_sum},
        ),
    ],
)
