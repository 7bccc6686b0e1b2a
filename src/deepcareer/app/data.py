"""The learner's data as use cases: export, import, and the database doctor."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from deepcareer.store.db import Store


def export(store: Store, file: Path) -> dict[str, int]:
    """Write all progress to one JSON file; the counts written."""
    from deepcareer.store.exchange import export_file

    return export_file(store, file)


def import_(store: Store, file: Path) -> dict[str, int]:
    """Merge an export into this home (rows already present are skipped; a malformed
    file is refused with what is wrong, before anything is written)."""
    from deepcareer.store.exchange import import_file

    return import_file(store, file)


def doctor(home: Path | str | None, *, apply: bool = False) -> dict[str, Any]:
    """Examine the home's database; with ``apply``, put a recovered one in place."""
    from deepcareer.home import resolve_home
    from deepcareer.store.doctor import examine

    return examine(resolve_home(home), apply=apply)
