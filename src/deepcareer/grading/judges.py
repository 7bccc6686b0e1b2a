"""Shared pieces for judged cases: the held-out digits and an accuracy judge.

Every trained-model exercise on the 8 x 8 digits uses the same split, so a learner's
accuracy means the same thing from one exercise (and framework) to the next. The test
labels stay in the grading process; only the images reach the sandbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from deepcareer.grading.spec import Case

N_TRAIN = 1347  # of 1797 digits: 450 held out


@dataclass(frozen=True)
class Digits:
    images: np.ndarray  # (1797, 64), scaled to [0, 1]
    labels: np.ndarray  # (1797,) int64
    train: np.ndarray  # indices
    test: np.ndarray


@cache
def digits() -> Digits:
    """scikit-learn's bundled digits (no download) with one fixed train/test split."""
    from sklearn.datasets import load_digits

    data = load_digits()
    labels = data.target.astype(np.int64)
    perm = np.random.default_rng(2024).permutation(len(labels))
    return Digits(data.data / 16.0, labels, perm[:N_TRAIN], perm[N_TRAIN:])


def accuracy_judge(test_labels: np.ndarray, target: float, advice: str = ""
                   ) -> Callable[[Case, Any], str | None]:
    """A judge that passes predicted labels scoring at least ``target`` on held-out data."""

    def judge(case: Case, out: Any) -> str | None:
        pred = np.asarray(out).ravel()
        if pred.shape != test_labels.shape:
            return f"returned {pred.shape[0]} labels for {len(test_labels)} test images"
        accuracy = float(np.mean(pred == test_labels))
        if accuracy < target:
            tail = f": {advice}" if advice else ""
            return f"test accuracy {accuracy:.1%}, below the {target:.0%} target{tail}"
        return None

    return judge
