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


def _csv(path: Path, target: str) -> Dataset:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path.name} is not UTF-8 text; save it as UTF-8 CSV.") from exc
    except (OSError, csv.Error) as exc:
        raise UsageError(f"Cannot read {path}: {exc}") from exc
    if len(rows) < 3:
        raise UsageError(f"{path.name} needs a header row and at least two data rows.")
    header, body = rows[0], rows[1 : MAX_ROWS + 1]
    if target not in header:
        raise UsageError(f"{path.name} has no column {target!r}; its columns are: "
                         f"{', '.join(header)}.")
    t = header.index(target)
    width = len(header)
    numeric = [i for i in range(width) if i != t and all(
        _number(r[i]) is not None for r in body[:200] if len(r) == width and r[i].strip())]
    dropped_cols = [header[i] for i in range(width) if i != t and i not in numeric]
    X_rows, labels, skipped = [], [], 0
    for r in body:
        values = [_number(r[i]) for i in numeric] if len(r) == width else [None]
        if len(r) != width or any(v is None for v in values) or not r[t].strip():
            skipped += 1
            continue
        X_rows.append(values)
        labels.append(r[t].strip())
    classes = sorted(set(labels))
    if not numeric:
        raise UsageError(f"{path.name} has no numeric feature columns besides {target!r}.")
    if len(classes) < 2 or len(classes) > 100:
        raise UsageError(f"The target {target!r} has {len(classes)} distinct values; a "
                         "classification capstone needs 2 to 100 classes.")
    counts = {c: labels.count(c) for c in classes}
    if min(counts.values()) < 2:
        raise UsageError(f"Every class of {target!r} needs at least two rows (for a "
                         f"stratified split); these have one: "
                         f"{', '.join(c for c, n in counts.items() if n < 2)}.")
    index = {c: i for i, c in enumerate(classes)}
    X = np.asarray(X_rows, dtype=np.float64)
    y = np.asarray([index[c] for c in labels], dtype=np.int64)
    meta = {"feature_names": [header[i] for i in numeric], "skipped_rows": skipped,
            "dropped_columns": dropped_cols, "source": str(path)}
    return _split(f"capstone:{path.name}", X, y, classes, [str(path)], meta)


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
