"""Cases and misconceptions for data splits and leakage-free standardisation."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, Property


def _scale(std, mean):
    """The reference's rule for a constant feature, so variants differ in one idea only."""
    return np.where(std <= 1e-12 * np.abs(mean), 1.0, std)


def _overlap(perm, n_train, n_val):
    return perm[:n_train], perm[n_train - 1:n_train + n_val], perm[n_train + n_val:]


def _no_shuffle(perm, n_train, n_val):
    order = np.sort(perm)
    return order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]


def _fit_on_all(X_train, X_other):
    both = np.concatenate([X_train, X_other])
    mean, std = both.mean(axis=0), both.std(axis=0)
    std = _scale(std, mean)
    return (X_train - mean) / std, (X_other - mean) / std


def _fit_each(X_train, X_other):
    def scale(X):
        return (X - X.mean(axis=0)) / _scale(X.std(axis=0), X.mean(axis=0))

    return scale(X_train), scale(X_other)


def _ddof_one(X_train, X_other):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
    std = _scale(std, mean)
    return (X_train - mean) / std, (X_other - mean) / std


def _divide_by_zero(X_train, X_other):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    with np.errstate(all="ignore"):
        return (X_train - mean) / std, (X_other - mean) / std


def _exact_zero(X_train, X_other):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std = np.where(std == 0, 1.0, std)  # misses a std of 1e-17 left by round-off
    return (X_train - mean) / std, (X_other - mean) / std


def _disjoint(case, out):
    try:
        parts = [np.asarray(p).ravel() for p in out]
    except TypeError:
        return None
    joined = np.concatenate(parts) if parts else np.array([])
    if len(np.unique(joined)) != len(joined):
        return "the same example appears in two splits"
    return None


def _random_cases(rng):
    X = rng.normal(5.0, 2.0, size=(8, 3))
    return [
        Case("split_indices", [rng.permutation(20), 12, 4], name="random permutation of 20"),
        Case("standardize", [X[:6], X[6:] + 3.0], name="random features, shifted test rows"),
        Case("standardize", [rng.normal(size=(5, 2)), rng.normal(size=(4, 2))],
             name="random 5 + 4 rows"),
    ]


XT = np.array([[1.0, 10.0, 3.0], [3.0, 20.0, 3.0], [5.0, 30.0, 3.0]])
XO = np.array([[7.0, 0.0, 3.0], [1.0, 40.0, 4.0]])

def _one_scale_for_all(X_train, X_other):
    mean, std = X_train.mean(), X_train.std()
    std = std if std > 1e-12 * abs(mean) else 1.0
    return (X_train - mean) / std, (X_other - mean) / std


CHECKS = Checks(
    cases=[
        Case("split_indices", [np.array([4, 7, 0, 9, 2, 5, 1, 8, 3, 6]), 6, 2],
             name="the README example"),
        Case("split_indices", [np.array([2, 0, 1]), 1, 1], name="one example each"),
        Case("standardize", [XT, XO], name="the README example"),
        Case("standardize", [XT[:2, :2], XO[:, :2]], name="two training rows"),
        # Three rows of 0.1 have a std of 1.4e-17, not 0: an exact test scales them to +-1.
        Case("standardize", [np.array([[0.1, 1.0], [0.1, 2.0], [0.1, 4.0]]),
                             np.array([[0.1, 3.0], [0.2, 0.0]])],
             name="a constant column of 0.1"),
    ],
    hidden=[
        Case("split_indices", [np.arange(7)[::-1], 4, 0]),
        Case("standardize", [np.array([[0.0], [2.0], [4.0], [6.0]]), np.array([[10.0]])]),
        Case("standardize", [np.array([[1.0, 5.0], [1.0, 7.0]]), np.array([[2.0, 6.0]])]),
    ],
    random_cases=_random_cases,
    properties=[Property("splits are disjoint", _disjoint, calls=("split_indices",))],
    misconceptions=[
        Misconception(
            id="data-splits.one-scale-for-all-features",
            title="one mean and one standard deviation for all the features",
            explanation="Each feature (column) has its own units and spread: standardising "
            "subtracts each column's mean and divides by each column's standard deviation. One "
            "number for the whole array leaves the columns on their different scales.",
            hints=["What shape does your mean have?",
                   "Reduce over the rows only: axis=0.",
                   "X_train.mean(axis=0), X_train.std(axis=0)."],
            replace={"standardize": _one_scale_for_all},
        ),
        Misconception(
            id="data-splits.fit-on-all-data",
            title="computing the scaling statistics on all the data (leakage)",
            explanation="Statistics computed on the test rows leak information about them into "
            "training: the model is tuned to data it is later graded on, and the reported score "
            "is optimistic. Fit every preprocessing step on the training split alone.",
            hints=[
                "Which rows did your mean and std come from?",
                "At deployment you will not have the test data; pretend you do not now.",
                "mean = X_train.mean(0), std = X_train.std(0); apply them to both.",
            ],
            replace={"standardize": _fit_on_all},
            reteach="Leakage is any path from evaluation data into training decisions: scaling, "
            "imputation, feature selection, early-stopping on the test set. Split first, then fit "
            "everything on the training split only.",
        ),
        Misconception(
            id="data-splits.fit-each-split",
            title="standardising each split with its own statistics",
            explanation="Every split must go through the SAME transformation, the one learned on "
            "the training data; rescaling the test set with its own mean hides exactly the "
            "shift the model will meet.",
            hints=[
                "Is a test value of 7 mapped to the same number as a training value of 7?",
                "One transform, learned once, applied everywhere.",
                "Use the training mean and std for X_other too.",
            ],
            replace={"standardize": _fit_each},
        ),
        Misconception(
            id="data-splits.ddof-one",
            title="using the sample standard deviation (ddof=1)",
            explanation="The convention here, as in scikit-learn's StandardScaler, is the "
            "population standard deviation (divide by n).",
            hints=[
                "What is np.std's default ddof?",
                "Divide by n, not n - 1.",
                "X_train.std(axis=0).",
            ],
            replace={"standardize": _ddof_one},
        ),
        Misconception(
            id="data-splits.constant-feature",
            title="dividing a constant feature by its zero standard deviation",
            explanation="A feature that never varies in training has std 0; dividing gives inf "
            "or NaN. Centre it and leave its scale alone.",
            hints=[
                "What is the std of the third feature in the README example?",
                "Replace a zero std with 1.",
                "std = np.where(std <= 1e-12 * np.abs(mean), 1.0, std).",
            ],
            replace={"standardize": _divide_by_zero},
        ),
        Misconception(
            id="data-splits.exact-zero-std",
            title="testing a constant feature's std with == 0",
            explanation="Floating-point round-off leaves the std of a constant column at about "
            "1e-17 rather than 0 (three rows of 0.1 do it), so an exact test misses it and "
            "divides round-off by round-off: the constant becomes +-1.",
            hints=[
                "What is np.std([0.1, 0.1, 0.1])? Is it exactly 0?",
                "Compare the std with a tolerance relative to the feature's size, as the "
                "README says.",
                "Treat std <= 1e-12 * |mean| as constant.",
            ],
            replace={"standardize": _exact_zero},
        ),
        Misconception(
            id="data-splits.overlapping-slices",
            title="slices that share an example between train and validation",
            explanation="An example in both training and validation makes the validation score "
            "partly a training score.",
            hints=[
                "Is any index in two of your splits?",
                "The validation slice starts where the training slice ends.",
                "perm[n_train:n_train + n_val].",
            ],
            replace={"split_indices": _overlap},
        ),
        Misconception(
            id="data-splits.ignores-shuffle",
            title="splitting the indices in sorted order instead of the shuffled order",
            explanation="Data files are often ordered (by time, by class); splitting unshuffled "
            "puts different kinds of examples in different splits, breaking the assumption that "
            "they come from the same distribution.",
            hints=[
                "Does your training split start with perm[0]?",
                "Slice the permutation as it is.",
                "perm[:n_train].",
            ],
            replace={"split_indices": _no_shuffle},
        ),
    ],
)
