"""A JSON snapshot of the catalog's parsed metadata, so commands skip TOML and YAML.

Parsing 45 ``exercise.toml`` files and ``skills.yml`` (and importing the parsers) is
about 20 ms of every ``deepcareer next``. The snapshot is keyed by each file's path, size
and modification time and by the package version, so any edit to content, or an upgrade,
makes it miss and be rewritten. It lives in the user cache folder (``DEEPCAREER_CACHE``
overrides), never beside the content, which may be read-only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from deepcareer import __version__

FORMAT = 1


def cache_dir() -> Path:
    override = os.environ.get("DEEPCAREER_CACHE")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("deepcareer", appauthor=False))


def _key(root: Path, files: list[Path]) -> str:
    h = hashlib.sha256(f"{FORMAT}:{__version__}:{root.resolve()}".encode())
    for path in files:
        try:
            st = path.stat()
        except OSError:
            h.update(f"{path}:missing".encode())
            continue
        h.update(f"{path}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def _path(root: Path) -> Path:
    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / f"catalog-{name}.json"


def load(root: Path, files: list[Path]) -> dict[str, Any] | None:
    """The snapshot's data if it matches the files as they are now, else None."""
    try:
        data = json.loads(_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != _key(root, files):
        return None
    return data


def save(root: Path, files: list[Path], data: dict[str, Any]) -> None:
    """Write atomically; a cache that cannot be written is only a slower start."""
    path = _path(root)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({**data, "key": _key(root, files)}), encoding="utf-8")
        tmp.replace(path)
