"""Framework traps named from what a call did, not only from what it returned.

The sandboxed child reports facts about each call into PyTorch or Keras (``_child._watching``):
the kinds of layer that ran and in what order, the state of the gradients at every backward
pass and optimizer step, what ``torch.save`` was given, how a Keras model's output and loss
fit together. This module turns those facts into named failed checks. A trained model's
accuracy cannot show any of them: a linear model reaches the accuracy asked of a CNN on the
8 x 8 digits, and a loop that never clears its gradients can still learn something.

It also names the framework errors that are really one well-known mistake (a tape asked
twice, backward through a freed graph), so the learner reads the mistake, not only the
framework's words for it. Facts come from the sandbox and are read defensively: anything
malformed is ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# --- the structure a task asks for ------------------------------------------------


def _has(kind: str) -> Callable[[list[str]], bool]:
    return lambda seq: kind in seq


def _hidden_layer(seq: list[str]) -> bool:
    """A non-linearity between two affine maps (a convolution counts as one), within one
    forward pass: the sequence is cut at every backward pass, so the last layer of one
    batch and the first of the next do not make a hidden layer between them."""
    passes: list[list[str]] = [[]]
    for kind in seq:
        if kind == "backward":
            passes.append([])
        else:
            passes[-1].append("affine" if kind == "conv" else kind)
    for one in passes:
        try:
            first = one.index("affine")
            nonlinear = one.index("nonlinear", first + 1)
            one.index("affine", nonlinear + 1)
        except ValueError:
            continue
        return True
    return False


@dataclass(frozen=True)
class Structure:
    """What a model must contain, and how to tell the learner it did not."""

    present: Callable[[list[str]], bool]
    missing: str  # "without a convolution"
    layers: str  # the layers that count, named for the learner


STRUCTURES: dict[str, Structure] = {
    "convolution": Structure(_has("conv"), "without a convolution",
                             "nn.Conv2d or F.conv2d (keras.layers.Conv2D)"),
    "recurrence": Structure(_has("recurrent"), "without a recurrent layer",
                            "nn.LSTM, nn.GRU, nn.RNN or their cells (keras.layers.LSTM)"),
    "hidden layer": Structure(_hidden_layer,
                              "without a hidden layer (no non-linearity between two linear "
                              "layers)",
                              "a linear layer, a non-linearity such as ReLU, then another "
                              "linear layer"),
}


@dataclass(frozen=True)
class Problem:
    """One named problem seen in one call: ``what`` names the check, ``text`` says why."""

    what: str
    text: str


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _output_name(index: Any, returns: Sequence[str]) -> str:
    if isinstance(index, int) and 0 <= index < len(returns):
        return f"`{returns[index]}`"
    return "its result" if index == -1 else "an output"


def _numbers_expected(expected: Any, index: Any, count: int) -> bool:
    """Whether the reference returns ``count`` plain numbers where the list came back."""
    import numpy as np

    if isinstance(index, int) and index >= 0:
        if not isinstance(expected, tuple) or index >= len(expected):
            return False
        expected = expected[index]
    elif isinstance(expected, tuple):
        return False
    try:
        values = np.asarray(expected)
    except Exception:
        return False
    return values.ndim == 1 and len(values) == count and values.dtype.kind in "fiu"


def observed_problems(call: str, label: str, observed: dict[str, Any],
                      structure: Sequence[str], returns: Sequence[str],
                      expected: Any = None) -> list[Problem]:
    """The named problems in one call's facts; ``structure`` lists what the case asks for.

    ``expected`` is the reference's output: a list of tensors is named only where the
    reference returns as many plain numbers (a list of gradient tensors is fine).
    """
    out: list[Problem] = []
    seq = [s for s in observed.get("sequence", []) if isinstance(s, str)] \
        if isinstance(observed.get("sequence"), list) else []
    for name in structure:
        need = STRUCTURES[name]
        if not need.present(seq):
            out.append(Problem(
                f"model structure: {name}",
                f"{call}() trained and predicted {need.missing} on {label}. The task asks for "
                f"one, and on these small images a model without it can reach the accuracy "
                f"target, so the grader looks at the layers that ran: {need.layers}."))
    steps = _int(observed.get("steps"))
    stale, early = _int(observed.get("stale_backwards")), _int(observed.get("early_steps"))
    cleared = _int(observed.get("cleared_steps"))
    if stale:
        out.append(Problem(
            "gradients accumulated across steps",
            f"On {label}, {stale} of the backward passes ran while .grad still held "
            f"the gradients of the step before ({steps} steps in all). backward() adds into "
            ".grad, so each step followed the sum of every gradient so far. What clears them, "
            "and when in each step?"))
    if observed.get("trailing_backward") is True and (early or cleared):
        # Each step ran before its own backward pass: the step found the gradients cleared
        # (or left from the batch before), and the last backward pass fed no step at all.
        early, cleared = early + cleared, 0
    if early:
        out.append(Problem(
            "optimizer step before the backward pass",
            f"On {label}, {early} of {steps} optimizer steps ran before the backward pass of "
            "their batch, so they used old gradients or none at all. In which order must "
            "backward() and step() run?"))
    if cleared:
        out.append(Problem(
            "gradients cleared between backward and step",
            f"On {label}, {cleared} of {steps} optimizer steps found the gradients of "
            "the backward pass before them already cleared, so those steps changed nothing. "
            "Gradients are cleared before the backward pass, not after it."))
    saves = [s for s in observed.get("unsafe_saves", []) if isinstance(s, str)] \
        if isinstance(observed.get("unsafe_saves"), list) else []
    if saves:
        out.append(Problem(
            "checkpoint is not a state dict",
            f"{call}() saved a whole `{saves[0]}` object with torch.save on {label}. "
            "torch.load(..., weights_only=True) refuses such a file: loading it means "
            "unpickling, which can run any code the file holds, and it breaks when the class "
            "changes. A checkpoint holds the tensors of the model's state_dict()."))
    if _int(observed.get("unsafe_loads")):
        out.append(Problem(
            "checkpoint loaded with weights_only=False",
            f"{call}() called torch.load(..., weights_only=False) on {label}: that unpickles "
            "whatever the file holds, code included. A state dict loads with "
            "weights_only=True."))
    lists = observed.get("tensor_lists")
    for item in lists if isinstance(lists, list) else []:
        if not (isinstance(item, list) and len(item) == 3):
            continue
        index, count, graph = item
        if not _numbers_expected(expected, index, _int(count)):
            continue
        where = _output_name(index, returns)
        text = (f"{call}() returned {where} as a list of {_int(count)} tensors where numbers "
                f"belong, on {label}.")
        if graph is True:
            text += (" Each still holds its autograd graph, so the list keeps every batch's "
                     "activations in memory.")
        text += " Turn each one into a Python number as you record it."
        out.append(Problem("tensors kept where numbers belong", text))
        break
    fits = observed.get("keras_fits")
    for fit in fits if isinstance(fits, list) else []:
        if not isinstance(fit, dict) or "crossentropy" not in str(fit.get("loss", "")):
            continue
        output, logits = fit.get("output"), fit.get("from_logits")
        if output in ("softmax", "sigmoid") and logits is True:
            out.append(Problem(
                "softmax applied twice",
                f"{call}() fit a model whose output layer applies {output} with a loss built "
                f"with from_logits=True, on {label}: the loss applies {output} again to what "
                "are already probabilities, which squashes them and slows learning. Keep one "
                "of the two: raw outputs with from_logits=True, or probabilities without it."))
            break
        if output == "linear" and logits is False:
            out.append(Problem(
                "logits given to a loss that expects probabilities",
                f"{call}() fit a model with no activation on its output layer (raw scores) "
                f"with a loss built without from_logits=True, on {label}: the loss reads the "
                "scores as probabilities. Tell the loss what it receives."))
            break
    losses = observed.get("keras_losses")
    for seen in losses if isinstance(losses, list) else []:
        if not isinstance(seen, str) or ":" not in seen:
            continue
        kind, name = seen.split(":", 1)
        if kind == "probabilities":
            out.append(Problem(
                "softmax applied twice",
                f"{call}() gave a {name} loss built with from_logits=True rows that already sum "
                f"to 1 (probabilities), on {label}: the loss applies softmax to them again."))
        elif kind == "logits":
            out.append(Problem(
                "logits given to a loss that expects probabilities",
                f"{call}() gave a {name} loss built without from_logits=True values outside "
                f"[0, 1] (raw scores), on {label}: the loss reads them as probabilities."))
        break
    return out


# --- framework errors that are one well-known mistake -----------------------------

_ERROR_TRAPS: tuple[tuple[str, str, str], ...] = (
    ("non-persistent GradientTape can only be used to compute one set of gradients",
     "a non-persistent tape used twice",
     "a plain GradientTape answers one gradient() call, then frees what it recorded: ask "
     "for every source in one call, or open the tape with persistent=True"),
    ("backward through the graph a second time",
     "backward through the same graph twice",
     "backward() frees the graph it ran through: build the graph again (a new forward "
     "pass) for each backward, or combine the losses first"),
    ("does not require grad and does not have a grad_fn",
     "backward on a tensor with no graph",
     "no tensor that led to it required gradients: the parameters must be leaves with "
     "requires_grad=True, and the forward pass must not run under no_grad or detach"),
    ("Can't call numpy() on Tensor that requires grad",
     "numpy() on a tensor that is still part of a graph",
     "take the values out with .detach() first (or .item() for a single number)"),
    ("leaf Variable that requires grad is being used in an in-place operation",
     "an in-place update of a parameter outside torch.no_grad()",
     "autograd would record the update itself; change parameters inside torch.no_grad()"),
    ("Weights only load failed",
     "a checkpoint that is not a state dict",
     "torch.load(..., weights_only=True) loads tensors only; save model.state_dict(), not "
     "the model object"),
)


def error_trap(error: dict[str, Any]) -> tuple[str, str] | None:
    """(title, explanation) when a learner's error is a well-known framework mistake."""
    message = str(error.get("message", ""))
    for needle, title, explanation in _ERROR_TRAPS:
        if needle in message:
            return title, explanation
    return None
