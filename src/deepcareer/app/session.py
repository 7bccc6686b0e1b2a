"""Opening a learner's home: the one way every face gets at the store and the catalog.

The faces hold the store only as an opaque handle passed back into use cases; they never
import it (a face that ran its own SQL is how the copies came to disagree).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deepcareer.curriculum.catalog import Catalog
    from deepcareer.store.db import Store


def open_home(home: Path | str | None = None, *, create: bool = True,
              fresh: bool = False) -> Store:
    """The store of ``home`` (``--home``, else ``$DEEPCAREER_HOME``, else the user data
    folder), created and migrated on first use. ``fresh`` starts a new database where a
    set-up home's database has gone missing (``init --fresh``); without it a missing
    database is an error that points to ``deepcareer doctor``, so nothing is overwritten.
    ``create=False`` refuses to create one at all (``import`` into a typo'd path)."""
    from deepcareer.home import resolve_home
    from deepcareer.store.db import DB_NAME, MARKER, open_store

    path = resolve_home(home)
    if fresh and not (path / DB_NAME).exists():
        (path / MARKER).unlink(missing_ok=True)
    return open_store(path, create=create)


def home_path(home: Path | str | None = None) -> Path:
    """The folder ``home`` resolves to, without opening anything."""
    from deepcareer.home import resolve_home

    return resolve_home(home)


def catalog() -> Catalog:
    """The curriculum (loaded once per process)."""
    from deepcareer.curriculum.catalog import default_catalog

    return default_catalog()
