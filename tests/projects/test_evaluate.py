"""Scoring and checks, each cross-checked against an independent implementation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from deepcareer.projects import evaluate
from deepcareer.projects.evaluate import PredictionError
from deepcareer.projects.spec import get_project

RNG = np.random.default_rng(7)


def test_accuracy_confusion_and_log_loss_match_scikit_learn() -> None:
    from sklearn.metrics import accuracy_score, confusion_matrix, log_loss

    y = RNG.integers(0, 4, 200)
    logits = RNG.normal(size=(200, 4)) + 2.0 * np.eye(4)[y]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    for pred in (logits, probs, probs.argmax(axis=1)):
        s = evaluate.classification(pred, y, 4)
        assert s.value == pytest.approx(accuracy_score(y, probs.argmax(axis=1)))
        assert s.extra["confusion"] == confusion_matrix(y, probs.argmax(axis=1)).tolist()
    assert evaluate.classification(probs, y, 4).extra["log_loss"] == pytest.approx(
        log_loss(y, probs))
    assert "log_loss" not in evaluate.classification(logits, y, 4).extra  # not probabilities


def test_bits_per_char_matches_torch_cross_entropy() -> None:
    torch = pytest.importorskip("torch")
    X = RNG.integers(0, 9, (5, 12))
    logits = RNG.normal(size=(5, 12, 9)) * 3
    ours = evaluate.bits_per_char(logits, X, 9).value
    ce = torch.nn.functional.cross_entropy(torch.tensor(logits[:, :-1]).reshape(-1, 9),
                                           torch.tensor(X[:, 1:]).reshape(-1))
    assert ours == pytest.approx(float(ce) / math.log(2), rel=1e-9)


def test_unnormalised_scores_cannot_flatter_a_language_model() -> None:
    X = RNG.integers(0, 9, (4, 10))
    logp = np.log(np.full((4, 10, 9), 1 / 9))
    honest = evaluate.bits_per_char(logp, X, 9).value
    assert honest == pytest.approx(math.log2(9))
    cheat = np.zeros((4, 10, 9))  # "log-probability 0 everywhere", i.e. p = 1 for all
    assert evaluate.bits_per_char(cheat, X, 9).value == pytest.approx(honest)


@pytest.mark.parametrize(("pred", "fragment"), [
    (np.zeros((10, 3)), "expected labels (10,) or class scores (10, 4)"),
    (np.full(10, 0.5), "fractional labels"),
    (np.full((10, 4), np.nan), "NaN"),
    (np.zeros(9), "shape (9,)"),
])
def test_unscorable_predictions_are_explained(pred: np.ndarray, fragment: str) -> None:
    with pytest.raises(PredictionError) as info:
        evaluate.classification(pred, np.zeros(10, dtype=np.int64), 4)
    assert fragment in str(info.value)


def test_batch_dependence_counts_changed_rows() -> None:
    spec = get_project("digits-mlp").spec
    pred = RNG.normal(size=(20, 10))
    half = np.arange(0, 20, 2)
    assert evaluate.batch_dependent_rows(spec, pred, pred[half], half) == 0
    moved = pred[half].copy()
    for i in range(3):  # move these rows' top class somewhere else
        moved[i, (moved[i].argmax() + 1) % 10] = 100.0
    assert evaluate.batch_dependent_rows(spec, pred, moved, half) == 3


def test_curve_advice() -> None:
    assert evaluate.curve_advice([{"loss": 2.0}, {"loss": 1.0}, {"loss": 0.5}]) == []
    (nan,) = evaluate.curve_advice([{"loss": 2.0}, {"loss": "nan"}])
    assert nan["check"] == "nan-loss"
    (up,) = evaluate.curve_advice([{"loss": 1.0}, {"loss": 0.4}, {"loss": 5.0}])
    assert up["check"] == "divergence" and "smaller learning rate" in up["message"]


def test_lookahead_counts_windows_whose_past_changed() -> None:
    from deepcareer.projects.evaluate import lookahead_rows

    rng = np.random.default_rng(0)
    pred = rng.normal(size=(3, 6, 4))
    later = pred.copy()
    cuts = np.array([2, 3, 4])
    later[0, 2:] += 1.0  # from the cut on: allowed
    later[1, 1, 0] += 1.0  # before the cut: looked ahead
    later[2, 3, 2] += 5.0  # before the cut
    assert lookahead_rows(pred, later, cuts) == 2
    assert lookahead_rows(pred, pred + 3.0, cuts) == 0  # a constant shift: same log-softmax
    assert lookahead_rows(pred, later[:, :5], cuts) == 3  # another shape counts every row
