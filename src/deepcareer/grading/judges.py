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
    """scikit-learn's bundled digits (no download) with one fixed train/test split.

    Read straight from the CSV that scikit-learn ships: importing scikit-learn itself
    costs a second or more on every trained-model check, for one table of numbers.
    """
    images, labels = _bundled_digits()
    perm = np.random.default_rng(2024).permutation(len(labels))
    return Digits(images / 16.0, labels, perm[:N_TRAIN], perm[N_TRAIN:])


def _bundled_digits() -> tuple[np.ndarray, np.ndarray]:
    """(images (1797, 64) in 0..16, labels (1797,) int64), as ``load_digits`` gives them."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("sklearn")  # finds the package without importing it
    if spec is not None and spec.origin is not None:
        table = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
        if table.is_file():
            data = np.loadtxt(table, delimiter=",")
            return data[:, :-1], data[:, -1].astype(np.int64)
    from sklearn.datasets import load_digits  # another layout: the public API

    bunch = load_digits()
    return bunch.data, bunch.target.astype(np.int64)


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
