"""The simple models every project's result stands beside, computed by the parent.

A network that does not beat a majority vote, a linear model or gradient boosting has not
earned its cost; the report says so. Results are cached per home, dataset and held-out
rows (the splits are fixed; MNIST-1D's test rows differ per home).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from deepcareer.projects.datasets import Dataset

NAMES = {
    "majority": "Majority class",
    "logistic-regression": "Logistic regression (standardised)",
    "gradient-boosting": "Gradient boosting (histogram)",
    "unigram": "Character frequencies (unigram)",
}


def _flat(X: np.ndarray) -> np.ndarray:
    """One row per example: images (n, H, W[, C]) become (n, H * W * C) for the classic
    models, which crashed on them ("Found array with dim 4")."""
    return X.reshape(len(X), -1)


def _majority(ds: Dataset) -> float:
    assert ds.train.y is not None and ds.test.y is not None
    top = np.bincount(ds.train.y).argmax()
    return float((ds.test.y == top).mean())


def _logistic(ds: Dataset) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    model.fit(_flat(ds.train.X), ds.train.y)
    return float(model.score(_flat(ds.test.X), ds.test.y))


def _boosting(ds: Dataset) -> float:
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(random_state=0)
    model.fit(_flat(ds.train.X), ds.train.y)
    return float(model.score(_flat(ds.test.X), ds.test.y))


def _unigram(ds: Dataset) -> float:
    """Bits per character of predicting each character by its training frequency."""
    vocab = len(ds.train.vocab or [])
    counts = np.bincount(ds.train.X, minlength=vocab).astype(np.float64) + 1.0  # add-one
    logp = np.log2(counts / counts.sum())
    return float(-logp[ds.test.X[:, 1:]].mean())


_COMPUTE: dict[str, Callable[[Dataset], float]] = {
    "majority": _majority, "logistic-regression": _logistic,
    "gradient-boosting": _boosting, "unigram": _unigram}


def _known(path: Path) -> dict[str, object]:
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    return known if isinstance(known, dict) else {}


def missing(ds: Dataset, names: list[str], cache: Path) -> list[str]:
    """The baselines :func:`baselines` would compute (not cached yet): the first run on
    new data says so before the wait, instead of seeming to hang."""
    known, rows = _known(cache / "baselines.json"), ds.fingerprint()
    return [name for name in names if not _usable(known.get(f"{ds.name}:{rows}:{name}"))]


def _usable(value: object) -> bool:
    return isinstance(value, float) and math.isfinite(value)


def baselines(ds: Dataset, names: list[str], cache: Path) -> dict[str, float]:
    """Each named baseline's test metric on ``ds``, from the cache when it is there."""
    path = cache / "baselines.json"
    known = _known(path)
    out: dict[str, float] = {}
    changed = False
    rows = ds.fingerprint()
    for name in names:
        key = f"{ds.name}:{rows}:{name}"
        value = known.get(key)
        if not isinstance(value, float) or not _usable(value):
            value = _COMPUTE[name](ds)
            known[key] = value
            changed = True
        out[name] = value
    if changed:
        cache.mkdir(parents=True, exist_ok=True)
        from deepcareer.atomic import write_text_atomic

        write_text_atomic(path, json.dumps(known, indent=1, sort_keys=True))
    return out
