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


# --- issue 16, item 7 -------------------------------------------------------------------

CAPSTONE = get_project("capstone")


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _wine_rows() -> tuple[list[str], list[list[object]]]:
    from sklearn.datasets import load_wine

    d = load_wine()
    header = [*d.feature_names, "cultivar"]
    rows = [[*row, d.target_names[label]] for row, label in zip(d.data, d.target,
                                                                  strict=True)]
    return header, rows


def _run_reference(tmp_path: Path, data: Path, target: str | None) -> object:
    home = tmp_path / "home"
    with open_store(home) as store:
        new_project(home, CAPSTONE, data=data, target=target)
        return run_project(store, CAPSTONE, CAPSTONE.reference.read_text(), record=False)


def test_beating_the_baseline_within_noise_is_not_a_pass() -> None:
    """0.01 points over the majority on 10,000 held-out rows is luck; 2 points is not."""
    spec = CAPSTONE.spec
    assert not spec.passes(0.6001, {"majority": 0.6}, n_test=10_000)
    assert spec.passes(0.62, {"majority": 0.6}, n_test=10_000)
    assert not spec.passes(0.62, {"majority": 0.6}, n_test=100)  # too few rows to tell
    assert not spec.passes(0.59, {"majority": 0.6}, n_test=10_000)


def test_the_margin_test_against_scipy() -> None:
    import scipy.stats

    from deepcareer.projects.spec import beat_p_value

    for acc, bar, n in [(0.62, 0.6, 100), (0.7, 0.6, 45), (0.55, 0.5, 4000), (1.0, 0.9, 30)]:
        k = round(acc * n)
        assert beat_p_value(acc, bar, n) == pytest.approx(scipy.stats.binom.sf(k - 1, n, bar),
                                                          rel=1e-7)
    for acc, bar, n in [(0.6005, 0.6, 400_000), (0.602, 0.6, 400_000)]:
        k = round(acc * n)
        assert beat_p_value(acc, bar, n) == pytest.approx(scipy.stats.binom.sf(k - 1, n, bar),
                                                          rel=0.05)


def test_a_run_on_noise_says_the_margin_is_within_chance(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    labels = np.where(rng.random(800) < 0.55, "yes", "no")
    data = _write(tmp_path / "noise.csv", ["a", "b", "c", "label"],
                  [[*rng.normal(size=3).round(6), lab] for lab in labels])
    result = _run_reference(tmp_path, data, "label")
    assert not result.passed and result.status == "fail"  # type: ignore[attr-defined]
    assert "by more than chance on your 200 held-out rows" in result.message  # type: ignore


def test_a_feature_that_gives_the_label_away_is_a_leak(tmp_path: Path) -> None:
    header, rows = _wine_rows()
    codes = {"class_0": 3.0, "class_1": 7.0, "class_2": 11.0}
    rng = np.random.default_rng(1)
    data = _write(tmp_path / "wine.csv", [*header[:-1], "batch_code", header[-1]],
                  [[*r[:-1], codes[str(r[-1])] + rng.normal(0, 0.1), r[-1]] for r in rows])
    result = _run_reference(tmp_path, data, "cultivar")
    assert result.status == "leak" and not result.passed  # type: ignore[attr-defined]
    (check,) = [c for c in result.checks  # type: ignore[attr-defined]
                if c["check"] == "label-in-features"]
    assert "batch_code" in check["message"] and "Drop the column" in check["message"]


def test_duplicates_across_the_split_refuse_the_figure(tmp_path: Path) -> None:
    header, rows = _wine_rows()
    data = _write(tmp_path / "wine.csv", header, rows + rows)  # every row twice
    result = _run_reference(tmp_path, data, "cultivar")
    assert result.status == "fail" and not result.passed  # type: ignore[attr-defined]
    (check,) = [c for c in result.checks if c["check"] == "duplicates"]  # type: ignore
    assert check["severity"] == "refused" and "does not count" in check["message"]


def test_baselines_follow_the_datas_content_not_its_name(tmp_path: Path) -> None:
    from deepcareer.projects.baselines import baselines

    header, rows = _wine_rows()
    path = _write(tmp_path / "wine.csv", header, rows)
    first = capstone_dataset({"kind": "csv", "data": str(path), "target": "cultivar"})
    cache = tmp_path / "cache"
    before = baselines(first, ["majority"], cache)
    # The same file name, the same features, other labels: a replaced file.
    relabelled = [[*r[:-1], "class_0" if i % 5 else "class_1"] for i, r in enumerate(rows)]
    _write(path, header, relabelled)
    second = capstone_dataset({"kind": "csv", "data": str(path), "target": "cultivar"})
    assert second.name == first.name and second.fingerprint() != first.fingerprint()
    after = baselines(second, ["majority"], cache)
    assert after["majority"] == pytest.approx(0.8, abs=0.03) != before["majority"]


def test_an_image_folder_capstone_runs_end_to_end(tmp_path: Path) -> None:
    from matplotlib.image import imsave
    from sklearn.datasets import load_digits

    d = load_digits()
    for i in np.flatnonzero(d.target < 2)[:80]:
        folder = tmp_path / "imgs" / f"digit{d.target[i]}"
        folder.mkdir(parents=True, exist_ok=True)
        imsave(folder / f"{i}.png", d.images[i], cmap="gray")
    result = _run_reference(tmp_path, tmp_path / "imgs", None)
    assert result.status == "pass", result.message  # type: ignore[attr-defined]
    assert set(result.baselines) == {"majority", "logistic-regression",  # type: ignore
                                     "gradient-boosting"}


def test_large_files_are_streamed_and_everything_left_out_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from deepcareer.projects import capstone
    from deepcareer.projects.report import data_notes

    monkeypatch.setattr(capstone, "MAX_ROWS", 50)
    rng = np.random.default_rng(2)
    rows: list[list[object]] = [[*rng.normal(size=2).round(4), "words", "ab"[i % 2]]
                                for i in range(90)]
    rows[3][0] = ""  # line 5 of the file: a gap
    rows[6] = rows[6][:2]  # line 8: too few fields
    rows[9][1] = "inf"  # line 11: not a finite number
    path = _write(tmp_path / "big.csv", ["x", "z", "note", "y"], rows)
    ds = capstone_dataset({"kind": "csv", "data": str(path), "target": "y"})
    assert len(ds.train.X) + len(ds.test.X) == 50
    facts = ds.describe()
    assert facts["rows_beyond_limit"] == 90 - 3 - 50 and facts["row_limit"] == 50
    assert facts["skipped_rows"] == 3
    assert facts["skipped_examples"] == ["line 5: no value in 'x'",
                                         "line 8: 2 fields where the header has 4",
                                         "line 11: 'inf' in 'z' is not a finite number"]
    notes = " ".join(data_notes(facts))
    assert "note (not a number" in notes and "line 8: 2 fields" in notes
    assert "Only the first 50 usable rows" in notes and "37 rows after them" in notes
