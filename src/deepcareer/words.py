"""Words for people, shared by every face: plurals that agree with their number."""

from __future__ import annotations


def plural(n: int | float, word: str, many: str | None = None) -> str:
    """``1 attempt``, ``2 attempts``, ``0 days``: the number and the word that agrees
    with it (``many`` for irregular plurals, else ``word + "s"``)."""
    count = f"{n:g}" if isinstance(n, float) else str(n)
    return f"{count} {word if n == 1 else (many or word + 's')}"
