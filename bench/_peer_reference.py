"""The peer of bench/project_training.py: a reference project trained by a plain script.

No sandbox, no tracker, no store: import the reference file, build the same split, call
fit with a do-nothing run object, score predict. Prints one JSON line, with the time
spent building the data.

The data is built the way a plain script builds it. For scikit-learn's bundled tables
that is its public loader and ``train_test_split`` (``datasets._digits_split`` and its
siblings: the same rows and split as the tool's, without the tool's cache in the home);
for MNIST-1D, whose generation takes seconds, the tool's own cached arrays (which favours
the peer: a plain script would generate or download them).

Usage: python bench/_peer_reference.py REFERENCE.py DATASET [VARIANT] [HOME]
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
import types
from pathlib import Path


class QuietRun:
    """The tracker's interface, doing nothing."""

    def __init__(self, variant: str) -> None:
        self.seed, self.variant, self.experiment, self.budget_s = 0, variant, variant, 1e9

    def params(self, **values: object) -> None:
        pass

    def epochs(self, n: int) -> range:
        return range(n)

    def log(self, **metrics: object) -> None:
        pass


def main() -> None:
    started = time.perf_counter()
    ref, dataset = Path(sys.argv[1]), sys.argv[2]
    variant = sys.argv[3] if len(sys.argv) > 3 else "model"
    home = Path(sys.argv[4]) if len(sys.argv) > 4 else Path(".")
    import numpy as np

    from deepcareer.projects import datasets

    plain = {"digits": datasets._digits_split, "breast-cancer": datasets._breast_cancer_split,
             "wine": datasets._wine_split}
    building = time.perf_counter()
    ds = plain[dataset]() if dataset in plain else datasets.load_dataset(dataset, home)
    data_s = time.perf_counter() - building
    if "torch" in ref.read_text():
        import os

        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as the project runner sets it
        import torch

        torch.set_num_threads(2)
        torch.manual_seed(0)
    spec = importlib.util.spec_from_file_location("reference", ref)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    train = types.SimpleNamespace(X=ds.train.X, y=ds.train.y, classes=ds.train.classes,
                                  vocab=ds.train.vocab, meta=ds.train.meta)
    fit_started = time.perf_counter()
    model = module.fit(train, QuietRun(variant))
    train_s = time.perf_counter() - fit_started
    pred = np.asarray(module.predict(model, ds.test.X))
    labels = pred.argmax(axis=1) if pred.ndim == 2 else pred
    print(json.dumps({"train_s": train_s, "data_s": data_s,
                      "accuracy": float((labels == ds.test.y).mean()),
                      "total_s": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
