"""classification-metrics: the reference against scikit-learn's metrics."""

import numpy as np
import pytest
from sklearn import metrics

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("classification-metrics")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_sklearn(seed: int) -> None:
    for case in build_cases(EX, seed):
        y_true, y_pred, k = case.args
        labels = list(range(k))
        if case.call == "confusion_matrix":
            np.testing.assert_array_equal(REF.confusion_matrix(y_true, y_pred, k),
                                          metrics.confusion_matrix(y_true, y_pred, labels=labels))
        elif case.call == "precision_recall_f1":
            p, r, f, _ = metrics.precision_recall_fscore_support(
                y_true, y_pred, labels=labels, zero_division=0)
            np.testing.assert_allclose(REF.precision_recall_f1(y_true, y_pred, k), (p, r, f))
        else:
            want = metrics.f1_score(y_true, y_pred, labels=labels, average="macro",
                                    zero_division=0)
            assert REF.macro_f1(y_true, y_pred, k) == pytest.approx(want)
