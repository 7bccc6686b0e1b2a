"""Options and helpers shared by the CLI's command modules."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from deepcareer.store.db import Store

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", help="Data folder (default: $DEEPCAREER_HOME or your user data dir).",
                 show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
IdArg = Annotated[str, typer.Argument(help="Exercise id, e.g. softmax (see `deepcareer list`).",
                                      show_default=False)]


def store_for(home: Path | None, *, create: bool = True) -> Store:
    from deepcareer.home import resolve_home
    from deepcareer.store.db import open_store

    return open_store(resolve_home(home), create=create)


def load_catalog() -> Any:
    from deepcareer.curriculum.catalog import default_catalog

    return default_catalog()


def print_json(data: Any) -> None:
    """JSON for scripts, without loading Rich (``--json`` runs stay fast)."""
    import json
    import sys

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()
