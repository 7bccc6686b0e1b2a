"""data-splits: the reference against scipy.stats.zscore and set arithmetic."""

import numpy as np
import pytest
from scipy import stats

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("data-splits")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_against_independent_definitions(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "split_indices":
            perm, n_train, n_val = case.args
            train, val, test = REF.split_indices(perm, n_train, n_val)
            assert (len(train), len(val)) == (n_train, n_val)
            assert set(train) | set(val) | set(test) == set(perm)
            assert len(set(train) & set(val)) == len(set(train) & set(test)) == 0
            np.testing.assert_array_equal(np.concatenate([train, val, test]), perm)
        else:
            X_train, X_other = case.args
            train_s, other_s = REF.standardize(X_train, X_other)
            varying = X_train.std(axis=0) > 0
            # scipy's zscore is the same transform on the training rows (ddof=0).
            np.testing.assert_allclose(train_s[:, varying],
                                       stats.zscore(X_train[:, varying], axis=0, ddof=0),
                                       rtol=1e-12, atol=1e-12)
            # The other rows use the training statistics: undoing with them gives X_other back.
            scale = np.where(varying, X_train.std(axis=0), 1.0)
            np.testing.assert_allclose(other_s * scale + X_train.mean(axis=0), X_other,
                                       rtol=1e-12, atol=1e-12)
