"""Turn a reference ``solution.py`` into the learner's starter file.

Everything between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` is replaced by a
``raise NotImplementedError`` naming the task, indented like the region, so the
solution is written once and the starter can never drift from it.
"""

from __future__ import annotations

import re

from deepcareer.errors import ContentError

BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION\b(?P<task>.*)$")
END = re.compile(r"^[ \t]*# END SOLUTION\b")
NOT_IMPLEMENTED = "NotImplementedError"


def make_starter(solution: str, exercise_id: str) -> str:
    """Return the starter source for ``solution``; raise ContentError if unbalanced.

    ``# BEGIN SOLUTION: compute the row maxima`` puts that text in the stub's
    message, so a learner running the starter sees what the gap is for.
    """
    out: list[str] = []
    inside = False
    regions = 0
    for number, line in enumerate(solution.splitlines(), start=1):
        begin = BEGIN.match(line)
        if begin:
            if inside:
                raise ContentError(f"{exercise_id}: nested BEGIN SOLUTION at line {number}")
            inside = True
            regions += 1
            task = begin.group("task").lstrip(" :") or f"this part of {exercise_id}"
            indent = begin.group("indent")
            out.append(f"{indent}# TODO: {task}")
            out.append(f"{indent}raise {NOT_IMPLEMENTED}({task!r})")
        elif END.match(line):
            if not inside:
                raise ContentError(f"{exercise_id}: END SOLUTION without BEGIN at line {number}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ContentError(f"{exercise_id}: BEGIN SOLUTION is never closed")
    if regions == 0:
        raise ContentError(f"{exercise_id}: solution.py has no BEGIN SOLUTION region")
    return "\n".join(out) + "\n"


def strip_markers(solution: str) -> str:
    """The reference as a learner would write it: markers removed."""
    return "\n".join(
        line for line in solution.splitlines() if not (BEGIN.match(line) or END.match(line))
    ) + "\n"


def same_code(a: str, b: str) -> bool:
    """True when two sources differ only in whitespace and trailing blank lines."""

    def norm(s: str) -> list[str]:
        return [ln.rstrip() for ln in s.strip().splitlines() if ln.strip()]

    return norm(a) == norm(b)
