"""deepcareer: a local, offline path from deep-learning fundamentals to job-ready.

The public API is below; heavy parts load on first use, so ``import
deepcareer`` stays fast (the CLI starts on every check).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Catalog",
    "DeepcareerError",
    "Exercise",
    "Report",
    "Store",
    "__version__",
    "default_catalog",
    "grade",
    "open_store",
]

_LAZY = {
    "Catalog": "deepcareer.curriculum.catalog",
    "DeepcareerError": "deepcareer.errors",
    "Exercise": "deepcareer.curriculum.catalog",
    "Report": "deepcareer.grading.report",
    "Store": "deepcareer.store.db",
    "default_catalog": "deepcareer.curriculum.catalog",
    "grade": "deepcareer.grading.grader",
    "open_store": "deepcareer.store.db",
}

if TYPE_CHECKING:
    from deepcareer.curriculum.catalog import Catalog, Exercise, default_catalog
    from deepcareer.errors import DeepcareerError
    from deepcareer.grading.grader import grade
    from deepcareer.grading.report import Report
    from deepcareer.store.db import Store, open_store


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'deepcareer' has no attribute {name!r}")
