"""Cross-framework checks: the learner's NumPy output beside PyTorch's and TensorFlow's.

An exercise opts in with a ``frameworks.py`` next to its solution, defining
``CROSS = {function name: {framework name: implementation}}``. Each implementation
calls the framework's own layer or op on the case's inputs (converting layouts
where the frameworks store things differently) and returns NumPy arrays.

Only the fixed cases (visible and hidden) are compared, so every framework's
outputs can be computed once and cached: importing TensorFlow takes seconds,
and the learner should not wait for that on every check. The cache lives in the
learner's home and is keyed by the content files and the framework's version.
"""

from __future__ import annotations

import contextlib
import hashlib
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


def framework_outputs(ex: Exercise, cases: Sequence[Case], framework: str,
                      cache_dir: Path | None = None) -> dict[int, Any]:
    """Outputs of ``framework`` on the fixed cases, by case index (cached when possible)."""
    table = implementations(ex)
    indices = [i for i in fixed_cases(cases, table) if framework in table[cases[i].call]]
    path = _cache_path(ex, framework, cache_dir) if cache_dir is not None else None
    if path is not None and path.exists():
        with contextlib.suppress(OSError, ValueError, KeyError, json.JSONDecodeError):
            return _read_cache(path, indices)
    with _COMPUTE:
        outputs = {i: table[cases[i].call][framework](*_copies(cases[i].args),
                                                      **_copies(cases[i].kwargs))
                   for i in indices}
    outputs = {i: _as_numpy(v) for i, v in outputs.items()}
    if path is not None:
        with contextlib.suppress(OSError):
            _write_cache(path, outputs)
            for stale in path.parent.glob(path.name.rsplit("-", 1)[0] + "-*.npz"):
                if stale != path:  # written for older content or another framework version
                    stale.unlink()
    return outputs


def needs_computing(ex: Exercise, cache_dir: Path) -> list[str]:
    """The installed frameworks whose outputs for ``ex`` are not cached yet (slow the
    first time: the framework has to be imported)."""
    return [fw for fw in _named(implementations(ex))
            if _track(fw).available() and not _cache_path(ex, fw, cache_dir).exists()]


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


def _write_cache(path: Path, outputs: dict[int, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {}
    layout: dict[str, int] = {}  # case index -> number of parts (0: a single array)
    for i, value in outputs.items():
        parts = value if isinstance(value, tuple) else (value,)
        layout[str(i)] = len(parts) if isinstance(value, tuple) else 0
        for k, part in enumerate(parts):
            arrays[f"c{i}_{k}"] = np.asarray(part)
    buf = io.BytesIO()
    arrays["layout"] = np.frombuffer(json.dumps(layout).encode(), dtype=np.uint8)
    np.savez(buf, **arrays)
    from deepcareer.atomic import write_bytes_atomic

    write_bytes_atomic(path, buf.getvalue())


def _read_cache(path: Path, indices: Sequence[int]) -> dict[int, Any]:
    with np.load(path, allow_pickle=False) as data:
        layout = json.loads(bytes(data["layout"]).decode())
        out: dict[int, Any] = {}
        for i in indices:
            n = layout[str(i)]
            parts = tuple(data[f"c{i}_{k}"] for k in range(max(n, 1)))
            out[i] = parts if n else parts[0]
    return out
