"""The capstone on the learner's own data: good data runs, bad data is explained."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from deepcareer.errors import UsageError
from deepcareer.projects.capstone import capstone_config, capstone_dataset
from deepcareer.projects.runs import new_project, run_project
from deepcareer.projects.spec import get_project
from deepcareer.store.db import open_store


def _wine_csv(path: Path) -> Path:
    from sklearn.datasets import load_wine

    d = load_wine()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*d.feature_names, "note", "cultivar"])
        for row, label in zip(d.data, d.target, strict=True):
            w.writerow([*row, "text", d.target_names[label]])
        w.writerow(["", *([1] * (len(d.feature_names) - 1)), "x", "class_0"])  # a gap
    return path


def test_a_csv_capstone_runs_and_beats_the_majority(tmp_path: Path) -> None:
    data = _wine_csv(tmp_path / "wine.csv")
    home = tmp_path / "home"
    project = get_project("capstone")
    with open_store(home) as store:
        path = new_project(home, project, data=data, target="cultivar")
        assert "NotImplementedError" in path.read_text()
        result = run_project(store, project, project.reference.read_text())
    assert result.passed, result.message
    assert "majority class baseline" in result.message
    assert result.dataset["classes"] == ["class_0", "class_1", "class_2"]
    ds = capstone_dataset(capstone_config(data, "cultivar"))
    assert ds.train.meta["skipped_rows"] == 1 and ds.train.meta["dropped_columns"] == ["note"]


def test_an_image_folder_capstone_loads(tmp_path: Path) -> None:
    from matplotlib.image import imsave
    from sklearn.datasets import load_digits

    d = load_digits()
    for i in range(60):
        folder = tmp_path / "imgs" / f"digit{d.target[i] % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        imsave(folder / f"{i}.png", d.images[i], cmap="gray")
    ds = capstone_dataset(capstone_config(tmp_path / "imgs", None))
    assert ds.train.classes == ["digit0", "digit1"]
    assert ds.train.X.shape[1:3] == (8, 8) and ds.train.X.max() <= 1.0


@pytest.mark.parametrize(("content", "target", "fragment"), [
    ("a,b\n1,x\n2,y\n", "c", "has no column 'c'; its columns are: a, b"),
    ("a,b\n1,x\n", "b", "needs a header row and at least two data rows"),
    ("a,b\n1,x\n2,x\n3,x\n", "b", "has 1 distinct values"),
    ("a,b\n1,x\n2,x\n3,y\n", "b", "these have one: y"),
    ("a,b\nq,x\nr,y\ns,x\nt,y\n", "b", "no numeric feature columns"),
])
def test_bad_csv_is_explained(tmp_path: Path, content: str, target: str,
                              fragment: str) -> None:
    path = tmp_path / "data.csv"
    path.write_text(content)
    with pytest.raises(UsageError) as info:
        capstone_config(path, target)
    assert fragment in info.value.message


def test_binary_and_missing_files_are_explained(tmp_path: Path) -> None:
    blob = tmp_path / "blob.csv"
    blob.write_bytes(bytes(np.random.default_rng(0).integers(128, 256, 500, dtype=np.uint8)))
    with pytest.raises(UsageError, match="not UTF-8"):
        capstone_config(blob, "x")
    with pytest.raises(UsageError, match="no file or folder"):
        capstone_config(tmp_path / "missing.csv", "x")
    with pytest.raises(UsageError, match="--target"):
        capstone_config(blob, None)


def test_images_of_different_sizes_are_explained(tmp_path: Path) -> None:
    from matplotlib.image import imsave

    for cls, size in (("a", 8), ("b", 9)):
        (tmp_path / "imgs" / cls).mkdir(parents=True)
        for i in range(2):
            imsave(tmp_path / "imgs" / cls / f"{i}.png", np.zeros((size, size)), cmap="gray")
    with pytest.raises(UsageError, match="Images must share one size"):
        capstone_config(tmp_path / "imgs", None)
