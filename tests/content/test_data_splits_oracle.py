"""data-splits: the reference against scikit-learn's StandardScaler and set arithmetic."""

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

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
            # StandardScaler fits on the training rows only (ddof=0) and, like the reference,
            # treats a feature whose std is round-off (a column of 0.1s) as constant.
            scaler = StandardScaler().fit(X_train)
            np.testing.assert_allclose(train_s, scaler.transform(X_train), rtol=1e-12,
                                       atol=1e-12)
            np.testing.assert_allclose(other_s, scaler.transform(X_other), rtol=1e-12,
                                       atol=1e-12)


def test_a_constant_column_with_round_off_is_centred_not_scaled() -> None:
    X_train = np.array([[0.1, 1.0], [0.1, 2.0], [0.1, 4.0]])
    assert 0 < X_train.std(axis=0)[0] < 1e-15  # round-off: not exactly 0
    train_s, other_s = REF.standardize(X_train, np.array([[0.2, 0.0]]))
    np.testing.assert_allclose(train_s[:, 0], 0.0, atol=1e-12)
    np.testing.assert_allclose(other_s[0, 0], 0.1, atol=1e-12)
