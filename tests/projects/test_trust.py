"""Issue 16, items 2 and 5: a figure that was not learned is not counted.

A lookup of the public rows (a hash table pasted into the file) answers the clean test
rows perfectly; on noisy copies of them, handed over first and alone, it has only its
fallback, and loses rows in one direction only. A score far above the published result
and every baseline is refused. A project's rules (its libraries, its framework) are
checked from what the run imported and what fit returned.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.stats

from deepcareer.projects import evaluate
from deepcareer.projects.datasets import (
    PERTURB_COPIES,
    PERTURB_SCALE,
    Dataset,
    load_dataset,
    perturbed_copy,
)
from deepcareer.projects.rules import broken_rules, source_imports
from deepcareer.projects.runs import ExperimentResult, RunResult, _trust_checks, run_project
from deepcareer.projects.spec import get_project
from deepcareer.store.db import Store
from tests.conftest import track_skip
from tests.projects import learners as L

DIGITS = get_project("digits-mlp")
TABULAR = get_project("tabular-classic")


def _table(ds: Dataset) -> str:
    """The cheat's table: hash of each test row's bytes -> its label, as Python source."""
    assert ds.test.y is not None
    return repr({hashlib.blake2b(np.ascontiguousarray(row).tobytes(), digest_size=8)
                 .hexdigest(): int(label) for row, label in zip(ds.test.X, ds.test.y,
                                                                 strict=True)})


def refused(result: RunResult, check: str) -> dict[str, Any]:
    assert result.status == "fail" and not result.passed, (result.status, result.message)
    (found,) = [c for c in result.checks if c["check"] == check]
    assert found["severity"] == "refused" and len(str(found["message"]).split()) > 12
    assert result.message.startswith(f"Not counted ({check})")
    return found


@pytest.mark.parametrize(("project", "honest", "dataset"), [
    (DIGITS, L.GOOD, "digits"), (TABULAR, L.STANDARDISED, "breast-cancer"),
], ids=["digits", "breast-cancer"])
def test_a_pasted_lookup_table_is_not_counted(pstore: Store, project_home: Path,
                                              project: Any, honest: str,
                                              dataset: str) -> None:
    """The lookup is perfect on the clean rows and falls back to an honest model: the
    clean figure is 100 %, yet the run does not pass, and the sentence says why. The same
    model without the table keeps its figure on the noisy copies (no finding)."""
    ds = load_dataset(dataset, project_home)
    cheat = run_project(pstore, project, honest + L.LOOKUP_SUFFIX % {
        "table": _table(ds)}, record=False)
    assert cheat.metric == 1.0  # the lookup worked on the clean rows
    found = refused(cheat, "perturbed")
    assert "looking the public data up" in str(found["message"])
    (exp,) = cheat.experiments
    assert exp.extra["perturbed"]["accuracy"] < 0.995
    assert exp.extra["perturbed"]["gained"] == 0 and exp.extra["perturbed"]["lost"] >= 3
    plain = run_project(pstore, project, honest, record=False)
    assert not [c for c in plain.checks if c["check"] == "perturbed"], plain.checks
    (exp,) = plain.experiments
    assert abs(exp.extra["perturbed"]["accuracy"] - exp.metric) < 0.02
    assert exp.extra["perturbed_predict_s"] >= 0.0


def test_predict_never_sees_clean_and_noisy_rows_together(pstore: Store) -> None:
    """The noisy copies come first, alone: a predict that looks for the clean rows in its
    folder finds none (it would pair each copy with its row and answer both)."""
    source = L.GOOD.replace("def predict(model, X):", '''CALLS = []

def predict(model, X):
    import os
    clean_there = os.path.exists(os.path.join("model", "test_X.npy"))
    CALLS.append(len(X))
    if len(CALLS) == 1 and (len(X) != %d or clean_there):
        raise RuntimeError(f"first call: {len(X)} rows, clean rows there: {clean_there}")
'''.rstrip() % (PERTURB_COPIES * 450))
    result = run_project(pstore, DIGITS, source, record=False)
    (exp,) = result.experiments
    assert exp.status == "ok", exp.error
    assert "perturbed" in exp.extra


def test_the_perturbed_copies() -> None:
    rng = np.random.default_rng(3)
    train = rng.normal(5.0, 2.0, (400, 6))
    train[:, 0] = 1.0  # a feature that never varies (a blank pixel) stays as it is
    test = rng.normal(5.0, 2.0, (100, 6))
    test[:, 0] = 1.0
    from deepcareer.projects.datasets import Split

    ds = Dataset("t", Split(train, np.zeros(400, int)), Split(test, np.zeros(100, int)))
    rows, order = perturbed_copy(ds, np.random.default_rng(0))
    assert rows.shape == (PERTURB_COPIES * 100, 6)
    assert np.array_equal(np.bincount(order), np.full(100, PERTURB_COPIES))
    assert not np.array_equal(order, np.sort(order))  # a secret order, not the test order
    noise = rows - test[order]
    assert np.all(noise[:, 0] == 0.0)
    np.testing.assert_allclose(noise[:, 1:].std(axis=0), PERTURB_SCALE * train[:, 1:].std(
        axis=0), rtol=0.15)
    assert not (np.abs(noise[:, 1:]) < 1e-12).all(axis=1).any()  # no row comes back exact
    again, _ = perturbed_copy(ds, np.random.default_rng(1))
    assert not np.allclose(again, rows)  # each run draws its own


def test_a_large_test_split_gets_a_bounded_sample_of_copies(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from deepcareer.projects import datasets
    from deepcareer.projects.datasets import Split

    monkeypatch.setattr(datasets, "PERTURB_MAX_ROWS", 50)
    rng = np.random.default_rng(4)
    ds = Dataset("t", Split(rng.normal(size=(300, 3)), np.zeros(300, int)),
                 Split(rng.normal(size=(100, 3)), np.zeros(100, int)))
    rows, order = perturbed_copy(ds, rng)
    assert rows.shape == (50, 3) and len(order) == 50
    np.testing.assert_allclose(rows, ds.test.X[order], atol=0.05 * 4)  # copies of those rows
    y = rng.integers(0, 2, 100)
    found = evaluate.perturbed_consistency(y, y[order], order, y, 2)
    assert (found.lost, found.gained, found.copies) == (0, 0, 50)


def test_the_sign_test_and_binomial_tail_against_scipy() -> None:
    for lost, gained in [(0, 0), (3, 0), (10, 0), (7, 5), (2, 9), (40, 3), (1540, 1500),
                         (2000, 1000)]:
        n = lost + gained
        want = 1.0 if n == 0 else scipy.stats.binomtest(lost, n, 0.5,
                                                        alternative="greater").pvalue
        assert evaluate.one_sided_sign_test(lost, gained) == pytest.approx(want, rel=1e-9,
                                                                           abs=1e-300)
    for k, n, p in [(0, 1000, 0.02), (12, 1000, 0.02), (600, 1000, 0.22), (5, 40, 0.3)]:
        assert evaluate.binomial_cdf(k, n, p) == pytest.approx(
            scipy.stats.binom.cdf(k, n, p), rel=1e-7, abs=1e-300)


def test_consistency_counts_each_copy_against_its_own_row() -> None:
    y = np.array([0, 1, 2, 1])
    clean = np.array([0, 1, 2, 0])  # the last row is wrong
    order = np.array([3, 0, 1, 2, 0, 1, 2, 3])
    noisy = np.array([1, 0, 0, 2, 0, 1, 1, 0])  # row 3 gained once; row 1 lost once...
    found = evaluate.perturbed_consistency(clean, noisy, order, y, 3)
    right = (clean == y)[order]
    assert (found.lost, found.gained) == (int((right & (noisy != y[order])).sum()),
                                          int((~right & (noisy == y[order])).sum()))
    assert (found.lost, found.gained, found.copies) == (2, 1, 8)
    assert found.clean == 0.75 and found.perturbed == pytest.approx(5 / 8)
    assert not found.inconsistent
    many = evaluate.Perturbed(1.0, 0.9, 40, 0, 2.0 ** -40, 400)
    assert many.inconsistent
    assert not evaluate.Perturbed(1.0, 0.99, 3, 0, 0.125, 300).inconsistent


MNIST1D = get_project("mnist1d")


def _result(metric: float, name: str) -> ExperimentResult:
    return ExperimentResult(name, name, "plain", "ok", metric=metric)


@pytest.mark.parametrize(("experiment", "accuracy", "flagged"), [
    ("logistic", 1.0, True),  # the paper: 32 +- 1
    ("logistic", 0.85, True),  # allowed: a third of the paper's errors, 78 %
    ("logistic", 0.40, False),  # a better logistic model than the paper's: not refused
    ("cnn", 0.97, False),  # the paper: 94 +- 2; a strong CNN
    ("cnn", 1.0, False),  # 0 errors in 1000: a model with a third of 2 % errors might
    ("mlp-shuffled", 0.70, False),  # judged against the paper's MLP
])
def test_scores_out_of_reach_of_the_published_result_are_refused(
        experiment: str, accuracy: float, flagged: bool) -> None:
    (exp,) = [e for e in MNIST1D.spec.experiments if e.name == experiment]
    rng = np.random.default_rng(0)
    ds = Dataset("m", *(type_split(rng, 40) for _ in range(2)))
    found = _trust_checks(MNIST1D, exp, ds, {}, {}, _result(accuracy, experiment),
                          {"majority": 0.11, "logistic-regression": 0.31})
    names = [c["check"] for c in found]
    assert names == (["implausible"] if flagged else []), found
    if flagged:
        assert found[0]["severity"] == "leak" and "out of reach" in found[0]["message"]


def type_split(rng: np.random.Generator, d: int) -> Any:
    from deepcareer.projects.datasets import Split

    return Split(rng.normal(size=(1000, d)), rng.integers(0, 10, 1000),
                 [str(i) for i in range(10)])


def test_no_published_result_no_refusal() -> None:
    """Without a paper, a network may rightly leave the baselines far behind."""
    assert evaluate.implausible(1.0, 2000, None, {"logistic-regression": 0.6}) is None


# --- the project's rules --------------------------------------------------------------


@pytest.mark.parametrize("source", [L.SKLEARN_SVC, L.SKLEARN_HIDDEN],
                         ids=["import-statement", "import-built-at-run-time"])
def test_a_numpy_only_project_solved_with_scikit_learn_is_not_counted(
        pstore: Store, source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With scikit-learn in the sandbox (as where bubblewrap cannot run and the wall of
    test_rules_wall is missing), the figure is still refused, from the parent's
    evidence: the file's statements, the saved model's pickle."""
    from deepcareer.projects import rules

    monkeypatch.setattr(rules, "unreachable", lambda *args: rules.Unreachable())
    result = run_project(pstore, DIGITS, source, record=False)
    assert (result.metric or 0.0) >= DIGITS.spec.threshold  # it would have passed
    found = refused(result, "rules")
    assert "scikit-learn" in str(found["message"]) and "NumPy only" in str(found["message"])


def test_an_honest_numpy_run_keeps_the_rules(pstore: Store) -> None:
    result = run_project(pstore, TABULAR, L.STANDARDISED, record=False)
    assert result.passed, (result.message, result.checks)


@pytest.mark.slow
@track_skip("pytorch")
def test_a_pytorch_project_without_pytorch_is_not_counted(pstore: Store) -> None:
    """The harness preloads PyTorch on this track, so importing it proves nothing: the
    model fit returns must be made of it."""
    result = run_project(pstore, MNIST1D, "import torch\n" + L.GOOD,
                         experiments=["logistic"], record=False)
    found = refused(result, "rules")
    assert "PyTorch" in str(found["message"]) and "imports it but" in str(found["message"])


def test_rules_from_the_evidence() -> None:
    """The three sources of evidence: the file's statements, the modules the run loaded,
    and what the model is made of."""
    assert source_imports("import numpy as np\nfrom sklearn.svm import SVC\n"
                          "from . import x\nimport torch.nn\n") == {"numpy", "sklearn",
                                                                    "torch"}
    assert source_imports("def broken(:") == set()
    assert broken_rules(["numpy"], "", {"numpy"}, ["numpy", "matplotlib"], ["numpy"]) == []
    (msg,) = broken_rules(["numpy"], "", {"numpy"}, ["scipy"], ["numpy"])
    assert "SciPy" in msg
    (msg,) = broken_rules(["numpy"], "", {"numpy"}, [], ["numpy", "xgboost"])
    assert "xgboost" in msg
    assert broken_rules(["numpy", "torch"], "torch", {"torch"}, [], ["torch"]) == []
    (msg,) = broken_rules(["numpy", "torch"], "torch", set(), [], ["numpy"])
    assert "does not import it" in msg
    assert broken_rules(["numpy", "tensorflow", "keras"], "tensorflow", {"keras"}, [],
                        ["keras", "numpy"]) == []
    assert broken_rules([], "", {"sklearn"}, ["torch"], ["sklearn"]) == []  # any library
