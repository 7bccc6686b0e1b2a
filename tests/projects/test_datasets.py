"""Datasets: fixed splits, labels only in the parent, generated data cached."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from deepcareer.projects import datasets
from deepcareer.projects.datasets import duplicates_across, load_dataset, shuffled


def test_digits_split_is_fixed_and_stratified(tmp_path: Path) -> None:
    a, b = load_dataset("digits", tmp_path), load_dataset("digits", tmp_path)
    assert a.train.X.shape == (1347, 64) and a.test.X.shape == (450, 64)
    np.testing.assert_array_equal(a.test.X, b.test.X)
    assert a.train.y is not None and a.test.y is not None
    shares = np.bincount(a.test.y) / len(a.test.y)
    assert np.all(np.abs(shares - 0.1) < 0.02)
    assert a.train.X.max() <= 1.0 and a.guarded_files[0].endswith("digits.csv.gz")
    assert Path(a.guarded_files[0]).exists()


@pytest.mark.parametrize("name", ["digits", "breast-cancer", "wine"])
def test_bundled_tables_come_back_from_the_cache_exactly_as_built(tmp_path: Path,
                                                                  name: str) -> None:
    """The cached split is the one scikit-learn's loader and ``train_test_split`` give
    (the oracle: built again without the cache), in every array, class and name."""
    builders = {"digits": datasets._digits_split, "breast-cancer": datasets._breast_cancer_split,
                "wine": datasets._wine_split}
    first, cached = load_dataset(name, tmp_path), load_dataset(name, tmp_path)
    oracle = builders[name]()
    assert list((tmp_path / "cache" / "datasets").glob("*.npz"))
    for ds in (first, cached):
        for mine, theirs in ((ds.train, oracle.train), (ds.test, oracle.test)):
            np.testing.assert_array_equal(mine.X, theirs.X)
            np.testing.assert_array_equal(mine.y, theirs.y)  # type: ignore[arg-type]
            assert mine.X.dtype == theirs.X.dtype and mine.classes == theirs.classes
            assert mine.meta == theirs.meta
        assert ds.name == oracle.name and ds.perturb and ds.guarded_files == \
            oracle.guarded_files
        assert ds.fingerprint() == oracle.fingerprint()


def test_a_cached_table_loads_without_importing_scikit_learn(tmp_path: Path) -> None:
    """Why the cache exists: importing scikit-learn is most of a short project's run."""
    import subprocess
    import sys

    load_dataset("digits", tmp_path)
    code = ("import sys; from pathlib import Path; from deepcareer.projects.datasets import "
            f"load_dataset; ds = load_dataset('digits', Path({str(tmp_path)!r})); "
            "print(len(ds.test.X), 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["450", "False"]


def test_a_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    good = load_dataset("digits", tmp_path)
    (cached,) = (tmp_path / "cache" / "datasets").glob("digits-*.npz")
    cached.write_bytes(b"not an npz file")
    again = load_dataset("digits", tmp_path)
    np.testing.assert_array_equal(again.test.X, good.test.X)
    with np.load(cached) as f:  # written anew
        np.testing.assert_array_equal(f["X_test"], good.test.X)


@pytest.mark.slow  # trains, or starts real processes: make test only
def test_mnist1d_is_generated_once_and_cached(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_dataset("mnist1d", tmp_path)
    assert first.train.X.shape == (4000, 40) and first.test.X.shape == (1000, 40)
    assert first.guarded_modules == ["mnist1d"]
    import mnist1d.data

    monkeypatch.setattr(mnist1d.data, "make_dataset", lambda *a: 1 / 0)
    again = load_dataset("mnist1d", tmp_path)
    np.testing.assert_array_equal(first.train.X, again.train.X)


def test_shuffling_permutes_positions_the_same_way_in_both_splits(tmp_path: Path) -> None:
    ds = load_dataset("digits", tmp_path)
    mixed = shuffled(ds)
    perm = np.random.default_rng(datasets.SHUFFLE_SEED).permutation(64)
    np.testing.assert_array_equal(mixed.train.X, ds.train.X[:, perm])
    np.testing.assert_array_equal(mixed.test.X, ds.test.X[:, perm])
    np.testing.assert_array_equal(mixed.test.y, ds.test.y)  # type: ignore[arg-type]


def test_duplicates_across_splits_are_counted() -> None:
    train = np.arange(12.0).reshape(4, 3)
    test = np.vstack([train[1], train[3], [99.0, 98.0, 97.0]])
    assert duplicates_across(train, test) == 2

