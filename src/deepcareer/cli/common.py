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


def store_for(home: Path | None, *, create: bool = True, fresh: bool = False) -> Store:
    """The home's store, as an opaque handle for the application layer."""
    from deepcareer.app.session import open_home

    return open_home(home, create=create, fresh=fresh)


def load_catalog() -> Any:
    from deepcareer.app.session import catalog

    return catalog()


def home_flag(home: Path | None, path: Path) -> str:
    """`` --home PATH`` to repeat in a suggested command when the learner passed one, so
    a copied command works on the same home."""
    import shlex

    return f" --home {shlex.quote(str(path))}" if home else ""


def print_json(data: Any) -> None:
    """JSON for scripts, without loading Rich (``--json`` runs stay fast)."""
    import json
    import sys

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def prompt_answer(asked: Any) -> str:
    """Prompt for a quiz question until the reply is an answer (a typo or a word where a
    number belongs is said so and asked again; it is never judged or recorded)."""
    from deepcareer.app.quiz import judge_one
    from deepcareer.cli.render import console
    from deepcareer.texmath import unicode_maths

    while True:
        reply = str(typer.prompt("Your answer"))
        verdict = judge_one(asked, reply)
        if not verdict.unreadable:
            return reply
        console.print(unicode_maths(verdict.feedback), markup=False)
