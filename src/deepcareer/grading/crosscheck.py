"""Cross-framework checks: the learner's NumPy output beside PyTorch's and TensorFlow's.

An exercise opts in with a ``frameworks.py`` next to its solution, defining
``CROSS = {function name: {framework name: implementation}}``. Each implementation
calls the framework's own layer or op on the case's inputs (converting layouts
where the frameworks store things differently) and returns NumPy arrays.

Only the fixed cases (visible and hidden) are compared, so every framework's
outputs can be computed once: importing TensorFlow takes seconds, and the learner
should not wait for that, not even on a first check. They ship with the content as
``frameworks-<module>.npz`` beside ``frameworks.py``, stamped with a hash of the
content files and the framework version they were computed with (rebuilt by
``make frameworks``, that is ``python -m deepcareer.grading.crosscheck``; a test
fails when one is stale). Only when the
installed framework's version differs from the stamp are they computed again, once,
into a cache in the learner's home keyed the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from deepcareer.curriculum.catalog import Exercise
from deepcareer.curriculum.modules import load_module
from deepcareer.curriculum.tracks import TRACKS, Track
from deepcareer.errors import ContentError
from deepcareer.grading import references
from deepcareer.grading.compare import compare
from deepcareer.grading.spec import Case

#: Framework display name -> the track that knows its module, extra and availability.
FRAMEWORKS: dict[str, str] = {"PyTorch": "pytorch", "TensorFlow": "tensorflow"}
FILE = "frameworks.py"
# TensorFlow's lazy loader breaks when two threads import it at once: one at a time.
_COMPUTE = threading.Lock()


@dataclass
class Agreement:
    """How one framework's outputs compare with the learner's on the fixed cases."""

    framework: str
    status: str  # agrees | disagrees | not_installed
    cases: int = 0
    disagreements: int = 0
    first_case: str = ""
    detail: str = ""

    def sentence(self) -> str:
        if self.status == "not_installed":
            return f"{self.framework}: not installed ({self.detail})."
        if self.status == "agrees":
            return f"{self.framework} agrees with your output on all {self.cases} cases."
        return (f"{self.framework} disagrees on {self.disagreements} of {self.cases} cases; "
                f"first, {self.first_case}: {self.detail}")


def implementations(ex: Exercise) -> dict[str, dict[str, Callable[..., Any]]]:
    """The exercise's CROSS table, or an empty one when it has no frameworks.py."""
    path = ex.folder / FILE
    if not path.exists():
        return {}
    table = getattr(load_module(path), "CROSS", None)
    if not isinstance(table, dict):
        raise ContentError(f"{path} must define CROSS = {{function: {{framework: fn}}}}")
    for fn, impls in table.items():
        unknown = set(impls) - set(FRAMEWORKS)
        if unknown:
            raise ContentError(f"{path}: unknown framework(s) {sorted(unknown)} for {fn}; "
                               f"use {sorted(FRAMEWORKS)}")
    return table


def _track(framework: str) -> Track:
    return TRACKS[FRAMEWORKS[framework]]


def _named(table: dict[str, dict[str, Any]]) -> list[str]:
    """The frameworks a CROSS table covers, sorted."""
    return sorted({fw for impls in table.values() for fw in impls})


def fixed_cases(cases: Sequence[Case], table: dict[str, Any]) -> list[int]:
    """Indices of the cases the frameworks are compared on: fixed ones of covered functions."""
    return [i for i, c in enumerate(cases)
            if c.kind != "random" and c.call in table and c.judge is None]


def _keys(cases: Sequence[Case], indices: Sequence[int]) -> dict[int, str]:
    """A stable name per fixed case: ``e3`` (the 4th case overall, before any random
    one) or ``h1`` (the 2nd hidden case), whatever number of random cases a seed draws."""
    hidden = [i for i, c in enumerate(cases) if c.kind == "hidden"]
    return {i: f"h{hidden.index(i)}" if i in hidden else f"e{i}" for i in indices}


def framework_outputs(ex: Exercise, cases: Sequence[Case], framework: str,
                      cache_dir: Path | None = None) -> dict[int, Any]:
    """Outputs of ``framework`` on the fixed cases, by case index: shipped with the content
    when they match it and the installed framework, else cached in the learner's home."""
    table = implementations(ex)
    indices = [i for i in fixed_cases(cases, table) if framework in table[cases[i].call]]
    keys = _keys(cases, indices)
    shipped = shipped_path(ex, framework)
    if _shipped_fits(ex, framework):
        with contextlib.suppress(OSError, ValueError, KeyError, json.JSONDecodeError):
            return _read_cache(shipped, keys)
    path = _cache_path(ex, framework, cache_dir) if cache_dir is not None else None
    if path is not None and path.exists():
        with contextlib.suppress(OSError, ValueError, KeyError, json.JSONDecodeError):
            return _read_cache(path, keys)
    outputs = _compute(table, cases, indices, framework)
    if path is not None:
        with contextlib.suppress(OSError):
            _write_cache(path, {keys[i]: v for i, v in outputs.items()})
            for stale in path.parent.glob(path.name.rsplit("-", 1)[0] + "-*.npz"):
                if stale != path:  # written for older content or another framework version
                    stale.unlink()
    return outputs


def _compute(table: dict[str, dict[str, Callable[..., Any]]], cases: Sequence[Case],
             indices: Sequence[int], framework: str) -> dict[int, Any]:
    with _COMPUTE:
        outputs = {i: table[cases[i].call][framework](*_copies(cases[i].args),
                                                      **_copies(cases[i].kwargs))
                   for i in indices}
    return {i: _as_numpy(v) for i, v in outputs.items()}


def needs_computing(ex: Exercise, cache_dir: Path) -> list[str]:
    """The installed frameworks whose outputs for ``ex`` are neither shipped for this
    version nor cached yet (slow the first time: the framework has to be imported)."""
    return [fw for fw in _named(implementations(ex))
            if _track(fw).available() and not _shipped_fits(ex, fw)
            and not _cache_path(ex, fw, cache_dir).exists()]


# --- outputs shipped with the content ------------------------------------------------


def shipped_path(ex: Exercise, framework: str) -> Path:
    return ex.folder / f"frameworks-{_track(framework).module}.npz"


def content_hash(ex: Exercise) -> str:
    """What the shipped outputs depend on: the framework implementations and the cases."""
    digest = hashlib.sha256()
    for name in (FILE, "checks.py"):
        digest.update((ex.folder / name).read_bytes())
    return digest.hexdigest()[:16]


def framework_version(framework: str) -> str | None:
    """The installed framework's version, read from its metadata (no import)."""
    return installed_version(str(_track(framework).module))


def installed_version(module: str) -> str | None:
    """The version of the distribution that provides ``module``, without importing it."""
    for dist in (module, f"{module}-cpu"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            return importlib.metadata.version(dist)
    return None


def shipped_stamp(ex: Exercise, framework: str) -> dict[str, Any] | None:
    """The stamp of the shipped file ({"content": hash, "version": ...}), if it exists."""
    path = shipped_path(ex, framework)
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            stamp = json.loads(bytes(data["stamp"]).decode())
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        return None
    return stamp if isinstance(stamp, dict) else None


def _shipped_fits(ex: Exercise, framework: str) -> bool:
    stamp = shipped_stamp(ex, framework)
    return (stamp is not None and stamp.get("content") == content_hash(ex)
            and stamp.get("version") == framework_version(framework))


def build_shipped(ex: Exercise) -> list[str]:
    """Compute every installed framework's outputs for ``ex`` and write them beside its
    frameworks.py, stamped; returns the frameworks written (``make frameworks``)."""
    from deepcareer.grading.grader import build_cases

    table = implementations(ex)
    cases = build_cases(ex, 0)
    written = []
    for framework in _named(table):
        version = framework_version(framework)
        if version is None or not _track(framework).available():
            continue
        indices = [i for i in fixed_cases(cases, table) if framework in table[cases[i].call]]
        keys = _keys(cases, indices)
        outputs = _compute(table, cases, indices, framework)
        _write_cache(shipped_path(ex, framework), {keys[i]: v for i, v in outputs.items()},
                     stamp={"content": content_hash(ex), "version": version})
        written.append(framework)
    return written


def agreements(ex: Exercise, cases: Sequence[Case], learner: Sequence[Any],
               available: Sequence[bool], labels: Sequence[str],
               cache_dir: Path | None = None) -> list[Agreement]:
    """Compare the learner's outputs with every framework that covers this exercise."""
    table = implementations(ex)
    if not table:
        return []
    found: list[Agreement] = []
    for framework in _named(table):
        track = _track(framework)
        if not track.available():
            found.append(Agreement(framework, "not_installed",
                                   detail=f"pip install 'deepcareer[{track.extra}]'"))
            continue
        outputs = framework_outputs(ex, cases, framework, cache_dir)
        agreement = Agreement(framework, "agrees")
        checks = ex.checks
        for i, theirs in sorted(outputs.items()):
            if not available[i]:
                continue
            agreement.cases += 1
            entry = next((e for e in ex.meta.entries if e.name == cases[i].call), None)
            # Frameworks sum in other orders (and some in float32): a little more slack.
            mismatch = compare(learner[i], theirs, rtol=max(checks.rtol, 1e-6),
                               atol=max(checks.atol, 1e-8), names=entry.returns if entry else ())
            if mismatch is not None:
                agreement.disagreements += 1
                if agreement.status == "agrees":
                    agreement.status = "disagrees"
                    agreement.first_case = labels[i]
                    # compare() speaks of "returned" (yours) and "expected" (theirs).
                    agreement.detail = (mismatch.message.replace("expected", framework)
                                        .rstrip(".") + ".")
        if agreement.cases:
            found.append(agreement)
    return found


def _copies(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_copies(v) for v in value]
    if isinstance(value, dict):
        return {k: _copies(v) for k, v in value.items()}
    return value


def _as_numpy(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return tuple(_as_numpy(v) for v in value)
    if hasattr(value, "detach"):
        value = value.detach().cpu()
    return np.asarray(value, dtype=float)


def _cache_path(ex: Exercise, framework: str, cache_dir: Path) -> Path:
    module = str(_track(framework).module)
    # Identify the installed framework without importing it (that is what the cache saves).
    spec = importlib.util.find_spec(module)
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    version = f"{origin}:{origin.stat().st_mtime_ns}" if origin is not None else "?"
    digest = hashlib.sha256()
    for name in (FILE, "checks.py"):
        digest.update((ex.folder / name).read_bytes())
    digest.update(f"{module}=={version}".encode())
    return cache_dir / "frameworks" / f"{ex.id}-{module}-{digest.hexdigest()[:16]}.npz"


def _write_cache(path: Path, outputs: dict[str, Any],
                 stamp: dict[str, Any] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {}
    layout: dict[str, int] = {}  # case key -> number of parts (0: a single array)
    for key, value in sorted(outputs.items()):
        parts = value if isinstance(value, tuple) else (value,)
        layout[key] = len(parts) if isinstance(value, tuple) else 0
        for k, part in enumerate(parts):
            arrays[f"c{key}_{k}"] = np.asarray(part)
    buf = io.BytesIO()
    arrays["layout"] = np.frombuffer(json.dumps(layout).encode(), dtype=np.uint8)
    if stamp is not None:
        arrays["stamp"] = np.frombuffer(json.dumps(stamp, sort_keys=True).encode(),
                                        dtype=np.uint8)
    np.savez_compressed(buf, **arrays)
    from deepcareer.atomic import write_bytes_atomic

    write_bytes_atomic(path, buf.getvalue())


def _read_cache(path: Path, keys: dict[int, str]) -> dict[int, Any]:
    with np.load(path, allow_pickle=False) as data:
        layout = json.loads(bytes(data["layout"]).decode())
        out: dict[int, Any] = {}
        for i, key in keys.items():
            n = layout[key]
            parts = tuple(data[f"c{key}_{k}"] for k in range(max(n, 1)))
            out[i] = parts if n else parts[0]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m deepcareer.grading.crosscheck [ids]``: rebuild the shipped outputs.

    Run it (``make frameworks``) after changing an exercise's frameworks.py or checks.py, or
    after upgrading a framework; tests/grading/test_crosscheck.py fails while one is stale.
    """
    import sys

    from deepcareer.curriculum.catalog import default_catalog

    ids = list(sys.argv[1:] if argv is None else argv)
    catalog = default_catalog()
    chosen = [catalog.get(i) for i in ids] if ids else list(catalog)
    for ex in chosen:
        if implementations(ex):
            written = build_shipped(ex)
            print(f"{ex.id}: {', '.join(written) or 'no framework installed'}")
        if references.path(ex) is not None:
            n = references.build(ex)
            print(f"{ex.id}: {n} reference outputs" if n else
                  f"{ex.id}: its framework is not installed; no reference outputs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
