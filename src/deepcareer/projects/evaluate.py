"""Score what ``predict`` returned against labels only the parent holds, and check it.

Every check here has a name the report uses: ``test-statistics`` (predictions change with
the other test rows), ``test-split-read`` (the dataset's files or generator reached for, or
the test features looked for inside ``fit``), ``looks-ahead`` (a language model's
prediction for a position changes when only later characters change), ``duplicates``
(test rows identical to training rows), ``nan-loss`` and ``divergence`` (advice from the
learning curve).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from deepcareer.projects.datasets import Dataset
from deepcareer.projects.spec import ProjectSpec

LN2 = math.log(2.0)


class PredictionError(ValueError):
    """``predict`` returned something that cannot be scored; the message says why."""


@dataclass
class Score:
    value: float
    extra: dict[str, Any] = field(default_factory=dict)  # confusion matrix, log-loss...


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def labels_from(pred: np.ndarray, n: int, n_classes: int) -> np.ndarray:
    if pred.ndim == 2 and pred.shape == (n, n_classes):
        if not np.all(np.isfinite(pred)):
            raise PredictionError("predict returned NaN or infinite scores")
        return pred.argmax(axis=1)
    if pred.ndim == 1 and pred.shape == (n,):
        if not np.issubdtype(pred.dtype, np.number) or not np.all(np.isfinite(pred)):
            raise PredictionError("predict returned labels that are not finite numbers")
        if np.any(pred != np.round(pred)):
            raise PredictionError("predict returned fractional labels; return class ids "
                                  f"(n,) or class scores (n, {n_classes})")
        return pred.astype(np.int64)
    raise PredictionError(f"predict returned shape {pred.shape}; expected labels ({n},) or "
                          f"class scores ({n}, {n_classes})")


def classification(pred: np.ndarray, y: np.ndarray, n_classes: int) -> Score:
    labels = labels_from(pred, len(y), n_classes)
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(confusion, (y, np.clip(labels, 0, n_classes - 1)), 1)
    extra: dict[str, Any] = {"confusion": confusion.tolist()}
    if pred.ndim == 2 and np.all(pred >= 0) and np.allclose(pred.sum(axis=1), 1.0, atol=1e-3):
        p = np.clip(pred[np.arange(len(y)), y], 1e-12, 1.0)
        extra["log_loss"] = float(-np.log(p).mean())
    return Score(float((labels == y).mean()), extra)


def bits_per_char(pred: np.ndarray, X: np.ndarray, vocab_size: int) -> Score:
    """Mean bits per next character; scores are re-normalised here (log-softmax), so an
    unnormalised output cannot make a model look better than it is."""
    n, T = X.shape
    if pred.shape != (n, T, vocab_size):
        raise PredictionError(f"predict returned shape {pred.shape}; expected (n, T, V) = "
                              f"({n}, {T}, {vocab_size}) log-probabilities")
    if not np.all(np.isfinite(pred)):
        raise PredictionError("predict returned NaN or infinite log-probabilities")
    logp = _log_softmax(pred[:, :-1, :].astype(np.float64))  # (n, T-1, V)
    target = X[:, 1:]
    picked = np.take_along_axis(logp, target[..., None], axis=-1)[..., 0]
    return Score(float(-picked.mean() / LN2), {"positions": int(target.size)})


def score(spec: ProjectSpec, ds: Dataset, pred: np.ndarray) -> Score:
    if spec.task == "language-model":
        return bits_per_char(pred, ds.test.X, len(ds.test.vocab or []))
    assert ds.test.y is not None
    return classification(pred, ds.test.y, len(ds.train.classes))


def batch_dependent_rows(spec: ProjectSpec, pred: np.ndarray, pred_half: np.ndarray,
                         half: np.ndarray) -> int:
    """Rows whose prediction changed when predicted among half of the test set."""
    full = pred[half]
    if full.shape != pred_half.shape:
        return len(half)
    if spec.task == "classification":
        n_classes = full.shape[1] if full.ndim == 2 else int(max(full.max(), 0)) + 1
        a = labels_from(full, len(half), n_classes)
        b = labels_from(pred_half, len(half), n_classes)
        return int((a != b).sum())
    diff = np.abs(full.astype(np.float64) - pred_half.astype(np.float64))
    return int((diff.reshape(len(half), -1).max(axis=1) > 1e-3).sum())


def lookahead_rows(pred: np.ndarray, pred_later: np.ndarray, cuts: np.ndarray,
                   atol: float = 1e-3) -> int:
    """Windows whose predictions before their cut changed when only the characters from
    the cut on were changed (``runner._write_test``): position ``t`` predicts ``X[t + 1]``
    from ``X[:t + 1]``, so an honest model gives the same scores there. Compared after a
    log-softmax, as scored; a copy of another shape or with NaN counts every window."""
    n = len(cuts)
    if pred.shape != pred_later.shape or pred.ndim != 3 or pred.shape[0] != n:
        return n
    a = _log_softmax(pred.astype(np.float64))
    b = _log_softmax(pred_later.astype(np.float64))
    with np.errstate(invalid="ignore"):
        diff = np.abs(a - b).max(axis=-1)  # (n, T)
    before = np.arange(pred.shape[1])[None, :] < np.asarray(cuts)[:, None]  # (n, T)
    return int((~(diff <= atol) & before).any(axis=1).sum())


def curve_advice(history: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Advice from the logged loss: NaN or infinity, or a loss that ended high."""
    losses = [row.get("loss") for row in history if "loss" in row]
    out: list[dict[str, str]] = []
    for i, loss in enumerate(losses):
        if isinstance(loss, str) or (isinstance(loss, float) and not math.isfinite(loss)):
            out.append({"check": "nan-loss", "message": (
                f"The loss became {loss} at logged row {i}. Usual causes: a learning rate "
                "too high, log(0) or a division by zero in the loss (clip probabilities or "
                "use a log-softmax), or unscaled inputs. Lower the learning rate first; "
                "gradient clipping helps recurrent models.")})
            return out
    numeric = [float(v) for v in losses if isinstance(v, int | float)]
    if len(numeric) >= 3 and numeric[-1] > 1.5 * numeric[0] and numeric[-1] > 2 * min(numeric):
        out.append({"check": "divergence", "message": (
            f"The loss went from {numeric[0]:.3g} to {numeric[-1]:.3g} (its lowest was "
            f"{min(numeric):.3g}): training diverged. Try a smaller learning rate, a "
            "learning-rate schedule, or stop at the best epoch (early stopping).")})
    return out
