"""The shared held-out digits and the accuracy judge."""

from __future__ import annotations

import numpy as np

from deepcareer.grading.judges import accuracy_judge, digits
from deepcareer.grading.spec import Case


def test_the_split_is_fixed_disjoint_and_complete() -> None:
    d = digits()
    assert d.images.shape == (1797, 64) and d.images.min() >= 0.0 and d.images.max() <= 1.0
    assert len(d.train) == 1347 and len(d.test) == 450
    assert set(d.train).isdisjoint(d.test) and len(set(d.train) | set(d.test)) == 1797
    assert np.array_equal(digits().test, d.test)


def test_the_judge_passes_the_target_and_names_what_is_wrong() -> None:
    labels = np.arange(10).repeat(10)
    judge = accuracy_judge(labels, 0.9, "try more epochs")
    case = Case("train_and_predict", [])
    good = labels.copy()
    good[:10] = (good[:10] + 1) % 10  # 90 % right
    assert judge(case, good) is None
    bad = good.copy()
    bad[10:11] = (bad[10:11] + 1) % 10
    assert judge(case, bad) == "test accuracy 89.0%, below the 90% target: try more epochs"
    assert judge(case, labels[:5]) == "returned 5 labels for 100 test images"


def test_the_digits_read_from_the_bundled_table_are_scikit_learns() -> None:
    # digits() reads scikit-learn's CSV without importing scikit-learn (seconds per check).
    from sklearn.datasets import load_digits

    from deepcareer.grading.judges import _bundled_digits

    images, labels = _bundled_digits()
    bunch = load_digits()
    assert np.array_equal(images, bunch.data) and np.array_equal(labels, bunch.target)
    assert labels.dtype == np.int64
