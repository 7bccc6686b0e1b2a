"""The capstone's data: the learner's own CSV file or folder of images.

Bad data gets a message that says what to change (a missing column, a file that is not
UTF-8, images of different sizes), never a traceback. Rows with missing values are left
out and counted; text columns other than the target are left out and named.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np

from deepcareer.errors import UsageError
from deepcareer.projects.datasets import Dataset, _split

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}
MAX_ROWS = 200_000


def capstone_config(data: Path, target: str | None) -> dict[str, Any]:
    """Check the learner's data once, when the capstone is created."""
    data = data.expanduser().resolve()
    if not data.exists():
        raise UsageError(f"There is no file or folder at {data}.")
    if data.is_dir():
        config = {"kind": "images", "data": str(data), "target": None}
    elif data.suffix.lower() == ".csv":
        if not target:
            raise UsageError("A CSV capstone needs --target COLUMN: the column to predict.")
        config = {"kind": "csv", "data": str(data), "target": target}
    else:
        raise UsageError(f"{data.name}: give a .csv file or a folder of images (one "
                         "subfolder per class).")
    capstone_dataset(config)  # fail now, with the reason, rather than at the first run
    return config


def capstone_dataset(config: dict[str, Any]) -> Dataset:
    path = Path(str(config.get("data", "")))
    if config.get("kind") == "csv":
        return _csv(path, str(config.get("target")))
    if config.get("kind") == "images":
        return _images(path)
    raise UsageError("The capstone's capstone.yml is damaged: run `deepcareer project new "
                     "capstone --data ... --force` again.")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


NAMED_ROWS = 20  # skipped rows named one by one in the report; the rest are counted
SNIFF_ROWS = 200  # rows that decide which columns are numeric


def _parses(text: str) -> bool:
    """A number, finite or not: a column with an "inf" or "nan" here and there is still a
    numeric column (those rows are skipped and named), not a text column to drop."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv(path: Path, target: str) -> Dataset:
    """Read the learner's CSV as a stream: at most ``MAX_ROWS`` data rows are kept, the
    rest are counted (never held in memory) and the limit is stated in the report. Every
    column left out and every row skipped is named with its reason."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return _csv_rows(path, csv.reader(fh), target)
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path.name} is not UTF-8 text; save it as UTF-8 CSV.") from exc
    except (OSError, csv.Error) as exc:
        raise UsageError(f"Cannot read {path}: {exc}") from exc


def _csv_rows(path: Path, reader: Any, target: str) -> Dataset:
    header = next(reader, None)
    if header is None:
        raise UsageError(f"{path.name} needs a header row and at least two data rows.")
    if target not in header:
        raise UsageError(f"{path.name} has no column {target!r}; its columns are: "
                         f"{', '.join(header)}.")
    t = header.index(target)
    width = len(header)
    first: list[tuple[int, list[str]]] = []
    for row in reader:  # a sample decides which columns are numeric
        first.append((reader.line_num, row))
        if len(first) >= SNIFF_ROWS:
            break
    if len(first) < 2:
        raise UsageError(f"{path.name} needs a header row and at least two data rows.")
    numeric = [i for i in range(width) if i != t and all(
        _parses(r[i]) for _, r in first if len(r) == width and r[i].strip())]
    dropped_cols = [header[i] for i in range(width) if i != t and i not in numeric]
    X_rows: list[list[float]] = []
    labels: list[str] = []
    skipped: list[str] = []  # "line 7: no value in 'age'"
    n_skipped = beyond = 0

    def rows() -> Any:
        yield from first
        for row in reader:
            yield reader.line_num, row

    for line, r in rows():
        if len(X_rows) >= MAX_ROWS:
            beyond += 1  # counted, not kept
            continue
        why = _unusable(r, width, t, numeric, header)
        if why:
            n_skipped += 1
            if len(skipped) < NAMED_ROWS:
                skipped.append(f"line {line}: {why}")
            continue
        X_rows.append([float(r[i]) for i in numeric])
        labels.append(r[t].strip())
    classes = sorted(set(labels))
    if not numeric:
        raise UsageError(f"{path.name} has no numeric feature columns besides {target!r}.")
    if len(classes) < 2 or len(classes) > 100:
        raise UsageError(f"The target {target!r} has {len(classes)} distinct values; a "
                         "classification capstone needs 2 to 100 classes.")
    counts = {c: 0 for c in classes}
    for label in labels:
        counts[label] += 1
    if min(counts.values()) < 2:
        raise UsageError(f"Every class of {target!r} needs at least two rows (for a "
                         f"stratified split); these have one: "
                         f"{', '.join(c for c, n in counts.items() if n < 2)}.")
    index = {c: i for i, c in enumerate(classes)}
    X = np.asarray(X_rows, dtype=np.float64)
    y = np.asarray([index[c] for c in labels], dtype=np.int64)
    names = [header[i] for i in numeric]
    meta = {"feature_names": names, "skipped_rows": n_skipped,
            "dropped_columns": dropped_cols, "source": str(path)}
    ds = _split(f"capstone:{path.name}", X, y, classes, [str(path)], meta)
    ds.extras.update({
        "dropped_columns": [f"{c} (not a number in the first {SNIFF_ROWS} rows)"
                            for c in dropped_cols],
        "skipped_rows": n_skipped, "skipped_examples": skipped,
        "row_limit": MAX_ROWS, "rows_beyond_limit": beyond,
        "label_features": label_features(ds, names)})
    return ds


def _unusable(r: list[str], width: int, t: int, numeric: list[int],
              header: list[str]) -> str:
    """Why a CSV row cannot be used ("" when it can)."""
    if len(r) != width:
        return f"{len(r)} fields where the header has {width}"
    if not r[t].strip():
        return f"no value in the target {header[t]!r}"
    for i in numeric:
        if not r[i].strip():
            return f"no value in {header[i]!r}"
        if _number(r[i]) is None:
            return f"{r[i][:20]!r} in {header[i]!r} is not a finite number"
    return ""


DETERMINES = 0.99  # a single feature that predicts this share of held-out rows
CHECK_ROWS = 20_000  # rows used to look for such features (the check stays quick)


def label_features(ds: Dataset, names: list[str]) -> list[str]:
    """Features that alone predict the label on the held-out rows (a small tree on that
    one column, fitted on the training rows): the label itself under another name, an ID
    that encodes it, a field filled in after the outcome was known. A model that finds it
    scores high and has learned nothing the task needs. Each is named with its accuracy."""
    from sklearn.tree import DecisionTreeClassifier

    assert ds.train.y is not None and ds.test.y is not None
    X, y = ds.train.X[:CHECK_ROWS], ds.train.y[:CHECK_ROWS]
    Xt, yt = ds.test.X[:CHECK_ROWS], ds.test.y[:CHECK_ROWS]
    if X.ndim != 2 or not len(yt):
        return []
    majority = float(np.max(np.bincount(yt)) / len(yt))
    found = []
    for j, name in enumerate(names[: X.shape[1]]):
        tree = DecisionTreeClassifier(max_depth=6, random_state=0).fit(X[:, j:j + 1], y)
        accuracy = float((tree.predict(Xt[:, j:j + 1]) == yt).mean())
        if accuracy >= DETERMINES and accuracy > majority:
            found.append(f"{name} ({accuracy:.1%} of held-out rows from it alone)")
    return found


def _images(folder: Path) -> Dataset:
    from matplotlib.image import imread

    classes = sorted(p.name for p in folder.iterdir() if p.is_dir())
    if len(classes) < 2:
        raise UsageError(f"{folder} needs one subfolder per class (at least two), each "
                         "holding that class's images.")
    images, labels, shape = [], [], None
    for ci, name in enumerate(classes):
        for file in sorted((folder / name).iterdir()):
            if file.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            try:
                img = np.asarray(imread(file), dtype=np.float32)
            except (OSError, ValueError, SyntaxError) as exc:
                raise UsageError(f"Cannot read the image {file}: {exc}") from exc
            if img.max() > 1.0:
                img = img / 255.0
            if shape is None:
                shape = img.shape
            elif img.shape != shape:
                raise UsageError(f"Images must share one size: {file.name} is {img.shape}, "
                                 f"earlier ones are {shape}. Resize them first.")
            images.append(img)
            labels.append(ci)
    counts = np.bincount(labels, minlength=len(classes)) if labels else np.zeros(1)
    if counts.min() < 2:
        raise UsageError(f"Every class folder in {folder} needs at least two images.")
    return _split(f"capstone:{folder.name}", np.stack(images), np.asarray(labels), classes,
                  [str(folder)], {"image_shape": list(shape or ())})
