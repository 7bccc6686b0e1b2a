"""The Jupyter face: grade a function defined in a notebook, through the same sandbox.

    from deepcareer.notebook import exercise
    ex = exercise("softmax")
    ex.check(softmax)      # a rich result in the notebook; the attempt goes to the store
    ex.hint(); ex.solution()

A function's source is taken with :func:`inspect.getsource` (Jupyter keeps each cell's
text), together with the notebook functions it calls and the usual imports, and graded
exactly as a file would be: the learner's code never runs in the notebook's process.
"""

from __future__ import annotations

import atexit
import contextlib
import html
import inspect
import textwrap
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepcareer.errors import UsageError
from deepcareer.limits import check_code

HEADER = "import math\n\nimport numpy as np\n\n\n"


@dataclass
class CheckResult:
    """What ``check`` returns: the report, shown as HTML in a notebook."""

    report: Any  # deepcareer.grading.report.Report

    @property
    def status(self) -> str:
        return str(self.report.status)

    def _repr_html_(self) -> str:
        r = self.report
        colour = {"pass": "#1b6e3a", "fail": "#8a4b00"}.get(r.status, "#b3261e")
        parts = [f'<div class="deepcareer-report"><p><strong style="color:{colour}">'
                 f"{html.escape(r.status.upper())}</strong> {html.escape(r.exercise)} "
                 f"({r.duration_s:.2f} s)</p><p>{html.escape(r.message)}</p>"]
        for f in r.findings:
            parts.append(f"<p><strong>{html.escape(f.title)}</strong>: "
                         f"{html.escape(f.explanation)}<br>Hint: {html.escape(f.hint)}</p>")
        failing = [c for c in r.checks if c.status != "pass"][:5]
        if failing:
            parts.append("<ul>" + "".join(f"<li>{html.escape(c.name)}: "
                                          f"{html.escape(c.message)}</li>" for c in failing)
                         + "</ul>")
        return "".join(parts) + "</div>"

    def __repr__(self) -> str:
        return f"{self.report.status.upper()} {self.report.exercise}: {self.report.message}"


@dataclass
class Text:
    """A hint or a solution, shown as HTML in a notebook and as text elsewhere."""

    title: str
    body: str
    code: bool = False

    def _repr_html_(self) -> str:
        body = (f"<pre><code>{html.escape(self.body)}</code></pre>" if self.code
                else f"<p>{html.escape(self.body)}</p>")
        return f"<p><strong>{html.escape(self.title)}</strong></p>{body}"

    def __repr__(self) -> str:
        return f"{self.title}\n{self.body}"


def source_of(functions: tuple[Callable[..., Any], ...], entries: list[str]) -> str:
    """A module for the grader: imports, the functions, the notebook functions they call,
    and an alias when a function's name differs from the entry it answers."""
    seen: dict[str, str] = {}

    def add(fn: Callable[..., Any]) -> None:
        if not isinstance(fn, types.FunctionType) or fn.__name__ in seen:
            return
        try:
            seen[fn.__name__] = textwrap.dedent(inspect.getsource(fn))
        except (OSError, TypeError) as exc:
            raise UsageError(f"Cannot read the source of {fn.__name__}: define it in a "
                             "notebook cell or a file, not in a lambda or the console.") from exc
        for name in fn.__code__.co_names:
            helper = fn.__globals__.get(name)
            if isinstance(helper, types.FunctionType) and helper.__module__ == fn.__module__:
                add(helper)

    for fn in functions:
        add(fn)
    body = "\n\n".join(seen.values())
    aliases = [f"{entry} = {fn.__name__}" for entry, fn in zip(entries, functions,
                                                                  strict=False)
               if fn.__name__ != entry and entry not in seen]
    return HEADER + body + ("\n\n" + "\n".join(aliases) if aliases else "") + "\n"


_WARMTH: list[contextlib.ExitStack] = []  # the kernel's warm sandbox pool, once entered


def _keep_warm(exercise: Any) -> None:
    """A notebook kernel lives as long as a web app: keep sandboxed children started ahead
    of time for its checks (one with the framework imported on the PyTorch and TensorFlow
    tracks), from the first exercise opened until the kernel exits."""
    from deepcareer.app import practice

    if not _WARMTH:
        stack = contextlib.ExitStack()
        stack.enter_context(practice.warm())
        atexit.register(stack.close)
        _WARMTH.append(stack)
    practice.keep_ready(exercise)


class NotebookExercise:
    def __init__(self, exercise_id: str, home: str | Path | None = None) -> None:
        from deepcareer.app.session import catalog, home_path

        self.catalog = catalog()
        self.exercise = self.catalog.get(exercise_id)
        self.home = home_path(home)
        _keep_warm(self.exercise)

    def _store(self) -> Any:
        from deepcareer.app.session import open_home

        return open_home(self.home)

    def check(self, *functions: Callable[..., Any]) -> CheckResult:
        """Grade the given function(s), answering the exercise's entries in order."""
        from deepcareer.app import practice

        entries = [e.name for e in self.exercise.meta.entries]
        if not functions:
            raise UsageError(f"Pass your function(s): ex.check({', '.join(entries)})")
        source = check_code(source_of(functions, entries), "The code of your function(s)")
        with self._store() as store:
            report = practice.check_source(store, self.exercise, source,
                                           filename="notebook.py")
        return CheckResult(report)

    def hint(self) -> Text:
        from deepcareer.app import practice

        with self._store() as store:
            h = practice.next_hint(store, self.exercise.id, self.catalog)
        about = f" about {h.about}" if h.about else ""
        return Text(f"Hint {h.level} of {h.steps}{about}", h.text)

    def solution(self) -> Text:
        from deepcareer.app import practice

        with self._store() as store:
            access = practice.solution(store, self.exercise.id, catalog=self.catalog)
        if not access.unlocked:
            return Text("Not yet", f"{access.why} Try ex.hint() first.")
        return Text("The reference solution", access.source, code=True)

    def _repr_html_(self) -> str:
        from markdown_it import MarkdownIt

        return str(MarkdownIt("commonmark", {"html": False}).render(
            self.exercise.readme_path.read_text(encoding="utf-8")))


def exercise(exercise_id: str, home: str | Path | None = None) -> NotebookExercise:
    """The exercise ``exercise_id``, graded into the store of ``home`` (default as the CLI)."""
    return NotebookExercise(exercise_id, home)


def write_notebook(home: Path, exercise_id: str) -> Path:
    """A ready notebook for an exercise, in ``<home>/workspace/notebooks/`` (never
    overwritten)."""
    import json

    from deepcareer.curriculum.catalog import default_catalog
    from deepcareer.home import workspace

    ex = default_catalog().get(exercise_id)
    path = workspace(home) / "notebooks" / f"{ex.id}.ipynb"
    if path.exists():
        return path
    entries = ", ".join(e.name for e in ex.meta.entries)

    def cell(kind: str, text: str) -> dict[str, Any]:
        c: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": text}
        if kind == "code":
            c.update(execution_count=None, outputs=[])
        return c

    nb: dict[str, Any] = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                      "language": "python"},
                       "language_info": {"name": "python"}},
          "cells": [
              cell("markdown", ex.readme_path.read_text(encoding="utf-8")),
              cell("code", "from deepcareer.notebook import exercise\n\n"
                   f"ex = exercise({ex.id!r}, home={str(home)!r})"),
              cell("code", ex.starter),
              cell("code", f"ex.check({entries})"),
              cell("markdown", "Stuck? `ex.hint()` climbs the hint ladder; `ex.solution()` "
                   "opens after three honest tries."),
              cell("code", "ex.hint()"),
          ]}
    for i, c in enumerate(nb["cells"]):
        c["id"] = f"cell-{i}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path
