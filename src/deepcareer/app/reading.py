"""The reading list: landmark papers and books per skill, and what to read them for."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from deepcareer.errors import UsageError

if TYPE_CHECKING:
    from deepcareer.curriculum.catalog import Catalog


def skill_id(catalog: Catalog, text: str) -> str:
    """A skill id from an id, a title or an alias (any case); a clear error otherwise."""
    wanted = text.strip().lower()
    for sid, sk in catalog.skills.items():
        if wanted in (sid, sk.title.lower(), *(a.lower() for a in sk.aliases)):
            return str(sid)
    close = difflib.get_close_matches(wanted, list(catalog.skills), n=3)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise UsageError(f"No skill called {text!r}.{hint} `deepcareer skills` lists them.")


def reading(catalog: Catalog) -> dict[str, list[Any]]:
    """Per skill id, the works to read for it."""
    from deepcareer.mentor.reading import load_reading

    return load_reading(catalog.root / "reading.yml")
