"""The docs stay true: README's command table and the architecture's module list match the code."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from deepcareer.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "deepcareer"


def _commands() -> list[str]:
    names = []
    for name, command in typer.main.get_command(app).commands.items():  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        names += [f"{name} {sub}" for sub in subs] if subs else [name]
    return names


def test_every_command_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## All commands"):]
    table = table[:table.index("\n\n", table.index("| --- |"))]
    missing = [n for n in _commands() if f"`{n}" not in table]
    assert missing == [], f"add these to README.md's command table: {missing}"
    listed = set(re.findall(r"`([a-z]+)", table))
    known = {n.split()[0] for n in _commands()}
    assert listed <= known, f"README lists commands that do not exist: {listed - known}"


def _leaves() -> dict[str, object]:
    out: dict[str, object] = {}
    for name, command in typer.main.get_command(app).commands.items():  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        out.update({f"{name} {s}": c for s, c in subs.items()} if subs else {name: command})
    return out


def test_home_and_json_are_where_the_readme_says() -> None:
    """README: every command (but the class server's own, which keep no learner's home) takes
    --home and --help with an example; every command but the ones it names takes --json.
    Derived from the Typer app, so a new command must follow."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    said = readme[readme.index("Every command takes `--home PATH`"):]
    said = said[:said.index("\n\n")]
    without_json = set(re.findall(r"`([a-z ]+)`", said[said.index("all but"):]))
    assert without_json, "the README names the commands without --json"
    for name, command in _leaves().items():
        opts = {o for p in command.params for o in getattr(p, "opts", [])}  # type: ignore[attr-defined]
        assert ("--home" in opts) != name.startswith("server "), f"`{name}` and --home"
        assert ("--json" in opts) != (name in without_json), f"`{name}` and --json: see README"
        assert "Example" in (command.help or ""), f"`{name} --help` has no example"  # type: ignore[attr-defined]


def test_every_module_is_in_the_architecture_tree() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    tree = doc[doc.index("```\nsrc/deepcareer/"):]
    tree = tree[:tree.index("\n```", 4)]
    modules = [p for p in SRC.rglob("*.py") if p.name != "__init__.py"
               and not {"content", "migrations", "__pycache__"} & set(p.parts)]
    missing = [str(p.relative_to(SRC)) for p in modules if p.name not in tree]
    assert missing == [], f"add these to the module list in docs/architecture.md: {missing}"
