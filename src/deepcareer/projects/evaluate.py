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


# --- a lookup of public rows, and scores no model reaches ------------------------------

PERTURB_ALPHA = 1e-3  # how unlikely the loss on the perturbed copy must be under chance
PERTURB_MIN_LOST = 3  # and how many more copies it must lose than it gains
PERTURB_MIN_SHARE = 0.01  # ... and at least this share of all copies


@dataclass(frozen=True)
class Perturbed:
    """The same rows scored clean and perturbed (``datasets.perturbed_copy``)."""

    clean: float
    perturbed: float
    lost: int  # rows right on the clean copy and wrong on the perturbed one
    gained: int  # the other way
    p_value: float  # of losing at least ``lost`` of ``lost + gained`` flips by chance
    copies: int = 0  # perturbed rows scored

    @property
    def inconsistent(self) -> bool:
        gap = self.lost - self.gained
        return (self.p_value < PERTURB_ALPHA and gap >= PERTURB_MIN_LOST
                and gap >= PERTURB_MIN_SHARE * self.copies)


def one_sided_sign_test(lost: int, gained: int) -> float:
    """P(at least ``lost`` of the ``lost + gained`` changed rows go the wrong way) when
    each change is as likely either way (an exact McNemar test): noise this small moves a
    model's borderline rows both ways; only a lookup loses them all in one direction."""
    n = lost + gained
    if n == 0:
        return 1.0
    # Integers throughout: 2.0 ** n overflows a float past 1,023 changed rows.
    return sum(math.comb(n, k) for k in range(lost, n + 1)) / (1 << n)


def perturbed_consistency(pred: np.ndarray, pred_perturbed: np.ndarray, order: np.ndarray,
                          y: np.ndarray, n_classes: int) -> Perturbed:
    """Compare the predictions for each test row with those for its perturbed copies (row
    ``j`` of the copies is test row ``order[j]``); raises PredictionError on a bad shape."""
    order = np.asarray(order)
    clean = labels_from(pred, len(y), n_classes)
    noisy = labels_from(pred_perturbed, len(order), n_classes)
    right, right_noisy = (clean == y)[order], noisy == y[order]
    lost, gained = int((right & ~right_noisy).sum()), int((~right & right_noisy).sum())
    return Perturbed(float((clean == y).mean()), float(right_noisy.mean()), lost, gained,
                     one_sided_sign_test(lost, gained), len(order))


def perturbed_message(found: Perturbed | None, n: int) -> str:
    """The sentence for a ``perturbed`` finding (``None``: no predictions came back)."""
    if found is None:
        return ("predict gave no usable predictions for the perturbed copies of the test rows "
                "(the same rows with a little noise, handed over first): the score cannot "
                "be checked against a lookup of the public data, so it does not count.")
    return (f"On copies of the {n} test rows with a little noise added (a twentieth of "
            "each feature's spread, drawn with a seed your code never sees), accuracy fell "
            f"from {found.clean:.1%} to {found.perturbed:.1%}: {found.lost} copies went from "
            f"right to wrong and {found.gained} the other way (p = {found.p_value:.1g} by "
            "chance). A model that learned something barely notices noise this small. "
            "Predictions that hold only for the exact rows come from looking the public "
            "data up; a model this fragile (a single deep decision tree, say) has not "
            "learned the task either. Either way the figure is not verified: learn from "
            "the `train` split, and prefer a model that is smooth in its inputs.")


IMPLAUSIBLE_P = 1e-6  # how unlikely a score must be, even for a model far better than known
IMPLAUSIBLE_FACTOR = 3.0  # that much fewer errors than the best known result


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), summed in log space (n up to a few thousand)."""
    if p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 1.0 if k >= n else 0.0
    total = 0.0
    for i in range(0, min(k, n) + 1):
        total += math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
                          + i * math.log(p) + (n - i) * math.log1p(-p))
    return min(total, 1.0)


def implausible(accuracy: float, n: int, published: float | None,
                baselines: dict[str, float]) -> str | None:
    """A sentence when an accuracy on ``n`` rows is out of reach of any model, else None.

    Judged only where a published result exists (with only baselines, a network may
    rightly leave them far behind). The best known figure is the published one or the
    best baseline, whichever is higher; a model is allowed a third of its error rate,
    and the score is flagged when even that model would make this few errors with
    probability below one in a million (the logistic model of MNIST-1D at 100 % against
    the paper's 32 %). Generous on purpose: a real improvement is never refused.
    """
    if published is None or n <= 0:
        return None
    best = max([published, *baselines.values()])
    allowed = (1.0 - best) / IMPLAUSIBLE_FACTOR
    errors = round((1.0 - accuracy) * n)
    if binomial_cdf(errors, n, allowed) >= IMPLAUSIBLE_P:
        return None
    return (f"{accuracy:.1%} on {n} test rows is out of reach of this kind of model: the "
            f"best known result is {best:.1%}, and even a model with a third of its errors "
            f"would make as few as {errors} with a chance below one in a million. A score "
            "like this comes from the test labels, not from training, so it is not "
            "counted and cannot be verified.")
