"""The numbers in each README's worked example are the reference's own, to 4 decimals.

A learner reproduces the worked example by hand and checks each digit; a wrong last digit
(a hand-rounded intermediate) costs them an hour. Each test recomputes the example with the
reference solution and asserts the README prints exactly those numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from deepcareer.curriculum.catalog import Catalog
from deepcareer.curriculum.modules import load_module


def _fmt(values: Any, digits: int = 4) -> str:
    """[0.9901, -1.9801]: the README's way of writing a vector (no trailing zeros trimmed)."""
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    return "[" + ", ".join(f"{v:.{digits}f}" for v in arr) + "]"


def _num(value: float, digits: int = 4) -> str:
    return f"{float(value):.{digits}f}"


def _autodiff(ref: Any) -> list[str]:
    out, dw, db = ref.neuron_grads(np.array([1.0, -2.0]), np.array([0.5, 0.25]), 0.1)
    return [f"out = tanh(0.1) = {_num(out)}", f"dout/dw = (1 - out^2) * x = {_fmt(dw)}",
            f"dout/db = {_num(db)}"]


def _cross_entropy(ref: Any) -> list[str]:
    z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.0]])
    y = np.array([0, 1])
    lse = np.log(np.exp(z).sum(axis=1))
    rows = [f"row {i + 1}: logsumexp = {_num(lse[i])},  loss = {_num(lse[i])} - {z[i, y[i]]} = "
            f"{_num(lse[i] - z[i, y[i]])}" for i in range(2)]
    grad = ref.cross_entropy_grad(z, y)
    return [*rows, f"mean loss = {_num(ref.cross_entropy(z, y))}", f"= {_fmt(grad[0])}"]


def _logistic_regression(ref: Any) -> list[str]:
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.0]])
    y = np.array([1.0, 0.0, 1.0])
    w, b = np.array([0.5, -0.25]), 0.1
    z = X @ w + b
    per = np.log1p(np.exp(z)) - y * z
    dw, db = ref.gradients(X, y, w, b)
    return [f"p = {_fmt(ref.sigmoid(z))}", f"mean({_fmt(per)}) = {_num(ref.bce_loss(X, y, w, b))}",
            f"dw = X^T (p - y) / 3 = {_fmt(dw)}", f"db = mean(p - y) = {_num(db)}"]


def _softmax(ref: Any) -> list[str]:
    return [f"softmax = {_fmt(ref.softmax(np.array([1.0, 2.0, 3.0])))}"]


def _attention(ref: Any) -> list[str]:
    Q = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    K = np.array([[[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]])
    V = np.array([[[1.0], [2.0], [3.0]]])
    out, weights = ref.attention(Q, K, V, np.ones((1, 2, 3), dtype=bool))
    return [f"weights[0, 0] = {_fmt(weights[0, 0])}", f"weights[0, 1] = {_fmt(weights[0, 1])}",
            f"out[0, 1] = {_fmt(out[0, 1])}", f"out has shape {out.shape}",
            f"weights {weights.shape}"]


def _relu_family(ref: Any) -> list[str]:
    x = np.array([-2.0, -0.5])
    return [f"elu (1)        = [{_num(ref.elu(x, 1.0)[0])}, {_num(ref.elu(x, 1.0)[1])}",
            f"gelu           = [{_num(ref.gelu(x)[0])}, {_num(ref.gelu(x)[1])}"]


def _gradient_check(ref: Any) -> list[str]:
    A, b, w = np.array([[2.0, 1.0], [1.0, 4.0]]), np.array([1.0, -1.0]), np.array([1.0, 2.0])
    grad = ref.numerical_gradient(A, b, w, 1e-3)
    err = ref.relative_error(np.array([1.0, 2.0, 0.0]), np.array([1.1, 2.0, 0.0]))
    return [f"A w + b = [{grad[0]:.0f}, {grad[1]:.0f}]", f"= 0.1 / 2.1 = {_num(err)}"]


def _batch_norm(ref: Any) -> list[str]:
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0], [7.0, 0.0]])
    out, rm, rv = ref.batchnorm_forward(x, np.ones(2), np.zeros(2), np.zeros(2), np.ones(2),
                                        0.1, 1e-5, True)
    return [f"= {_fmt(out[:, 0])}", f"running_mean = [{rm[0]:.1f}, {rm[1]:.1f}]",
            f"= {_fmt(rv)}"]


def _data_splits(ref: Any) -> list[str]:
    xt = np.array([[1.0, 10.0, 3.0], [3.0, 20.0, 3.0], [5.0, 30.0, 3.0]])
    _, other = ref.standardize(xt, np.array([[7.0, 0.0, 3.0]]))
    return [f"-> [{other[0, 0]:.3f}, {other[0, 1]:.3f}, {other[0, 2]:.0f}]"]


def _multi_head_attention(ref: Any) -> list[str]:
    from deepcareer.curriculum.catalog import default_catalog

    x, eye = np.array([[[1.0, 0.0, 0.0, 1.0], [1.0, 1.0, 2.0, 0.0]]]), np.eye(4)
    out, weights = ref.mha_forward(x, eye, eye, eye, eye, 2, True)
    split = ref.split_heads(np.arange(12.0).reshape(1, 2, 6), 3)[0, 1]
    wide = next(m for m in default_catalog().get("multi-head-attention").checks.misconceptions
                if m.id.endswith("scale-by-model-width"))
    _, wide_weights = wide.replace["mha_forward"](x, eye, eye, eye, eye, 2, True)
    return [f"[0, 1] = [[{split[0, 0]:.0f}, {split[0, 1]:.0f}], [{split[1, 0]:.0f}, "
            f"{split[1, 1]:.0f}]]", f"weights[0, 0, 1] = {_fmt(weights[0, 0, 1])}",
            f"weights[0, 1, 1] = {_fmt(weights[0, 1, 1])}", f"out[0, 1] = {_fmt(out[0, 1])}",
            f"out[0, 0] = x[0] = [{', '.join(f'{v:.0f}' for v in out[0, 0])}]",
            f"the weights {_fmt(wide_weights[0, 0, 1])}"]


def _positional_encoding(ref: Any) -> list[str]:
    pe = ref.sinusoidal_encoding(3, 4)
    x = np.array([[1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0]])
    rotated = ref.rope(x, np.array([0, 1]))
    q, k = np.array([[1.0, 2.0, 0.5, -1.0]]), np.array([[0.5, -1.0, 2.0, 1.0]])
    near = ref.rope(q, np.array([1])) @ ref.rope(k, np.array([3])).T
    far = ref.rope(q, np.array([5])) @ ref.rope(k, np.array([7])).T
    assert f"{near[0, 0]:.4f}" == f"{far[0, 0]:.4f}"
    return [f"row 0 = [{', '.join(f'{v:.0f}' for v in pe[0])}]", f"row 1 = {_fmt(pe[1])}",
            f"-> {_fmt(rotated[1])}", f"both scores are {_num(near[0, 0])}"]


def _sampling(ref: Any) -> list[str]:
    logits = np.array([[2.0, 1.0, 0.0, -1.0]])

    def probs(t: float, k: int, p: float) -> str:
        return _fmt(ref.next_token_probs(logits, t, k, p)[0])

    u = np.random.default_rng(4).random(1)[0]
    cdf = np.cumsum(ref.next_token_probs(logits, 1.0, 0, 1.0)[0])
    return [f"greedy -> [{ref.greedy(logits)[0]}]", f"T = 1: probs = {probs(1.0, 0, 1.0)}",
            f"T = 2: probs = {probs(2.0, 0, 1.0)}", f"T = 0.5: probs = {probs(0.5, 0, 1.0)}",
            f"-> {probs(1.0, 2, 1.0).replace('0.0000', '0')}",
            f"[0, {_num(cdf[0])}, {_num(cdf[1])}, ...]",
            f"(the second one crosses 0.8) -> {probs(1.0, 0, 0.8).replace('0.0000', '0')}",
            f"crosses 0.5 -> {probs(1.0, 0, 0.5).replace('0.0000', '0').replace('1.0000', '1')}",
            f"u = {_num(u)}, cumulative {_fmt(cdf[:3])[:-1]}, 1] -> token "
            f"[{ref.sample(logits, 1.0, 0, 1.0, 4)[0]}]"]


def _kv_cache(ref: Any) -> list[str]:
    x, eye = np.array([[[1.0, 0.0, 0.0, 1.0], [1.0, 1.0, 2.0, 0.0]]]), np.eye(4)
    empty = np.zeros((1, 2, 0, 2))
    first, kc, _ = ref.decode_step(x[:, :1], empty, empty, eye, eye, eye, eye, 2)
    second, kc2, _ = ref.decode_step(x[:, 1:], kc, kc, eye, eye, eye, eye, 2)
    small = ref.cache_bytes(12, 12, 64, 1024, 1, 2)
    return [f"-> out = [{', '.join(f'{v:.0f}' for v in first[0, 0])}]",
            f"caches now {kc.shape}: head 1 key [{kc[0, 0, 0, 0]:.0f}, {kc[0, 0, 0, 1]:.0f}], "
            f"head 2 key [{kc[0, 1, 0, 0]:.0f}, {kc[0, 1, 0, 1]:.0f}]",
            f"caches grow to {kc2.shape}", f"-> out[0, 1] = {_fmt(second[0, 0])}",
            f"= {ref.cache_bytes(1, 2, 2, 2, 1, 8)}",
            f"= {small} bytes = {small / 2**20:.0f} MiB"]


def _adamw_schedule(ref: Any) -> list[str]:
    w, g, z = np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.zeros(2)
    args = (1, 0.1, 0.9, 0.999, 1e-8, 0.1)
    big, z3 = np.array([3.0, -4.0, 0.5]), np.zeros(3)
    small = (1, 0.01, 0.9, 0.999, 1e-8, 0.1)
    return [f"[1, 1] + 0.1 * w) = {_fmt(ref.adamw_step(w, g, z, z, *args)[0])}",
            f"new_w = {_fmt(ref.adam_l2_step(w, g, z, z, *args)[0])}",
            f"AdamW -> {_fmt(ref.adamw_step(big, z3, z3, z3, *small)[0])}",
            f"Adam+L2 -> {_fmt(ref.adam_l2_step(big, z3, z3, z3, *small)[0])}",
            f"= {_fmt(ref.warmup_cosine(np.arange(8), 1.0, 0.1, 2, 6))}"]


def _lora(ref: Any) -> list[str]:
    x, eye = np.array([[1.0, 2.0]]), np.eye(2)
    a, b = np.array([[1.0], [1.0]]), np.array([[0.5, -1.0]])

    def ints(m: Any) -> str:
        rows = np.atleast_2d(m)
        return "[" + ", ".join("[" + ", ".join(f"{v:.0f}" for v in row) + "]"
                               for row in rows) + "]"

    merged = ref.lora_merge(eye, a, b, 2.0)
    da, db = ref.lora_backward(np.array([[1.0, -0.5]]), x, a, b, 2.0)
    trainable, frozen = ref.lora_param_counts(4096, 4096, 8)
    return [f"= {ints(ref.lora_forward(x, eye, np.zeros(2), a, b, 2.0))}",
            f"= {ints(merged)} and x @ merged = {ints(x @ merged)}",
            f"dB = 2 * [[3]] @ dout = {ints(db)}", f"dout B^T) = {ints(da)}",
            f"lora_param_counts(2, 2, 1) = {ref.lora_param_counts(2, 2, 1)}",
            f"({trainable}, {frozen}), {100 * trainable / frozen:.2f} %"]


def _bpe(ref: Any) -> list[str]:
    text = "a banana, a bandana"
    merges = ref.learn_bpe(text, 10)
    rows = ", ".join(f"[{a}, {b}]" for a, b in merges)
    ids = ref.bpe_encode(text, merges)
    after_first = ref.merge_pair(list(text.encode()), (97, 110), 256)
    pairs = list(itertools.pairwise(after_first))
    twice = sorted({p for p in pairs if pairs.count(p) == 2})
    assert twice == [(32, 98), (97, 32), (98, 256), (256, 97)] and pairs[0] == (97, 32)
    return [f"{len(text.encode())} bytes", f"learn_bpe(text, 10) = [{rows}]",
            f"bpe_encode(text, merges) = [{', '.join(str(i) for i in ids)}]",
            f"{len(ids)} tokens for {len(text.encode())} bytes",
            f"= {ref.merge_pair([97, 97, 97], (97, 97), 256)}"]


def _transformer_block(ref: Any) -> list[str]:
    eye, zero, one = np.eye(2), np.zeros(2), np.ones(2)
    params = [one, zero, eye, eye, eye, eye, one, zero, eye, zero, eye, zero]
    x = np.array([[[1.0, 3.0]]])
    grad = ref.block_input_grad(np.array([[[1.0, -0.5]]]), x, *params, 1, 1e-4)
    return [f"gelu([-1, 0, 1, 2]) = {_fmt(ref.gelu(np.array([-1.0, 0.0, 1.0, 2.0])))}",
            f"LN1(x) = {_fmt(ref.layer_norm(x, one, zero)[0, 0])}",
            f"MLP = gelu([-1, 1]) = {_fmt(ref.gelu(np.array([-1.0, 1.0])))}",
            f"block_forward = h + MLP = {_fmt(ref.block_forward(x, *params, 1)[0, 0])}",
            f"eps = 1e-4: {_fmt(grad[0, 0])}"]


EXAMPLES: dict[str, Callable[[Any], list[str]]] = {
    "autodiff": _autodiff, "cross-entropy": _cross_entropy,
    "logistic-regression": _logistic_regression, "softmax": _softmax, "attention": _attention,
    "relu-family": _relu_family, "gradient-check": _gradient_check, "batch-norm": _batch_norm,
    "data-splits": _data_splits, "multi-head-attention": _multi_head_attention,
    "positional-encoding": _positional_encoding, "sampling": _sampling,
    "kv-cache": _kv_cache, "adamw-schedule": _adamw_schedule,
    "lora": _lora, "bpe": _bpe, "transformer-block": _transformer_block,
}


@pytest.mark.parametrize("exercise", sorted(EXAMPLES))
def test_the_worked_example_matches_the_reference(catalog: Catalog, exercise: str) -> None:
    ex = catalog.get(exercise)
    ref = load_module(ex.folder / "solution.py")
    readme = " ".join(ex.readme_path.read_text(encoding="utf-8").split())  # spacing-insensitive
    for expected in EXAMPLES[exercise](ref):
        assert " ".join(expected.split()) in readme, f"{exercise} README should show {expected!r}"
