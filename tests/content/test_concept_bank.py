"""The concept bank: size, coverage of every skill, and every numeric question's answer and
named mistakes recomputed by an independent oracle (PyTorch, SciPy, scikit-learn, NumPy or a
simulation) for several seeds."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import special, stats
from sklearn.dummy import DummyClassifier
from sklearn.metrics import f1_score, jaccard_score, precision_score, recall_score
from sklearn.model_selection import KFold

from deepcareer.curriculum.catalog import Catalog
from deepcareer.mentor.quiz import Choice, Numeric, ask, judge, load_quizzes, validate_quiz
from tests.conftest import run_cli

SEEDS = range(8)
Oracle = Callable[[dict[str, Any]], tuple[float, list[float]]]
ORACLES: dict[tuple[str, str], Oracle] = {}
# Oracles whose answer is an estimate (sampling); they return (answer, mistakes, tolerance).
LOOSE: dict[tuple[str, str], float] = {}


def oracle(quiz: str, make: str, tol: float | None = None) -> Callable[[Oracle], Oracle]:
    def register(fn: Oracle) -> Oracle:
        ORACLES[(quiz, make)] = fn
        if tol is not None:
            LOOSE[(quiz, make)] = tol
        return fn
    return register


def t(values: Any, grad: bool = False) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64, requires_grad=grad)


def numel(*modules: torch.nn.Module) -> float:
    return float(sum(p.numel() for m in modules for p in m.parameters()))


def grad_of(fn: Callable[[torch.Tensor], torch.Tensor], x: float) -> float:
    v = t(x, grad=True)
    fn(v).backward()
    assert v.grad is not None
    return float(v.grad)


# --- earlier quizzes -------------------------------------------------------------------------
@oracle("training-data", "_split_sizes")
def _(p):
    n, train, val = p["n"], p["train"] / 100, p["val"] / 100
    idx = np.arange(n)
    rest = idx[round(train * n):]
    val_idx, _test = rest[: round(val * n)], rest[round(val * n):]
    return float(len(val_idx)), [val * len(rest), float(round(train * n))]


@oracle("classic-ml", "_baseline")
def _(p):
    y = np.array([0] * p["neg"] + [1] * (100 - p["neg"]))
    acc = DummyClassifier(strategy="most_frequent").fit(np.zeros((100, 1)), y).score(
        np.zeros((100, 1)), y)
    return float(acc), [0.5, float(np.mean(y))]


@oracle("neuroscience", "_threshold")
def _(p):
    total = float(np.dot(p["w"], p["x"]))
    return float(total >= p["theta"]), [float(total > p["theta"])]


# --- fundamentals ----------------------------------------------------------------------------
@oracle("fundamentals", "_broadcast_size")
def _(p):
    shape = np.broadcast_shapes((p["n"], 1), (p["m"],))
    return float(np.prod(shape)), [float(max(p["n"], p["m"])), float(p["n"] + p["m"])]


@oracle("fundamentals", "_logsumexp")
def _(p):
    return float(special.logsumexp([p["a"], p["b"]])), [
        float(p["a"]), float(special.logsumexp([0.0, p["b"] - p["a"]]))]


@oracle("fundamentals", "_sigmoid_grad")
def _(p):
    s = float(torch.sigmoid(t(p["z"])))
    return grad_of(torch.sigmoid, p["z"]), [s, p["z"] * (1 - p["z"]), 1 - s * s]


@oracle("fundamentals", "_tanh_grad")
def _(p):
    th = float(torch.tanh(t(p["x"])))
    return grad_of(torch.tanh, p["x"]), [1 - th, th * (1 - th)]


@oracle("fundamentals", "_relu_backward")
def _(p):
    z = t(p["z"], grad=True)
    torch.relu(z).backward(torch.full_like(z, p["g"]))
    assert z.grad is not None
    return float(z.grad.sum()), [p["g"] * len(p["z"]), p["g"] * float(torch.relu(z.detach()).sum())]


@oracle("fundamentals", "_softmax_first")
def _(p):
    logits = t(p["l"])
    return float(torch.softmax(logits, 0)[0]), [
        float(logits[0] / logits.sum()), float(torch.sigmoid(logits[0]))]


@oracle("fundamentals", "_perceptron_step")
def _(p):
    w, x = np.array(p["w"]), np.array(p["x"])
    predicted = float(w @ x >= 0)
    new = w + p["eta"] * (1.0 - predicted) * x
    return float(new[0]), [float(w[0] - p["eta"] * x[0]), float(w[0] + x[0])]


# --- losses ----------------------------------------------------------------------------------
@oracle("losses", "_mse")
def _(p):
    y, yhat = t(p["y"]), t(p["p"])
    return float(F.mse_loss(yhat, y)), [float(F.mse_loss(yhat, y, reduction="sum")),
                                        float((yhat - y).mean() ** 2), float(F.l1_loss(yhat, y))]


@oracle("losses", "_mse_grad")
def _(p):
    n = p["n"]
    target = t([p["y"]] * n)
    pred = target.clone()
    pred[0] = p["p"]
    pred.requires_grad_(True)
    F.mse_loss(pred, target).backward()
    assert pred.grad is not None
    g = float(pred.grad[0])
    return g, [g * n, g / 2, -g]


@oracle("losses", "_ce")
def _(p):
    logits = t([math.log(p["p"]), math.log(1 - p["p"])])
    loss = float(F.cross_entropy(logits[None], torch.tensor([0])))
    return loss, [loss / math.log(10), loss / math.log(2), 1 - p["p"]]


@oracle("losses", "_ce_grad")
def _(p):
    z = t(p["z"], grad=True)
    F.cross_entropy(z[None], torch.tensor([0])).backward()
    assert z.grad is not None
    prob = float(torch.softmax(z.detach(), 0)[0])
    return float(z.grad[0]), [prob, -1 / prob, 1 - prob]


@oracle("losses", "_sum_lr")
def _(p):
    w = t([0.3], grad=True)
    x = torch.linspace(-1, 1, p["b"], dtype=torch.float64)
    (g_mean,) = torch.autograd.grad(((w * x - 1) ** 2).mean(), w)
    (g_sum,) = torch.autograd.grad(((w * x - 1) ** 2).sum(), w)
    ratio = float(g_sum / g_mean)
    return p["eta"] / ratio, [p["eta"] * ratio, p["eta"]]


@oracle("losses", "_slope")
def _(p):
    x, y = np.array(p["x"], float), np.array(p["y"], float)
    cov = np.cov(x, y, bias=True)
    return float(np.polyfit(x, y, 1)[0]), [
        float(cov[0, 1] / cov[1, 1]), float((y[-1] - y[0]) / (x[-1] - x[0])),
        float(y.mean() / x.mean())]


@oracle("losses", "_softmax_params")
def _(p):
    d, k = p["d"], p["k"]
    return numel(torch.nn.Linear(d, k)), [numel(torch.nn.Linear(d, k, bias=False)),
                                          numel(torch.nn.Linear(d, 1)),
                                          numel(torch.nn.Linear(d, k, bias=False)) + 1]


# --- backprop --------------------------------------------------------------------------------
@oracle("backprop", "_chain_square")
def _(p):
    a, b, x = p["a"], p["b"], p["x"]
    return grad_of(lambda v: (a * v + b) ** 2, x), [
        grad_of(lambda u: u ** 2, a * x + b), float(a), 2.0 * a * a * x]


@oracle("backprop", "_chain_sin")
def _(p):
    x = p["x"]
    return grad_of(lambda v: torch.sin(v ** 2), x), [math.cos(x * x), math.cos(2 * x)]


@oracle("backprop", "_linear_dx")
def _(p):
    w = t(p["w"])
    x = t([0.5, -0.25], grad=True)
    (w @ x).backward(t(p["g"]))
    assert x.grad is not None
    return float(x.grad[0]), [float((w @ t(p["g"]))[0])]


@oracle("backprop", "_linear_dw")
def _(p):
    w = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
    (w @ t(p["x"])).backward(t(p["g"]))
    assert w.grad is not None
    g, x = p["g"], p["x"]
    return float(w.grad[0, 1]), [float(w.grad[1, 0]), float(sum(g) * x[1])]


@oracle("backprop", "_accumulate")
def _(p):
    x = t(p["x"], grad=True)
    y = t(p["y"])
    (x * y + x).backward()
    assert x.grad is not None
    return float(x.grad), [float(p["y"]), 1.0]


@oracle("backprop", "_central")
def _(p):
    x, h = p["x"], p["h"]
    xs = np.array([x - h, x, x + h])
    f = xs ** 3
    slope = np.gradient(f, xs)[1]  # NumPy's centred second-order difference
    return float(slope), [float((f[2] - f[1]) / h), float(2 * slope)]


@oracle("backprop", "_mlp_params")
def _(p):
    d, h, k = p["d"], p["h"], p["k"]
    net = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.ReLU(), torch.nn.Linear(h, k))
    nobias = torch.nn.Sequential(torch.nn.Linear(d, h, bias=False),
                                 torch.nn.Linear(h, k, bias=False))
    return numel(net), [numel(nobias), float(d + h + k), numel(net) + d]


@oracle("backprop", "_he_std")
def _(p):
    std = torch.nn.init.calculate_gain("relu") / math.sqrt(p["n"])
    return std, [torch.nn.init.calculate_gain("linear") / math.sqrt(p["n"]), std ** 2]


@oracle("backprop", "_xavier_limit", tol=0.02)
def _(p):
    w = torch.empty(p["o"], p["i"], dtype=torch.float64)
    torch.nn.init.xavier_uniform_(w, generator=torch.Generator().manual_seed(0))
    limit = float(w.abs().max())  # the largest of tens of thousands of uniform draws
    std = torch.empty(p["o"], p["i"], dtype=torch.float64)
    torch.nn.init.xavier_normal_(std, generator=torch.Generator().manual_seed(0))
    return limit, [float(std.std()), limit ** 2, limit * math.sqrt((p["i"] + p["o"]) / p["i"])]


# --- optimization ----------------------------------------------------------------------------
def sgd_steps(w0: float, grads: list[float], **kw: Any) -> float:
    w = t([w0], grad=True)
    opt = torch.optim.SGD([w], **kw)
    for g in grads:
        w.grad = t([g])
        opt.step()
    return float(w.detach()[0])


@oracle("optimization", "_gd_step")
def _(p):
    a, c, w, eta = p["a"], p["c"], p["w"], p["eta"]
    g = grad_of(lambda v: a * (v - c) ** 2, w)
    return sgd_steps(w, [g], lr=eta), [sgd_steps(w, [-g], lr=eta), sgd_steps(w, [g / 2], lr=eta)]


@oracle("optimization", "_stable_lr", tol=1e-3)
def _(p):
    a = p["a"]
    low, high = 0.0, 10.0 / a  # bisect between a rate that converges and one that diverges
    for _ in range(18):
        mid = (low + high) / 2
        low, high = (mid, high) if abs(_run(a, mid)) < 1 else (low, mid)
    return low, [1.0 / a, float(a)]


def _run(a: float, rate: float) -> float:
    w = t([1.0], grad=True)
    opt = torch.optim.SGD([w], lr=rate)
    for _ in range(60):
        opt.zero_grad()
        (a / 2 * w ** 2).sum().backward()
        opt.step()
    return float(w.detach()[0])


@oracle("optimization", "_momentum")
def _(p):
    grads, w0, eta, beta = [p["g1"], p["g2"]], p["w0"], p["eta"], p["beta"]
    return sgd_steps(w0, grads, lr=eta, momentum=beta), [
        sgd_steps(w0, grads, lr=eta), sgd_steps(w0, [p["g1"], beta * p["g1"]], lr=eta)]


def opt_steps(cls: type[torch.optim.Optimizer], grads: list[float], **kw: Any
              ) -> tuple[float, torch.optim.Optimizer, torch.Tensor]:
    w = t([0.0], grad=True)
    opt = cls([w], **kw)
    for g in grads:
        w.grad = t([g])
        opt.step()
    return float(w.detach()[0]), opt, w


@oracle("optimization", "_rmsprop")
def _(p):
    step = abs(opt_steps(torch.optim.RMSprop, [p["g"]], lr=p["eta"], alpha=p["rho"],
                         eps=1e-12)[0])
    s = (1 - p["rho"]) * p["g"] ** 2
    return step, [p["eta"] * abs(p["g"]) / s, p["eta"]]


@oracle("optimization", "_adam_first")
def _(p):
    g, eta = p["g"], p["eta"]
    step = abs(opt_steps(torch.optim.Adam, [g], lr=eta, eps=1e-12)[0])
    raw = abs(opt_steps(torch.optim.RMSprop, [g], lr=eta, alpha=0.999, eps=1e-12)[0])
    return step, [raw * 0.1, eta / abs(g), eta * abs(g)]


@oracle("optimization", "_adam_mhat")
def _(p):
    _, opt, w = opt_steps(torch.optim.Adam, [p["g1"], p["g2"]], lr=1e-3)
    m = float(opt.state[w]["exp_avg"][0])
    return m / (1 - 0.9 ** 2), [m, m / 0.1, (p["g1"] + p["g2"]) / 2]


@oracle("optimization", "_stop_epoch")
def _(p):
    best, best_epoch, waited, stop = math.inf, 0, 0, len(p["losses"])
    for epoch, loss in enumerate(p["losses"], 1):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= p["p"]:
                stop = epoch
                break
    return float(stop), [float(best_epoch), float(stop - 1), float(len(p["losses"]))]


# --- regularization --------------------------------------------------------------------------
@oracle("regularization", "_l2_grad")
def _(p):
    w, lam = p["w"], p["lam"]
    return grad_of(lambda v: lam / 2 * v ** 2, w), [grad_of(lambda v: lam * v ** 2, w),
                                                    grad_of(lambda v: lam * v.abs(), w)]


@oracle("regularization", "_decay_step")
def _(p):
    w, g, eta, lam = p["w"], p["g"], p["eta"], p["lam"]
    return sgd_steps(w, [g], lr=eta, weight_decay=lam), [
        sgd_steps(w, [g], lr=eta) - lam * w, sgd_steps(w, [g - lam * w], lr=eta)]


@oracle("regularization", "_inverted_dropout")
def _(p):
    x = torch.full((2000,), p["a"], dtype=torch.float64)
    out = F.dropout(x, p=1 - p["keep"], training=True)
    kept = float(out[out != 0][0])
    return kept, [p["a"] / (1 - p["keep"]), p["a"], p["a"] * p["keep"]]


@oracle("regularization", "_batchnorm")
def _(p):
    x = t(p["xs"])[:, None]
    out = F.batch_norm(x, None, None, training=True, eps=1e-12)
    xs = np.array(p["xs"], float)
    return float(out[0, 0]), [float((xs[0] - xs.mean()) / xs.std(ddof=1)),
                              float((xs[0] - xs.mean()) / xs.var())]


@oracle("regularization", "_running_mean")
def _(p):
    bn = torch.nn.BatchNorm1d(1, momentum=p["m"]).double()
    with torch.no_grad():
        bn.running_mean.fill_(p["r"])
    bn.train()
    bn(t([[p["b"] - 1.0], [p["b"] + 1.0]]))
    return float(bn.running_mean[0]), [p["m"] * p["r"] + (1 - p["m"]) * p["b"], p["b"]]


@oracle("regularization", "_decomposition", tol=0.03)
def _(p):
    rng = np.random.default_rng(0)
    n = 400_000
    prediction = p["b"] + math.sqrt(p["v"]) * rng.standard_normal(n)  # truth is 0
    target = math.sqrt(p["s"]) * rng.standard_normal(n)
    mse = float(np.mean((prediction - target) ** 2))
    return mse, [p["b"] + p["v"] + p["s"], p["b"] ** 2 + p["v"]]


# --- convolution -----------------------------------------------------------------------------
def conv_width(n: int, k: int, **kw: Any) -> float:
    return float(F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), **kw).shape[-1])


@oracle("convolution", "_out_size")
def _(p):
    n, k, s, pad = p["n"], p["k"], p["s"], p["p"]
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=pad)
    one_side = F.conv1d(F.pad(torch.zeros(1, 1, n), (pad, 0)), torch.zeros(1, 1, k), stride=s)
    return float(out.shape[-1]), [float(out.shape[-1] - 1), conv_width(n, k, stride=s),
                                  float(one_side.shape[-1])]


@oracle("convolution", "_dilated")
def _(p):
    n, k, d = p["n"], p["k"], p["d"]
    return conv_width(n, k, dilation=d), [conv_width(n, k), float(n - d * k + 1)]


@oracle("convolution", "_pool")
def _(p):
    x = torch.zeros(1, 1, p["n"], p["n"])
    return float(F.max_pool2d(x, p["k"]).shape[-1]), [
        float(F.max_pool2d(x, p["k"], stride=1).shape[-1]),
        float(F.max_pool2d(x, p["k"], ceil_mode=True).shape[-1])]


@oracle("convolution", "_receptive")
def _(p):
    layers, k, n = p["L"], p["k"], 64
    x = torch.zeros(1, 1, n, requires_grad=True)
    h = x
    for _ in range(layers):
        h = F.conv1d(h, torch.ones(1, 1, k))
    h[0, 0, h.shape[-1] // 2].backward()
    assert x.grad is not None
    return float((x.grad != 0).sum()), [float(layers * k), float(k)]


@oracle("convolution", "_conv_params")
def _(p):
    cin, cout, k = p["cin"], p["cout"], p["k"]
    conv = torch.nn.Conv2d(cin, cout, k)
    nobias = torch.nn.Conv2d(cin, cout, k, bias=False)
    return numel(conv), [numel(torch.nn.Conv2d(1, cout, k)), numel(nobias), 2 * numel(nobias)]


# --- sequences -------------------------------------------------------------------------------
@oracle("sequences", "_rnn_params")
def _(p):
    d, h = p["d"], p["h"]
    rnn = numel(torch.nn.RNN(d, h))
    return rnn, [rnn - h * h, numel(torch.nn.RNN(d, h, bias=False)), rnn - h]


@oracle("sequences", "_lstm_params")
def _(p):
    d, h = p["d"], p["h"]
    lstm = numel(torch.nn.LSTM(d, h))
    rnn = numel(torch.nn.RNN(d, h))
    return lstm, [rnn, 3 * rnn, lstm - 4 * h * h]


@oracle("sequences", "_bptt")
def _(p):
    w, steps = p["w"], p["T"]

    def unroll(h0: torch.Tensor) -> torch.Tensor:
        h = h0
        for _ in range(steps):
            h = w * h
        return h

    return grad_of(unroll, 1.0), [w * steps, w ** (steps - 1)]


@oracle("sequences", "_cell")
def _(p):
    def cell_state(i: float, f: float, g: float, c: float) -> float:
        lstm = torch.nn.LSTMCell(1, 1).double()
        with torch.no_grad():
            lstm.weight_ih.zero_()
            lstm.weight_hh.zero_()
            lstm.bias_hh.zero_()  # PyTorch's gate order: input, forget, cell, output
            lstm.bias_ih.copy_(t([special.logit(i), special.logit(f), math.atanh(g), 0.0]))
        _, c1 = lstm(torch.zeros(1, 1, dtype=torch.float64),
                     (torch.zeros(1, 1, dtype=torch.float64), t([[c]])))
        return float(c1.detach()[0, 0])

    f, i, g, c = p["f"], p["i"], p["g"], p["c"]
    return cell_state(i, f, g, c), [cell_state(f, i, g, c), c + i * g, f * c + g]


@oracle("sequences", "_emb_rows")
def _(p):
    emb = torch.nn.Embedding(1000, 3)
    emb(torch.tensor(p["ids"])).sum().backward()
    assert emb.weight.grad is not None
    rows = float((emb.weight.grad.abs().sum(1) > 0).sum())
    return rows, [float(len(p["ids"])), float(emb.num_embeddings)]


@oracle("sequences", "_attn_weight")
def _(p):
    q = t([[p["q"]]])
    k = t([[p["k1"], p["k2"]]])
    v = t([[[1.0, 0.0], [0.0, 1.0]]])  # the output is then the attention weights

    def w1(scale: float | None) -> float:
        return float(F.scaled_dot_product_attention(q, k, v, scale=scale)[0, 0, 0])

    return w1(None), [w1(1.0), w1(1 / 4)]


# --- transformers ----------------------------------------------------------------------------
@oracle("transformers", "_mha_params")
def _(p):
    d, h = p["d"], p["h"]
    mha = torch.nn.MultiheadAttention(d, h)
    full_heads = h * numel(torch.nn.Linear(d, 3 * d)) + numel(torch.nn.Linear(d, d))
    return numel(mha), [numel(mha) - numel(torch.nn.Linear(d, d)), full_heads,
                        numel(torch.nn.MultiheadAttention(d, h, bias=False))]


@oracle("transformers", "_causal_pairs")
def _(p):
    ones = torch.ones(p["T"], p["T"])
    return float(torch.tril(ones).sum()), [float(torch.tril(ones, -1).sum()), float(ones.sum())]


@oracle("transformers", "_sinusoid")
def _(p):
    d, i, pos = p["d"], p["i"], p["p"]
    div = torch.exp(torch.arange(0, d, 2, dtype=torch.float64) * (-math.log(10000.0) / d))
    angle = pos * div[i]
    slow = pos * torch.exp(torch.arange(0, d, dtype=torch.float64) * (-math.log(10000.0) / d))
    return float(torch.sin(angle)), [float(torch.sin(slow[i])), float(torch.cos(angle)),
                                     math.sin(pos)]


@oracle("transformers", "_rope")
def _(p):
    z = torch.complex(t(float(p["x0"])), t(float(p["x1"])))
    angle = t(p["p"] * p["theta"])
    one = t(1.0)
    return float((z * torch.polar(one, angle)).real), [
        float((z * torch.polar(one, -angle)).real),
        float((z * torch.polar(one, t(p["theta"]))).real)]


@oracle("transformers", "_mlp_params")
def _(p):
    d = p["d"]
    mlp = torch.nn.Sequential(torch.nn.Linear(d, 4 * d), torch.nn.GELU(), torch.nn.Linear(4 * d, d))
    nob = torch.nn.Sequential(torch.nn.Linear(d, 4 * d, bias=False),
                              torch.nn.Linear(4 * d, d, bias=False))
    narrow = torch.nn.Sequential(torch.nn.Linear(d, d), torch.nn.Linear(d, d))
    return numel(mlp), [numel(nob), numel(narrow), numel(mlp[0])]


@oracle("transformers", "_kv_bytes")
def _(p):
    def mib(*shape: int, dtype: torch.dtype = torch.float16) -> float:
        x = torch.empty(*shape, dtype=dtype, device="meta")
        return x.numel() * x.element_size() / 2 ** 20

    L, T, d = p["L"], p["T"], p["d"]
    return mib(L, 2, T, d), [mib(L, T, d), mib(2, T, d), mib(L, 2, T, d, dtype=torch.float32)]


@oracle("transformers", "_merges")
def _(p):
    s = p["s"]
    return float(len(s.replace("aa", "X"))), [float(len(s) - len(re.findall("(?=aa)", s)))]


@oracle("transformers", "_temperature")
def _(p):
    logits = t([float(p["a"]), float(p["b"])])
    plain = float(torch.distributions.Categorical(logits=logits).probs[0])
    return float(torch.distributions.Categorical(logits=logits / p["t"]).probs[0]), [
        float(torch.distributions.Categorical(logits=logits * p["t"]).probs[0]),
        plain / p["t"], plain]


@oracle("transformers", "_top_k")
def _(p):
    probs = t(p["p"])
    k = p["k"]

    def first(keep: int) -> float:
        logits = probs.log()
        cut = torch.topk(logits, keep).values[-1]
        return float(torch.softmax(logits.masked_fill(logits < cut, -math.inf), 0)[0])

    return first(k), [float(probs[0]), first(k + 1)]


@oracle("transformers", "_top_p")
def _(p):
    # the Hugging Face TopPLogitsWarper's rule: sort ascending, drop the low tail whose mass
    # is at most 1 - p
    logits = t(p["p"]).log()
    sorted_logits, _ = torch.sort(logits, descending=False)
    cumulative = sorted_logits.softmax(-1).cumsum(-1)
    kept = float((cumulative > 1 - p["thr"]).sum())
    return kept, [kept - 1, kept + 1]


@oracle("transformers", "_lora_params")
def _(p):
    a = torch.nn.Linear(p["din"], p["r"], bias=False)
    b = torch.nn.Linear(p["r"], p["dout"], bias=False)
    frozen = torch.nn.Linear(p["din"], p["dout"], bias=False)
    return numel(a, b), [numel(frozen), numel(a), numel(frozen, a, b)]


@oracle("transformers", "_lora_merge")
def _(p):
    b = t([p["b"]])
    a = t([p["a"]]).T
    update = float((b @ a)[0, 0])
    scale = p["alpha"] / 2
    return p["w"] + scale * update, [p["w"] + update, p["w"] + p["alpha"] * update,
                                     scale * update]


# --- probability -----------------------------------------------------------------------------
@oracle("probability", "_binomial")
def _(p):
    n, k, q = p["n"], p["k"], p["p"]
    pmf = float(stats.binom.pmf(k, n, q))
    return pmf, [pmf / special.comb(n, k), pmf / (1 - q) ** (n - k)]


@oracle("probability", "_poisson")
def _(p):
    pmf = float(stats.poisson.pmf(p["k"], p["lam"]))
    return pmf, [pmf * special.factorial(p["k"]), pmf * math.exp(p["lam"])]


@oracle("probability", "_bernoulli_ll")
def _(p):
    x = [1] * p["k"] + [0] * (p["n"] - p["k"])
    ll = float(stats.bernoulli.logpmf(x, p["p"]).sum())
    return ll, [ll / math.log(10), float(stats.bernoulli.logpmf([1] * p["k"], p["p"]).sum())]


@oracle("probability", "_gauss_pdf")
def _(p):
    pdf = float(stats.norm.pdf(p["x"], p["mu"], p["sigma"]))
    return pdf, [pdf * p["sigma"] * math.sqrt(2 * math.pi),
                 float(stats.norm.pdf(p["x"], p["mu"], math.sqrt(p["sigma"]))) *
                 math.sqrt(p["sigma"]) / p["sigma"]]


@oracle("probability", "_expo_tail")
def _(p):
    return float(stats.expon.sf(p["t"], scale=1 / p["lam"])), [
        float(stats.expon.cdf(p["t"], scale=1 / p["lam"])),
        float(stats.expon.sf(p["t"], scale=p["lam"]))]


@oracle("probability", "_gauss_var")
def _(p):
    _, scale = stats.norm.fit(p["xs"])
    return float(scale ** 2), [float(np.var(p["xs"], ddof=1)), float(scale)]


@oracle("probability", "_expo_rate")
def _(p):
    _, scale = stats.expon.fit(p["xs"], floc=0)
    return float(1 / scale), [float(scale), float(1 / (scale * len(p["xs"])))]


@oracle("probability", "_gauss_nll")
def _(p):
    nll = torch.nn.GaussianNLLLoss(full=True)
    mu, y, var = t([p["mu"]]), t([p["y"]]), t([p["var"]])
    loss = float(nll(mu, y, var))
    return loss, [float(torch.nn.GaussianNLLLoss()(mu, y, var)) - 0.5 * math.log(p["var"]),
                  float(F.mse_loss(mu, y))]


# --- frameworks and evaluation ---------------------------------------------------------------
@oracle("frameworks", "_accumulated")
def _(p):
    x = t(float(p["x"]), grad=True)
    for _ in range(p["n"]):
        (p["a"] * x ** 2).backward()
    assert x.grad is not None
    once = grad_of(lambda v: p["a"] * v ** 2, p["x"])
    return float(x.grad), [once, float(x.grad) / 2]


@oracle("frameworks", "_dense_params")
def _(p):
    layer = torch.nn.Linear(p["d"], p["u"])  # the same affine map as a Keras Dense layer
    return numel(layer), [float(layer.weight.numel()), float(layer.weight.numel() + p["d"])]


@oracle("evaluation", "_kfold")
def _(p):
    train, test = next(KFold(p["k"]).split(np.zeros(p["n"])))
    return float(len(train)), [float(len(test)), float(len(train) - len(test))]


@oracle("evaluation", "_f1")
def _(p):
    tp, fp, fn = p["tp"], p["fp"], p["fn"]
    y_true = [1] * tp + [0] * fp + [1] * fn
    y_pred = [1] * tp + [1] * fp + [0] * fn
    prec, rec = precision_score(y_true, y_pred), recall_score(y_true, y_pred)
    return float(f1_score(y_true, y_pred)), [(prec + rec) / 2,
                                             float(jaccard_score(y_true, y_pred))]


# --- the tests -------------------------------------------------------------------------------
def numeric_questions() -> list[tuple[str, int, Numeric]]:
    return [(quiz.id, n, q) for quiz in load_quizzes().values()
            for n, q in enumerate(quiz.questions) if isinstance(q, Numeric)]


def test_the_bank_has_120_questions_and_two_per_skill(catalog: Catalog) -> None:
    quizzes = load_quizzes()
    questions = [q for quiz in quizzes.values() for q in quiz.questions]
    assert len(questions) >= 120
    per_skill = {s: 0 for s in catalog.skills}
    for quiz in quizzes.values():
        for q in quiz.questions:
            assert q.skill in quiz.skills, (quiz.id, q.prompt[:40])
            per_skill[q.skill] += 1
    assert {s: n for s, n in per_skill.items() if n < 2} == {}
    for quiz in quizzes.values():
        assert validate_quiz(quiz, set(catalog.skills), seeds=SEEDS) == []
    # many questions draw numbers per attempt, and every Choice explains each wrong option
    assert len(numeric_questions()) >= 40
    for q in questions:
        if isinstance(q, Choice):
            assert set(q.why_not) == set(range(len(q.options))) - {q.answer}


def test_every_numeric_question_has_an_oracle() -> None:
    have = {(quiz_id, q.make.__name__) for quiz_id, _, q in numeric_questions()}
    assert have - set(ORACLES) == set()
    assert set(ORACLES) - have == set()  # no oracle left behind by a renamed question


@pytest.mark.parametrize("quiz_id,index,question",
                         [pytest.param(*x, id=f"{x[0]}:{x[2].make.__name__}")
                          for x in numeric_questions()])
def test_numeric_answers_and_mistakes_agree_with_an_oracle(quiz_id: str, index: int,
                                                           question: Numeric) -> None:
    key = (quiz_id, question.make.__name__)
    tol = LOOSE.get(key, 1e-6)
    texts = set()
    for seed in SEEDS:
        params, answer, wrong = question.make(np.random.default_rng(seed))
        texts.add(question.prompt.format(**params))
        expected, mistakes = ORACLES[key](params)
        assert math.isclose(answer, expected, rel_tol=tol, abs_tol=1e-9), (seed, params)
        for name, value in wrong.items():
            assert not math.isclose(value, answer, rel_tol=question.rel_tol, abs_tol=1e-12)
            assert any(math.isclose(value, m, rel_tol=max(tol, 1e-6), abs_tol=1e-9)
                       for m in mistakes), (seed, name, value, mistakes)
        # each mistake the oracle tells apart from the answer is named by the question
        for m in mistakes:
            # (unless it cannot be told apart from the answer or from a mistake already named)
            near = [expected, *wrong.values()]
            if not any(math.isclose(m, v, rel_tol=max(5e-2, 3 * tol), abs_tol=1e-6)
                       for v in near):
                raise AssertionError(f"seed {seed}: the mistake giving {m} is not named: {wrong}")
        asked = ask(question, np.random.default_rng(seed))
        assert judge(asked, repr(float(asked.answer))).correct
        for name, value in asked.misconceptions.items():
            verdict = judge(asked, repr(value))
            assert not verdict.correct and verdict.misconception == name
    assert len(texts) > 1  # the numbers change between attempts


def test_questions_write_their_maths_as_balanced_tex() -> None:
    """The prompts go through str.format: a TeX brace written single would raise or vanish."""
    for quiz in load_quizzes().values():
        for q in quiz.questions:
            text = ask(q, np.random.default_rng(0)).text
            for part in (text, q.explanation):
                assert part.count("$") % 2 == 0, part
                for formula in re.findall(r"\$([^$]+)\$", part):
                    assert formula.count("{") == formula.count("}"), formula


def test_quiz_cli_lists_the_bank(home: Path) -> None:
    listed = json.loads(run_cli("quiz", "--json", home=home).stdout)
    assert sum(q["questions"] for q in listed) >= 120
    assert {"transformers", "fundamentals", "probability"} <= {q["id"] for q in listed}


@pytest.mark.slow
def test_content_validate_accepts_the_bank() -> None:
    result = run_cli("content", "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "quizzes" in result.stdout
