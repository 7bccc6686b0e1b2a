"""How an output was obtained: inputs changed in place, numerical warnings, chance-free cases.

Each learner file here is written the way a new learner writes it from the README alone, not
copied from a misconception catalogue. Before these checks each one passed (or passed by
chance): the values were right, or no case reached the inputs that break them.
"""

from __future__ import annotations

import numpy as np
import pytest

from deepcareer.curriculum.catalog import Catalog
from deepcareer.grading.grader import IN_PLACE, NUMERICAL, _conduct_checks, grade
from deepcareer.grading.report import Report
from deepcareer.grading.sandbox import CallOutcome
from deepcareer.grading.spec import Case

SOFTMAX_IN_PLACE = """import numpy as np

def softmax(logits):
    logits -= np.max(logits, axis=-1, keepdims=True)   # saves a copy
    np.exp(logits, out=logits)
    return logits / logits.sum(axis=-1, keepdims=True)
"""

SOFTMAX_GLOBAL_MAX = """import numpy as np

def softmax(logits):
    e = np.exp(logits - np.max(logits))
    return e / e.sum(axis=-1, keepdims=True)
"""

ADAM_IN_PLACE = """import numpy as np

def adam_step(w, grad, m, v, t, lr, beta1, beta2, eps):
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w, m, v
"""

RMSPROP_IN_PLACE = """import numpy as np

def rmsprop_step(w, grad, sq_avg, lr, alpha, eps):
    sq_avg *= alpha
    sq_avg += (1 - alpha) * grad * grad
    w -= lr * grad / (np.sqrt(sq_avg) + eps)
    return w, sq_avg
"""

BATCHNORM_IN_PLACE = """import numpy as np

def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum, eps, training):
    if training:
        n = x.shape[0]
        if n < 2:
            raise ValueError("need at least 2 examples")
        mu, var = x.mean(axis=0), x.var(axis=0)
        running_mean *= 1 - momentum
        running_mean += momentum * mu
        running_var *= 1 - momentum
        running_var += momentum * var * n / (n - 1)
    else:
        mu, var = running_mean, running_var
    return gamma * (x - mu) / np.sqrt(var + eps) + beta, running_mean, running_var

def batchnorm_backward(dout, x, gamma, eps):
    n = x.shape[0]
    inv = 1.0 / np.sqrt(x.var(axis=0) + eps)
    xh = (x - x.mean(axis=0)) * inv
    dxh = dout * gamma
    dx = inv / n * (n * dxh - dxh.sum(axis=0) - xh * (dxh * xh).sum(axis=0))
    return dx, (dout * xh).sum(axis=0), dout.sum(axis=0)
"""

DENSE_ZEROES_DOUT = """import numpy as np

def dense_forward(x, W, b):
    return x @ W + b

def dense_backward(dout, x, W):
    dx = dout @ W.T
    dW = x.T @ dout
    db = dout.sum(axis=0)
    dout *= 0.0   # the gradient is used up, like zero_grad() in PyTorch
    return dx, dW, db
"""

CROSS_ENTROPY_UNSHIFTED_GRAD = """import numpy as np

def cross_entropy(logits, labels):
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(labels)), labels].mean()

def cross_entropy_grad(logits, labels):
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    onehot = np.zeros_like(p)
    onehot[np.arange(len(labels)), labels] = 1.0
    return (p - onehot) / len(labels)
"""

ELU_BARE_EXP = """import numpy as np

def leaky_relu(x, alpha):
    return np.where(x > 0, x, alpha * x)

def leaky_relu_grad(x, alpha):
    return np.where(x > 0, 1.0, alpha)

def elu(x, alpha):
    return np.where(x > 0, x, alpha * (np.exp(x) - 1))

def elu_grad(x, alpha):
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))

C = np.sqrt(2 / np.pi)

def gelu(x):
    return 0.5 * x * (1 + np.tanh(C * (x + 0.044715 * x ** 3)))

def gelu_grad(x):
    t = np.tanh(C * (x + 0.044715 * x ** 3))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * 0.044715 * x ** 2)
"""

SOFTMAX_REGRESSION_UNIQUE = """import numpy as np

def softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    return exps / exps.sum(axis=1, keepdims=True)

def gradient_step(X, y, W, b, lr):
    n, k = X.shape[0], W.shape[1]
    P = softmax(X @ W + b)
    G = (P - np.eye(k)[y]) / n
    return W - lr * X.T @ G, b - lr * G.sum(axis=0)

def fit(X, y, n_classes, lr, steps):
    k = len(np.unique(y))          # the classes in the data
    W, b = np.zeros((X.shape[1], k)), np.zeros(k)
    for _ in range(steps):
        W, b = gradient_step(X, y, W, b, lr)
    return W, b

def predict(X, W, b):
    return np.argmax(X @ W + b, axis=1)
"""


def _failed(rep: Report, prefix: str) -> list[str]:
    return [c.message for c in rep.checks if c.status == "fail" and c.name.startswith(prefix)]


@pytest.mark.parametrize(("exercise", "source", "call", "argument"), [
    ("softmax", SOFTMAX_IN_PLACE, "softmax", "logits"),
    ("adam", ADAM_IN_PLACE, "adam_step", "m"),
    ("rmsprop", RMSPROP_IN_PLACE, "rmsprop_step", "sq_avg"),
    ("batch-norm", BATCHNORM_IN_PLACE, "batchnorm_forward", "running_mean"),
    ("dense-layer", DENSE_ZEROES_DOUT, "dense_backward", "dout"),
])
def test_changing_an_input_in_place_is_a_named_failure(
    catalog: Catalog, exercise: str, source: str, call: str, argument: str
) -> None:
    rep = grade(catalog.get(exercise), source, seed=3)
    assert rep.status == "fail", rep.message
    [message] = _failed(rep, f"{IN_PLACE}: {call}()")
    assert f"{call}() changed its argument" in message
    assert f"`{argument}`" in message
    # Every value is right: the in-place update is the only thing wrong, and the summary says so.
    assert all(c.status == "pass" for c in rep.checks if not c.name.startswith(IN_PLACE))
    assert rep.message.startswith("Every output is right, but")


def test_global_max_softmax_fails_on_rows_of_different_scales(catalog: Catalog) -> None:
    rep = grade(catalog.get("softmax"), SOFTMAX_GLOBAL_MAX, seed=5)
    assert rep.status == "fail"
    assert [f.misconception for f in rep.findings] == ["softmax.global-max"]
    failing = [c.name for c in rep.checks if c.status == "fail"]
    assert "softmax(rows on very different scales)" in failing
    assert "softmax(random rows on very different scales)" in failing


def test_unshifted_cross_entropy_gradient_fails_past_the_overflow_point(catalog: Catalog) -> None:
    rep = grade(catalog.get("cross-entropy"), CROSS_ENTROPY_UNSHIFTED_GRAD, seed=7)
    assert rep.status == "fail"
    assert [f.misconception for f in rep.findings] == ["cross-entropy.grad-unshifted"]
    [message] = _failed(rep, f"{NUMERICAL}: cross_entropy_grad()")
    assert "overflow encountered in exp" in message
    assert "line 9" in message  # the learner's own line, quoted


def test_bare_exp_elu_fails_with_its_overflow_named(catalog: Catalog) -> None:
    rep = grade(catalog.get("relu-family"), ELU_BARE_EXP, seed=11)
    assert rep.status == "fail", rep.message
    # The values are all right: np.where picks the right branch, but both are computed.
    assert all(c.status == "pass" for c in rep.checks if not c.name.startswith(NUMERICAL))
    [message] = _failed(rep, f"{NUMERICAL}: elu()")
    assert "overflow encountered in exp" in message
    assert "`def elu" not in message and "np.exp(x)" in message
    assert "README" in message and "expm1" not in message  # points at the README, not the answer
    assert not _failed(rep, f"{NUMERICAL}: elu_grad()")  # this one clips its exponent


@pytest.mark.parametrize("seed", range(6))
def test_class_count_from_the_labels_fails_on_every_seed(catalog: Catalog, seed: int) -> None:
    rep = grade(catalog.get("softmax-regression"), SOFTMAX_REGRESSION_UNIQUE, seed=seed)
    assert rep.status in ("fail", "error")
    bad = {c.name for c in rep.checks if c.status != "pass"}
    assert "fit(digits 0 to 7 only, n_classes = 10)" in bad
    assert "fit(40 random digits, one class absent)" in bad


def test_the_references_pass_with_the_new_cases(catalog: Catalog) -> None:
    for exercise in ("softmax", "cross-entropy", "relu-family", "softmax-regression", "adam",
                     "rmsprop", "batch-norm", "dense-layer", "data-splits", "gradient-check"):
        ex = catalog.get(exercise)
        rep = grade(ex, ex.reference_source, seed=13)
        assert rep.status == "pass", (exercise, rep.message)


def test_a_case_whose_contract_is_to_update_in_place_is_allowed() -> None:
    outcome = CallOutcome("result", value=np.zeros(2), mutated=["state"])
    assert _conduct_checks([Case("step", [np.zeros(2)], mutates=True)], ["step(...)"],
                           [outcome]) == []
    [check] = _conduct_checks([Case("step", [np.zeros(2)])], ["step(...)"], [outcome])
    assert check.name == f"{IN_PLACE}: step()" and "`state`" in check.message


def test_one_check_per_function_however_many_cases_and_warnings() -> None:
    out = CallOutcome("result", warnings=["overflow encountered in exp (line 3: `e = np.exp(x)`)",
                                          "invalid value encountered in divide"])
    cases = [Case("f", [np.ones(2)], name=str(i)) for i in range(3)]
    [check] = _conduct_checks(cases, ["f(0)", "f(1)", "f(2)"], [out, out, out])
    assert check.name == f"{NUMERICAL}: f()"
    assert "on f(0) (and 2 more cases)" in check.message
    assert "invalid value encountered in divide" in check.message  # the second, after "Then"


def test_the_child_reports_warnings_bounded_and_only_numerical_ones(catalog: Catalog) -> None:
    src = ("import warnings\nimport numpy as np\n"
           "def softmax(logits):\n"
           "    warnings.warn('a note from the learner')\n"
           "    for k in range(20):\n"
           "        np.exp(np.full(2, 800.0 + k))\n"
           "        np.log(np.zeros(1) - k)\n"
           "    s = logits - logits.max(axis=-1, keepdims=True)\n"
           "    return np.exp(s) / np.exp(s).sum(axis=-1, keepdims=True)\n")
    rep = grade(catalog.get("softmax"), src, seed=1)
    [message] = _failed(rep, f"{NUMERICAL}: softmax()")
    assert "a note from the learner" not in message
    assert message.count("encountered") <= 4


TF_BY_HAND = """import numpy as np
import tensorflow as tf

def linear_grads(x, W, b, dout):
    tx, tW, tb = (tf.constant(a) for a in (x, W, b))
    with tf.GradientTape() as tape:
        tape.watch([tx, tW, tb])
        out = tx @ tW + tb
    return tape.gradient(out, [tx, tW, tb], output_gradients=tf.constant(dout))

def mse_grad(pred, target):
    p = tf.Variable(pred)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((p - target) ** 2)
    return tape.gradient(loss, p)

def logistic_grads(X, y, w, b):
    tw, tb = tf.Variable(w), tf.Variable(np.float64(b))
    with tf.GradientTape() as tape:
        s = tf.sigmoid(tf.linalg.matvec(tf.constant(X), tw) + tb)
        loss = -tf.reduce_mean(y * tf.math.log(s) + (1 - y) * tf.math.log(1 - s))
    return tape.gradient(loss, [tw, tb])
"""


@pytest.mark.slow  # grades in TensorFlow or PyTorch: make test only
def test_hand_written_binary_cross_entropy_fails_on_extreme_logits(catalog: Catalog) -> None:
    from deepcareer.curriculum.tracks import TRACKS

    if not TRACKS["tensorflow"].available():
        pytest.skip("TensorFlow is not installed")
    rep = grade(catalog.get("tf-gradient-tape"), TF_BY_HAND, seed=17)
    assert rep.status == "fail"
    assert [f.misconception for f in rep.findings] == ["tf-gradient-tape.log-of-sigmoid"]
    bad = {c.name for c in rep.checks if c.status == "fail"}
    assert "logistic_grads(logits of +-800)" in bad


LOGISTIC_DIRECT = """import numpy as np

def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))

def bce_loss(X, y, w, b):
    z = X @ w + b
    return np.mean(np.log(1 + np.exp(z)) - y * z)

def gradients(X, y, w, b):
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return X.T @ (p - y) / len(y), np.mean(p - y)

def predict_proba(X, w, b):
    return sigmoid(X @ w + b)
"""

ATTENTION_GLOBAL_MAX = """import numpy as np

def attention(Q, K, V, mask):
    s = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    s = np.where(mask, s, -1e9)
    e = np.exp(s - s.max())
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ V, w
"""


def test_logistic_formulas_written_directly_fail_at_800(catalog: Catalog) -> None:
    rep = grade(catalog.get("logistic-regression"), LOGISTIC_DIRECT, seed=19)
    assert rep.status == "fail"
    assert _failed(rep, f"{NUMERICAL}: bce_loss()")
    # Its gradient's values are right (1 / inf is 0), but exp(800) overflowed on the way.
    [message] = _failed(rep, f"{NUMERICAL}: gradients()")
    assert "overflow encountered in exp" in message


def test_attention_with_one_shift_for_the_batch_is_diagnosed(catalog: Catalog) -> None:
    rep = grade(catalog.get("attention"), ATTENTION_GLOBAL_MAX, seed=23)
    assert rep.status == "fail"
    assert [f.misconception for f in rep.findings] == ["attention.global-max-shift"]
