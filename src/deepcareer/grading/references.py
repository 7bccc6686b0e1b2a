"""Reference outputs of framework exercises, shipped with the content.

A check compares the learner's outputs with the reference solution's on the same cases.
On a framework track the reference needs PyTorch or TensorFlow, and importing one in the
grading process as well as in the sandboxed child doubles the work of a one-shot
``deepcareer check`` (two processes importing a large framework, one core each at best).
So the reference's outputs for the fixed cases, and for the random cases of a bank of
:data:`BANK` seeds, ship beside the exercise as ``reference-<module>.npz``; a check on
such an exercise draws its seed from the bank and never imports the framework in the
grading process unless it has to diagnose a failure.

Each output is keyed by a digest of the case itself (function name and every input's
dtype, shape and bytes), so a case that changed since the file was built simply misses
and is computed live, and the file is stamped with a hash of ``solution.py`` and
``checks.py`` and the framework version it was computed with: a stamp that does not fit
makes every case live (``make frameworks`` rebuilds; a test fails while one is stale).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from deepcareer.curriculum.catalog import Exercise
from deepcareer.curriculum.tracks import TRACKS
from deepcareer.grading.spec import Case

#: Seeds 0..BANK-1 have their random cases' outputs shipped. Random cases are there so a
#: file tuned to the visible cases fails; sixteen draws serve that as well as four billion.
BANK = 16
_SOURCES = ("solution.py", "checks.py")
_MISSING = object()


def path(ex: Exercise) -> Path | None:
    """Where the shipped outputs of ``ex`` live; None on a track without a framework."""
    module = TRACKS[ex.meta.track].module
    return ex.folder / f"reference-{module}.npz" if module else None


def content_hash(ex: Exercise) -> str:
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update((ex.folder / name).read_bytes())
    return digest.hexdigest()[:16]


def _version(ex: Exercise) -> str | None:
    from deepcareer.grading.crosscheck import installed_version

    module = TRACKS[ex.meta.track].module
    return installed_version(module) if module else None


def _stamp(ex: Exercise) -> dict[str, Any]:
    return {"content": content_hash(ex), "version": _version(ex), "bank": BANK}


def case_key(case: Case) -> str | None:
    """A digest of what the reference is called with; None when an input is not plain data
    (then the case is always computed live)."""
    digest = hashlib.sha256(case.call.encode())
    try:
        _feed(digest, list(case.args))
        _feed(digest, dict(case.kwargs))
    except TypeError:
        return None
    return digest.hexdigest()[:24]


def _feed(digest: Any, value: Any) -> None:
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise TypeError("object array")
        digest.update(f"a{value.dtype.str}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, bool | int | float | str | None | np.generic):
        digest.update(f"s{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, list | tuple):
        digest.update(f"{type(value).__name__}{len(value)}[".encode())
        for item in value:
            _feed(digest, item)
        digest.update(b"]")
    elif isinstance(value, dict):
        digest.update(f"d{len(value)}{{".encode())
        for k in sorted(value, key=repr):
            digest.update(f"{k!r}:".encode())
            _feed(digest, value[k])
        digest.update(b"}")
    else:
        raise TypeError(type(value).__name__)


# --- what a check uses ---------------------------------------------------------------


def draw_seed(ex: Exercise) -> int:
    """A seed whose random cases' outputs ship, when they fit; else any 32-bit seed."""
    if _fits(ex):
        return secrets.randbelow(BANK)
    return secrets.randbits(32)


def expected(ex: Exercise, cases: Sequence[Case]) -> list[Any]:
    """The reference's outputs (None for judged cases): shipped where they fit, the rest
    computed by running the reference."""
    from deepcareer.grading.diagnose import run_case

    shipped = _read(ex) if _fits(ex) else {}
    out: list[Any] = []
    for case in cases:
        if case.judge is not None:
            out.append(None)
            continue
        key = case_key(case)
        value = shipped.get(key, _MISSING) if key is not None else _MISSING
        out.append(run_case(ex.reference_function(case.call), case)
                   if value is _MISSING else value)
    return out


# --- the shipped file ----------------------------------------------------------------


def _fits(ex: Exercise) -> bool:
    where = path(ex)
    if where is None or not where.exists():
        return False
    return _read_stamp(where) == _stamp(ex)


def _read_stamp(where: Path) -> dict[str, Any] | None:
    try:
        with np.load(where, allow_pickle=False) as data:
            stamp = json.loads(bytes(data["stamp"]).decode())
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        return None
    return stamp if isinstance(stamp, dict) else None


def stale(ex: Exercise) -> bool:
    """Whether ``ex`` should ship outputs (its framework is installed) and they do not fit."""
    return path(ex) is not None and _version(ex) is not None and not _fits(ex)


def _read(ex: Exercise) -> dict[str, Any]:
    where = path(ex)
    assert where is not None
    with contextlib.suppress(OSError, ValueError, KeyError, json.JSONDecodeError), \
            np.load(where, allow_pickle=False) as data:
        layout = json.loads(bytes(data["layout"]).decode())
        return {key: _decode(spec, data) for key, spec in layout.items()}
    return {}


def build(ex: Exercise) -> int:
    """Compute the reference on the fixed cases and on the random cases of every seed in
    the bank, and write them beside the exercise, stamped; returns the outputs written."""
    from deepcareer.grading.diagnose import run_case
    from deepcareer.grading.grader import build_cases

    where = path(ex)
    if where is None or _version(ex) is None:
        return 0
    layout: dict[str, Any] = {}
    arrays: dict[str, Any] = {}
    for seed in range(BANK):
        for case in build_cases(ex, seed):
            key = case_key(case)
            if case.judge is not None or key is None or key in layout:
                continue
            with contextlib.suppress(TypeError):
                layout[key] = _encode(run_case(ex.reference_function(case.call), case),
                                      arrays)
    buf = io.BytesIO()
    arrays["layout"] = np.frombuffer(json.dumps(layout, sort_keys=True).encode(),
                                     dtype=np.uint8)
    arrays["stamp"] = np.frombuffer(json.dumps(_stamp(ex), sort_keys=True).encode(),
                                    dtype=np.uint8)
    np.savez_compressed(buf, **arrays)
    from deepcareer.atomic import write_bytes_atomic

    write_bytes_atomic(where, buf.getvalue())
    return len(layout)


def _encode(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    """A JSON layout of ``value``; arrays (tensors included, as NumPy) go to ``arrays``.
    Raises TypeError for anything else (that case stays live)."""
    if hasattr(value, "detach"):  # a PyTorch tensor
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy") and not isinstance(value, np.ndarray | np.generic):
        value = value.numpy()  # a TensorFlow tensor
    if isinstance(value, np.ndarray | np.generic):
        arr = np.asarray(value)
        if arr.dtype.hasobject:
            raise TypeError("object array")
        name = f"v{len(arrays)}"
        arrays[name] = arr
        return {"a": name, "scalar": isinstance(value, np.generic)}
    if isinstance(value, bool | int | float):
        return {"py": type(value).__name__, "v": value}
    if isinstance(value, list | tuple):
        return {type(value).__name__: [_encode(v, arrays) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"dict": {k: _encode(v, arrays) for k, v in value.items()}}
    raise TypeError(type(value).__name__)


def _decode(spec: Any, data: Any) -> Any:
    if "a" in spec:
        arr = data[spec["a"]]
        return arr[()] if spec.get("scalar") else arr
    if "py" in spec:
        return {"bool": bool, "int": int, "float": float}[spec["py"]](spec["v"])
    if "tuple" in spec:
        return tuple(_decode(s, data) for s in spec["tuple"])
    if "list" in spec:
        return [_decode(s, data) for s in spec["list"]]
    return {k: _decode(s, data) for k, s in spec["dict"].items()}
