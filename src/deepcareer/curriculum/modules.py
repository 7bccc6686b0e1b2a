"""Import content files (``solution.py``, ``checks.py``) by path, once each."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from deepcareer.errors import ContentError
from deepcareer.frameworks import quiet_frameworks

_CACHE: dict[Path, ModuleType] = {}


def load_module(path: Path) -> ModuleType:
    """Import ``path`` under a private name; cached so variants share one reference.

    These are *our* files (trusted content), so they run in the parent process.
    Learner code never goes through here: it only runs in the sandbox.
    """
    path = path.resolve()
    if path in _CACHE:
        return _CACHE[path]
    quiet_frameworks()  # content may import TensorFlow
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    name = f"_deepcareer_content_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ContentError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise ContentError(f"{path} failed to import: {type(exc).__name__}: {exc}") from exc
    _CACHE[path] = module
    return module
