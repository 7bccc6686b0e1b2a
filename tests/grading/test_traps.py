"""Framework traps: what the sandbox sees a call do, and the named checks made of it.

Three layers, cheapest first: the interpretation of facts (no framework), the child's
watcher run in this process on realistic wrong training code (small tensors), and whole
grades in the sandbox for the wiring (a few, marked slow).
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pytest

from deepcareer.grading import traps


def _names(problems: list[traps.Problem]) -> list[str]:
    return [p.what for p in problems]


# --- facts -> named problems (no framework needed) ---------------------------------


def test_structure_rules_read_the_layer_sequence() -> None:
    mlp = ["affine", "nonlinear", "affine"]
    linear = ["affine"]
    assert traps.observed_problems("f", "a case", {"sequence": mlp}, ("hidden layer",), []) == []
    assert _names(traps.observed_problems("f", "a case", {"sequence": linear},
                                          ("hidden layer",), [])) == ["model structure: hidden "
                                                                      "layer"]
    # a non-linearity after the only affine map is not a hidden layer
    assert traps.observed_problems("f", "c", {"sequence": ["affine", "nonlinear"]},
                                   ("hidden layer",), [])
    assert traps.observed_problems("f", "c", {"sequence": mlp}, ("convolution",), [])
    assert not traps.observed_problems("f", "c", {"sequence": ["conv", "affine"]},
                                       ("convolution",), [])
    assert traps.observed_problems("f", "c", {"sequence": mlp}, ("recurrence",), [])
    # across a backward pass: one batch's last layer and the next batch's first
    across = ["affine", "backward", "nonlinear", "affine"]
    assert traps.observed_problems("f", "c", {"sequence": across}, ("hidden layer",), [])
    assert not traps.observed_problems("f", "c", {"sequence": ["recurrent", "affine"]},
                                       ("recurrence",), [])
    # no facts at all (the code never ran the framework) is no structure either
    assert traps.observed_problems("f", "c", {}, ("convolution",), [])


def test_loop_facts_name_the_mistake_the_loop_made() -> None:
    def named(**facts: Any) -> list[str]:
        return _names(traps.observed_problems("train", "c", {"sequence": [], **facts}, (), []))

    ok = dict(steps=5, stale_backwards=0, early_steps=0, cleared_steps=0,
              trailing_backward=False)
    assert named(**ok) == []
    assert named(**{**ok, "stale_backwards": 4}) == ["gradients accumulated across steps"]
    assert named(**{**ok, "cleared_steps": 5}) == ["gradients cleared between backward and "
                                                   "step"]
    # every step before its batch's backward: the last backward feeds no step
    assert named(**{**ok, "early_steps": 1, "cleared_steps": 4, "trailing_backward": True}) \
        == ["optimizer step before the backward pass"]


def test_tensor_lists_are_named_only_where_numbers_belong() -> None:
    facts = {"tensor_lists": [[0, 3, True]]}
    losses = (np.array([0.5, 0.4, 0.3]), np.zeros((2, 2)))
    found = traps.observed_problems("train_epoch", "c", facts, (), ["losses", "W"], losses)
    assert _names(found) == ["tensors kept where numbers belong"]
    assert "`losses`" in found[0].text and "autograd graph" in found[0].text
    # a list of gradient tensors (one of them 0-d) where the reference returns a tuple
    grads = (np.zeros(3), np.float64(0.2))
    assert traps.observed_problems("g", "c", {"tensor_lists": [[-1, 1, False]]}, (), [],
                                   grads) == []


def test_keras_fit_facts_name_double_and_missing_softmax() -> None:
    def named(output: str, logits: bool) -> list[str]:
        fit = {"loss": "sparse_categorical_crossentropy", "from_logits": logits,
               "output": output}
        return _names(traps.observed_problems("t", "c", {"keras_fits": [fit]}, (), []))

    assert named("softmax", True) == ["softmax applied twice"]
    assert named("linear", False) == ["logits given to a loss that expects probabilities"]
    assert named("linear", True) == [] and named("softmax", False) == []


def test_malformed_facts_are_ignored() -> None:
    junk: dict[str, Any] = {"sequence": "conv", "steps": "9", "stale_backwards": True,
                            "tensor_lists": [["x"]], "keras_fits": ["softmax"],
                            "unsafe_saves": 3, "keras_losses": [7]}
    assert traps.observed_problems("f", "c", junk, (), []) == []


def test_framework_errors_are_named() -> None:
    tape = {"type": "RuntimeError", "message": "A non-persistent GradientTape can only be used "
            "to compute one set of gradients (or jacobians)"}
    assert traps.error_trap(tape) is not None
    assert traps.error_trap(tape)[0] == "a non-persistent tape used twice"  # type: ignore[index]
    assert traps.error_trap({"type": "ValueError", "message": "shapes do not match"}) is None


# --- the child's watcher on realistic wrong code ------------------------------------

LOOP = """
import torch
from torch import nn

def train(X, y, order):
    torch.manual_seed(0)
    model = nn.Linear(4, 3).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for start in range(0, len(X), 4):
        idx = order[start:start + 4]
{body}
    return losses
"""
STEPS = {
    "right": "opt.zero_grad()\nloss = nn.functional.cross_entropy(model(X[idx]), y[idx])\n"
             "loss.backward()\nopt.step()\nlosses.append(loss.item())",
    "no zero_grad": "loss = nn.functional.cross_entropy(model(X[idx]), y[idx])\n"
                    "loss.backward()\nopt.step()\nlosses.append(loss.item())",
    "step first": "opt.zero_grad()\nloss = nn.functional.cross_entropy(model(X[idx]), y[idx])\n"
                  "opt.step()\nloss.backward()\nlosses.append(loss.item())",
    "cleared": "loss = nn.functional.cross_entropy(model(X[idx]), y[idx])\nloss.backward()\n"
               "opt.zero_grad()\nopt.step()\nlosses.append(loss.item())",
    "manual zeroing": "loss = nn.functional.cross_entropy(model(X[idx]), y[idx])\n"
                      "loss.backward()\nopt.step()\nfor p in model.parameters():\n"
                      "    p.grad.zero_()\nlosses.append(loss.item())",
    "keeps tensors": "opt.zero_grad()\nloss = nn.functional.cross_entropy(model(X[idx]), "
                     "y[idx])\nloss.backward()\nopt.step()\nlosses.append(loss)",
}
EXPECTED = {"right": [], "no zero_grad": ["gradients accumulated across steps"],
            "step first": ["optimizer step before the backward pass"],
            "cleared": ["gradients cleared between backward and step"],
            "manual zeroing": [], "keeps tensors": ["tensors kept where numbers belong"]}


def _watched(source: str, name: str, *args: Any) -> tuple[Any, dict[str, Any]]:
    """Run learner code in this process under the child's watcher; (result, facts)."""
    from deepcareer.grading import _child

    namespace: dict[str, Any] = {}
    exec(compile(source, "learner.py", "exec"), namespace)
    with _child._watching() as watch:
        result = namespace[name](*args)
    facts = watch.facts()
    kept = _child._tensor_lists(result)
    if kept:
        facts["tensor_lists"] = kept
    return result, facts


@pytest.mark.parametrize("mistake", list(STEPS))
def test_watcher_names_each_training_loop_mistake(mistake: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    X, y = torch.from_numpy(rng.normal(size=(16, 4))), torch.from_numpy(rng.integers(0, 3, 16))
    body = textwrap.indent(STEPS[mistake], " " * 8)
    _, facts = _watched(LOOP.format(body=body), "train", X, y, torch.arange(16))
    found = traps.observed_problems("train", "c", facts, (), [], np.zeros(4))
    assert _names(found) == EXPECTED[mistake], facts


MODELS = {
    "linear": "nn.Sequential(nn.Flatten(), nn.Linear(64, 10))",
    "mlp": "nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))",
    "cnn": "nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), "
           "nn.Flatten(), nn.Linear(64, 10))",
    "lstm": "Rows()",
}
TRAIN = """
import torch
from torch import nn
import torch.nn.functional as F

class Rows(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, batch_first=True)
        self.head = nn.Linear(16, 10)
    def forward(self, x):
        _, (h, _) = self.lstm(x.reshape(len(x), 8, 8))
        return self.head(h[-1])

def fit(X, y):
    model = {model}.double()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(model(X), y).backward()
        opt.step()
    with torch.no_grad():
        return model(X).argmax(dim=1).numpy()
"""
HAS = {"linear": set(), "mlp": {"hidden layer"}, "cnn": {"convolution", "hidden layer"},
       "lstm": {"recurrence"}}


@pytest.mark.parametrize("model", list(MODELS))
def test_watcher_sees_the_structure_of_the_model_that_trained(model: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    X = torch.from_numpy(rng.random((12, 1, 8, 8)))
    y = torch.from_numpy(rng.integers(0, 10, 12))
    _, facts = _watched(TRAIN.format(model=MODELS[model]), "fit", X, y)
    for need in traps.STRUCTURES:
        missing = bool(traps.observed_problems("fit", "c", facts, (need,), []))
        assert missing == (need not in HAS[model]), (model, need, facts["sequence"])


def test_watcher_tells_a_state_dict_from_a_pickled_module(tmp_path: Any) -> None:
    pytest.importorskip("torch")
    source = """
import torch
from torch import nn

def save(folder, whole):
    layer = nn.Linear(2, 2)
    path = folder + '/c.pt'
    torch.save(layer if whole else layer.state_dict(), path)
    return torch.load(path, weights_only=not whole)
"""
    _, right = _watched(source, "save", str(tmp_path), False)
    assert traps.observed_problems("save", "c", right, (), []) == []
    _, wrong = _watched(source, "save", str(tmp_path), True)
    assert _names(traps.observed_problems("save", "c", wrong, (), [])) == [
        "checkpoint is not a state dict", "checkpoint loaded with weights_only=False"]


@pytest.mark.slow
def test_watcher_sees_how_a_keras_output_meets_its_loss() -> None:
    keras = pytest.importorskip("keras")
    source = """
import keras
import numpy as np

def fit(X, y, output, logits):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation=output)])
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=logits))
    model.fit(X, y, epochs=1, verbose=0)
    return np.zeros(3)

def loss(y, scores):
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, scores)
"""
    assert keras is not None
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(8, 4)), rng.integers(0, 3, 8)

    def named(output: str | None, logits: bool) -> list[str]:
        _, facts = _watched(source, "fit", X, y, output, logits)
        assert "hidden layer" not in str(traps.observed_problems(
            "fit", "c", facts, ("hidden layer",), []))
        return _names(traps.observed_problems("fit", "c", facts, (), []))

    assert named(None, True) == [] and named("softmax", False) == []
    assert named("softmax", True) == ["softmax applied twice"]
    assert named(None, False) == ["logits given to a loss that expects probabilities"]
    probs = np.full((2, 3), 1 / 3)
    _, facts = _watched(source, "loss", np.array([0, 1]), probs)
    assert _names(traps.observed_problems("loss", "c", facts, (), [])) == [
        "softmax applied twice"]
    _, facts = _watched(source, "loss", np.array([0, 1]), np.array([[2.0, -1, 0], [0, 3, 1]]))
    assert traps.observed_problems("loss", "c", facts, (), []) == []


# --- whole grades in the sandbox -----------------------------------------------------


def _grade(exercise: str, edit: Any) -> Any:
    from deepcareer.curriculum.catalog import default_catalog
    from deepcareer.grading.grader import grade

    ex = default_catalog().get(exercise)
    return grade(ex, edit(ex.reference_source), seed=3)


def _failed(report: Any) -> set[str]:
    return {c.name.split(":")[0] for c in report.checks if c.status != "pass"}


@pytest.mark.slow
def test_grade_names_loop_checkpoint_and_tensor_mistakes_in_one_file() -> None:
    pytest.importorskip("torch")

    def edit(src: str) -> str:
        for old, new in [
            ("        opt.zero_grad()  # gradients accumulate otherwise\n", ""),
            ("losses.append(loss.item())", "losses.append(loss)"),
            ("return np.array(losses), model", "return losses, model"),
            ("torch.save(_linear(W, b).state_dict(), path)", "torch.save(_linear(W, b), path)"),
        ]:
            assert old in src
            src = src.replace(old, new)
        return src

    report = _grade("torch-training-loop", edit)
    assert report.status == "error"  # loading the pickled layer with weights_only=True raises
    assert {"gradients accumulated across steps", "tensors kept where numbers belong"} \
        <= _failed(report)
    assert any(c.message.startswith("a checkpoint that is not a state dict")
               for c in report.checks if c.name.startswith("checkpoint_roundtrip"))


WITHOUT = """
class {name}(nn.Module):
    def __init__(self, *args, **kwargs):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), {layers})

    def forward(self, x):
        return self.net(x)
"""
MLP_LAYERS = "nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)"


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "name", "layers", "missing"), [
    ("torch-cnn", "DigitsCNN", MLP_LAYERS, "without a convolution"),
    ("torch-lstm-classifier", "RowLSTM", MLP_LAYERS, "without a recurrent layer"),
    ("torch-mlp-digits", "DigitsMLP", "nn.Linear(64, 10)", "without a hidden layer"),
])
def test_grade_fails_a_model_without_the_structure_asked_for(
        exercise: str, name: str, layers: str, missing: str) -> None:
    """A realistic stand-in (an MLP for the CNN and the LSTM, a linear model for the MLP),
    defined after the reference so train_and_predict trains it instead."""
    pytest.importorskip("torch")
    report = _grade(exercise, lambda src: src + WITHOUT.format(name=name, layers=layers))
    assert report.status == "fail"
    assert "model structure" in _failed(report)
    assert missing in report.message
