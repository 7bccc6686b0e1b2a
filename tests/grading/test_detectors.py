"""Shapes of a mistake no misconception catalogues, and messages that tell the truth.

Realistic buggy solutions are graded twice: with the exercise's catalogue, and with an
empty one (the mistake is then outside the catalogue, as in most learners' code). None
passes, and without the catalogue each is named by its shape.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest

from deepcareer.curriculum.catalog import Catalog, Exercise
from deepcareer.grading.detectors import detect, detect_output
from deepcareer.grading.diagnose import diagnose
from deepcareer.grading.grader import grade
from deepcareer.grading.report import Report
from deepcareer.grading.spec import Case, Misconception

SEED = 5


def _bare(ex: Exercise) -> Exercise:
    """The exercise with an empty misconception catalogue."""
    out = copy.copy(ex)
    out.__dict__["checks"] = replace(ex.checks, misconceptions=())
    return out


def _shape_keys(rep: Report) -> list[str]:
    return [c.name for c in rep.checks if c.name.startswith("shape of the mistake")]


SOFTMAX_AXIS0 = """import numpy as np
def softmax(logits):
    s = logits - logits.max(axis=0, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=0, keepdims=True)
"""

SOFTMAX_F32 = """import numpy as np
def softmax(logits):
    x = logits.astype(np.float32)
    s = x - x.max(axis=-1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=-1, keepdims=True)
"""

DENSE_DX_TRANSPOSED = """import numpy as np
def dense_forward(x, W, b):
    return x @ W + b
def dense_backward(dout, x, W):
    return (dout @ W.T).T, x.T @ dout, dout.sum(axis=0)
"""

DENSE_DB_KEEPDIMS = """import numpy as np
def dense_forward(x, W, b):
    return x @ W + b
def dense_backward(dout, x, W):
    return dout @ W.T, x.T @ dout, dout.sum(axis=0, keepdims=True)
"""

DROPOUT_NO_RESCALE = """import numpy as np
def dropout_forward(x, p, u, training):
    if not training:
        return x
    return x * (u >= p)
def dropout_backward(dout, p, u, training):
    if not training:
        return dout
    return dout * (u >= p)
"""

MSE_BY_ROWS = """import numpy as np
def mse(pred, target):
    d = pred - target
    return np.sum(d * d) / pred.shape[0]
def mse_grad(pred, target):
    return 2.0 * (pred - target) / pred.size
"""

MSE_INTEGER_DIVISION = """import numpy as np
def mse(pred, target):
    d = pred - target
    return np.sum(d * d) // pred.size
def mse_grad(pred, target):
    return 2.0 * (pred - target) / pred.size
"""

MSE_GRAD_SIGN = """import numpy as np
def mse(pred, target):
    d = pred - target
    return np.mean(d * d)
def mse_grad(pred, target):
    return 2.0 * (target - pred) / pred.size
"""

CE_SUMMED = """import numpy as np
def _ls(z):
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))
def cross_entropy(logits, labels):
    n = logits.shape[0]
    return -np.sum(_ls(logits)[np.arange(n), labels])
def cross_entropy_grad(logits, labels):
    n = logits.shape[0]
    p = np.exp(_ls(logits))
    p[np.arange(n), labels] -= 1
    return p / n
"""

CE_BOOL = """import numpy as np
def _ls(z):
    s = z - z.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))
def cross_entropy(logits, labels):
    n = logits.shape[0]
    return -np.mean(_ls(logits)[np.arange(n), labels]) > 0
def cross_entropy_grad(logits, labels):
    n = logits.shape[0]
    p = np.exp(_ls(logits))
    p[np.arange(n), labels] -= 1
    return p / n
"""

EARLY_STOPPING_PLUS_ONE = """import numpy as np
def early_stopping(val_losses, patience):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return best_epoch + 1, epoch + 1
    return best_epoch + 1, len(val_losses)
"""

# Compares with the previous epoch instead of the best: agrees with the tie mistake on only
# some of the cases where that shows, so it must not be called that.
EARLY_STOPPING_PREVIOUS = """import numpy as np
def early_stopping(val_losses, patience):
    prev, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < prev:
            best_epoch, wait = epoch, 0
        else:
            wait += 1
            if wait == patience:
                return best_epoch, epoch
        prev = loss
    return best_epoch, len(val_losses) - 1
"""


def test_comparing_with_the_previous_epoch_is_not_misnamed(catalog: Catalog) -> None:
    rep = grade(catalog.get("early-stopping"), EARLY_STOPPING_PREVIOUS, seed=SEED)
    assert rep.status == "fail"
    assert not rep.findings and "This may be" not in rep.message
    assert "returned 3, expected 1" in rep.message  # both numbers, not "1 of 1 values"


LAYER_NORM_F32 = """import numpy as np
def layernorm_forward(x, gamma, beta, eps):
    x = x.astype(np.float32)
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (gamma * (x - mu) / np.sqrt(var + eps) + beta).astype(np.float64)
def layernorm_backward(dout, x, gamma, eps):
    d = x.shape[-1]
    mu = x.mean(axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    x_hat = (x - mu) * inv_std
    dxhat = dout * gamma
    dx = inv_std / d * (d * dxhat - dxhat.sum(axis=-1, keepdims=True)
                        - x_hat * (dxhat * x_hat).sum(axis=-1, keepdims=True))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
"""

# (exercise, source, the shape's key in the check name, words the headline must hold)
BUGGY = {
    "softmax over the wrong axis": ("softmax", SOFTMAX_AXIS0, "normalised-axis", "axis"),
    "dense dx transposed": ("dense-layer", DENSE_DX_TRANSPOSED, "transposed", "transpose"),
    "dense db keepdims": ("dense-layer", DENSE_DB_KEEPDIMS, "keepdims", "(1, "),
    "dropout without 1/(1-p)": ("dropout", DROPOUT_NO_RESCALE, "factor", "1 - p"),
    "mse divided by rows": ("mse", MSE_BY_ROWS, "factor", "each row of `pred`"),
    "integer division in a mean": ("mse", MSE_INTEGER_DIVISION, "integer", "whole number"),
    "float32 softmax": ("softmax", SOFTMAX_F32, "float32", "float32"),
    "float32 inside, float64 out": ("layer-norm", LAYER_NORM_F32, "float32", "rounding"),
    "loss off by the batch size": ("cross-entropy", CE_SUMMED, "factor", "batch size"),
    "sign-flipped gradient": ("mse", MSE_GRAD_SIGN, "factor", "minus"),
    "a bool for a number": ("cross-entropy", CE_BOOL, "bool", "True/False"),
    "epochs counted from 1": ("early-stopping", EARLY_STOPPING_PLUS_ONE, "off-by-one",
                              "one more"),
}


@pytest.mark.parametrize("bug", list(BUGGY))
def test_buggy_solution_outside_the_catalogue_is_named_by_its_shape(
        bug: str, catalog: Catalog) -> None:
    exercise_id, source, key, words = BUGGY[bug]
    ex = catalog.get(exercise_id)
    with_catalogue = grade(ex, source, seed=SEED)
    assert with_catalogue.status == "fail", with_catalogue.message
    rep = grade(_bare(ex), source, seed=SEED)
    assert rep.status == "fail", rep.message
    names = _shape_keys(rep)
    assert names and names[0].startswith(f"shape of the mistake: {key}"), (names, rep.message)
    assert words in rep.message, rep.message
    assert "The shape of the mistake" in rep.message or "rounding" in rep.message
    # What it saw, where, and a hint.
    first = rep.checks[0]
    assert " on " in first.message and "Hint:" in first.message


def test_a_correct_float32_solution_gets_the_precision_finding(catalog: Catalog) -> None:
    rep = grade(catalog.get("softmax"), SOFTMAX_F32, seed=SEED)
    assert rep.status == "fail"
    assert "Only rounding separates" in rep.message and "float32" in rep.message
    assert "float64" in rep.checks[0].message
    failing = [c for c in rep.checks if c.name.startswith("softmax(")]
    assert any("float32" in c.message for c in failing if c.status == "fail")


def test_the_reference_in_float64_still_passes(catalog: Catalog) -> None:
    rep = grade(catalog.get("softmax"), catalog.get("softmax").reference_source, seed=SEED)
    assert rep.status == "pass" and not _shape_keys(rep)


def test_the_headline_prefers_a_shape_mismatch_and_a_small_shown_case(catalog: Catalog) -> None:
    # Squeezed (shape (3,) for a (1, 3) input) and slightly off elsewhere: no shape of the
    # mistake covers most cases, so the headline shows the most telling failed case.
    source = """import numpy as np
def softmax(logits):
    s = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(s)
    p = e / e.sum(axis=-1, keepdims=True)
    return np.squeeze(p * 1.01 + 0.001)
"""
    rep = grade(_bare(catalog.get("softmax")), source, seed=SEED)
    assert rep.status == "fail"
    assert "returned shape" in rep.message, rep.message


# --- the detectors on their own --------------------------------------------------------


def _keys(got: object, expected: object, **args: object) -> list[str]:
    return [s.key for s in detect_output(got, expected, list(args.items()))]


def test_detectors_on_arrays() -> None:
    rng = np.random.default_rng(0)
    e = rng.normal(size=(3, 4))
    assert _keys(e.T, e) == ["transposed"]
    square = rng.normal(size=(3, 3))
    assert "transposed" in _keys(square.T, square)
    assert _keys(e[None], e) == ["keepdims"]
    col = rng.normal(size=4)
    assert _keys(col[:, None] - col[None, :], col) == ["broadcast"]
    x = rng.normal(size=(5, 4))
    assert _keys(x.sum(axis=0), x.sum(axis=1), x=x) == ["reduction-axis"]
    assert _keys(x.sum(), x.sum(axis=1)) == ["over-reduced"]
    assert "factor:sign" in _keys(-e, e)
    assert "factor:one-minus:p:direct" in _keys(e * 0.8, e, p=0.2)
    assert "factor:inv-one-minus:p:direct" in _keys(e / 0.8, e, p=0.2)
    assert "factor:rows:x:direct" in _keys(e * 5, e, x=x)
    assert _keys(np.roll(e, 1, axis=1), e) == ["shifted"] or "shifted" in _keys(
        np.roll(e, 1, axis=1), e)
    assert _keys(np.floor(e * 3), e * 3) == ["integer"]
    assert _keys(np.int64(4), np.int64(3)) == ["off-by-one"]
    assert _keys(e + 0.25, e) == ["offset"]
    assert _keys(e > 0, e) == ["bool"]
    bad = e.copy()
    bad[1, 2] = np.nan
    assert _keys(bad, e) == ["non-finite"]
    assert _keys(e.astype(np.float32) * np.float32(1 + 1e-6), e) == ["float32"]


def test_swapped_axes_and_a_step_off_by_a_factor() -> None:
    e = np.random.default_rng(3).normal(size=(2, 3, 4))
    found = detect_output(e.transpose(0, 2, 1), e, [])
    assert [s.key for s in found] == ["transposed"] and "axes 1 and 2" in found[0].detail
    w = np.random.default_rng(4).normal(size=5)
    step = np.random.default_rng(5).normal(size=5)
    right, twice = w - 0.1 * step, w - 0.1 * 0.1 * step
    found = detect_output(twice, right, [("w", w), ("lr", 0.1)])
    assert found and found[0].key.startswith("step-factor:param:lr")
    assert "the change from `w`" in found[0].detail


def test_a_factor_is_named_only_when_the_call_offers_it() -> None:
    e = np.random.default_rng(1).normal(size=(3, 4))
    found = detect_output(e * 0.5, e, [("p", 0.5)])
    assert any("1 - p" in s.detail for s in found)
    bare = detect_output(e * 0.5, e, [])
    assert bare and all("square" not in s.detail + s.hint for s in bare)
    assert all("batch" not in s.detail for s in bare)


def test_unrelated_noise_has_no_shape() -> None:
    rng = np.random.default_rng(2)
    e = rng.normal(size=(4, 5))
    assert _keys(e + rng.normal(size=e.shape), e, x=e) == []


def test_likely_needs_most_of_the_revealing_cases() -> None:
    # A variant that differs from the reference on two cases; the learner agrees on one.
    cases = [Case("f", [np.array([1.0])]), Case("f", [np.array([2.0])]),
             Case("f", [np.array([3.0])])]

    def ref(x: np.ndarray) -> np.ndarray:
        return x

    def buggy(x: np.ndarray) -> np.ndarray:
        return x * 2 if x[0] > 1 else x

    m = Misconception("ex.m", "a mistake", "", ["a", "b", "c"], {"f": buggy})
    expected = [ref(c.args[0]) for c in cases]
    learner = [np.array([1.0]), np.array([4.0]), np.array([7.0])]  # 1 of 2 revealing cases
    found = diagnose(cases, learner, expected, [m], lambda name: ref, rtol=1e-5, atol=1e-8,
                     available=[True] * 3)
    assert found == []
    learner = [np.array([1.0]), np.array([4.0]), np.array([6.0])]  # 2 of 2: everywhere
    found = diagnose(cases, learner, expected, [m], lambda name: ref, rtol=1e-5, atol=1e-8,
                     available=[True] * 3)
    assert found and found[0].confidence == "diagnosed"


def test_a_catalogued_mistake_made_in_one_function_is_named_there(catalog: Catalog) -> None:
    # mse.batch-only divides by the rows in both functions; this learner did it in mse()
    # only (mse_grad is right): diagnosed, in mse(), and no generic shape for that output.
    rep = grade(catalog.get("mse"), MSE_BY_ROWS, seed=SEED)
    assert rep.status == "fail"
    assert rep.findings and rep.findings[0].misconception == "mse.batch-only"
    assert rep.findings[0].confidence == "diagnosed"
    assert "This looks like" in rep.message and "(in mse())" in rep.message
    assert rep.findings[0].evidence.startswith("In mse():")
    assert not any(c.name.startswith("shape of the mistake") and "mse()" in c.name
                   for c in rep.checks)
    # Without the catalogue the same code gets the factor shape, named by the call.
    bare = grade(_bare(catalog.get("mse")), MSE_BY_ROWS, seed=SEED)
    shape = next(c for c in bare.checks if c.name.startswith("shape of the mistake: factor"))
    assert "each row of `pred`" in shape.message
    assert "Hint: where does the number of values per row" in shape.message
    assert "Hint: where does the number of values per row" in shape.message


def test_evidence_of_a_catalogued_mistake_uses_ordinary_inputs(catalog: Catalog) -> None:
    # The axis bug shows on every case; its evidence should not be the overflow case.
    rep = grade(catalog.get("softmax"), SOFTMAX_AXIS0, seed=SEED)
    assert rep.findings and rep.findings[0].misconception == "softmax.wrong-axis"
    assert "1000" not in rep.findings[0].evidence and "1000" not in rep.message


def test_a_reduction_over_another_axis_is_seen_by_its_values() -> None:
    # On a square input the shapes cannot tell axis 0 from axis 1; the values can.
    x = np.random.default_rng(3).normal(size=(4, 4))
    assert "reduction-axis" in _keys(x.mean(axis=0), x.mean(axis=1), x=x)
    assert "reduction-axis" in _keys(x - x.max(axis=0, keepdims=True),
                                     x - x.max(axis=1, keepdims=True), x=x)
    assert "reduction-axis" not in _keys(x.mean(axis=1) + 1.0, x.mean(axis=1), x=x)


def test_an_inverted_selection_is_named_whatever_the_scale() -> None:
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    keep = np.array([[True, False, True, False]])
    assert "inverted-selection" in _keys(x * ~keep * 3.0, x * keep * 2.0, x=x)
    assert "inverted-selection" not in _keys(x * keep * 3.0, x * keep * 2.0, x=x)


def test_a_mean_over_several_axes_names_the_count_per_result() -> None:
    dout = np.random.default_rng(4).normal(size=(2, 3, 4, 5))
    seen = detect_output(dout.mean(axis=(0, 2, 3)), dout.sum(axis=(0, 2, 3)),
                         [("dout", dout)], "db")
    assert seen and seen[0].key == "factor:per-result:dout:inv"
    assert "40, the number of values of `dout`" in seen[0].detail


def test_a_misused_argument_is_named_from_a_rerun_of_the_reference() -> None:
    def pool(x: np.ndarray, size: int, stride: int) -> np.ndarray:
        return np.array([x[i:i + size].max() for i in range(0, len(x) - size + 1, stride)])

    xs = [np.random.default_rng(i).normal(size=9) for i in range(3)]
    cases = [Case("pool", [x, 3, 1], name=f"case {i}") for i, x in enumerate(xs)]
    expected = [pool(*c.args) for c in cases]
    learner = [pool(x, 3, 3) for x in xs]  # stride read as size
    shapes = detect(cases, [c.name for c in cases], learner, expected, [True] * 3,
                    names=lambda call: ["out"], reference=lambda call: pool,
                    run=lambda fn, case: fn(*case.args))
    assert shapes and shapes[0].seen.key == "argument:stride:=size"
    assert "`stride` read as `size`" in shapes[0].seen.title
    assert shapes[0].explained == 3
