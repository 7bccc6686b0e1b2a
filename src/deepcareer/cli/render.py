"""Rich rendering for people; JSON for scripts. No logic lives here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

if TYPE_CHECKING:
    from deepcareer.grading.report import Report

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

STATUS_STYLE = {
    "pass": ("green", "PASS"),
    "fail": ("red", "FAIL"),
    "error": ("red", "ERROR"),
    "timeout": ("yellow", "TIMEOUT"),
    "not_attempted": ("cyan", "NOT ATTEMPTED"),
}


def report(rep: Report, *, verbose: bool = False) -> None:
    style, label = STATUS_STYLE[rep.status]
    console.print(f"[bold {style}]{label}[/] {escape(rep.exercise)}  "
                  f"[dim]{rep.duration_s:.2f} s[/]")
    console.print(escape(rep.message))
    shown = [c for c in rep.checks if c.status != "pass"]
    if shown:
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("check")
        table.add_column("result")
        limit = len(shown) if verbose else 4
        for c in shown[:limit]:
            table.add_row(escape(c.name), f"[red]{escape(c.message)}[/]")
        console.print(table)
        if len(shown) > limit:
            console.print(f"[dim]... and {len(shown) - limit} more (--verbose shows all)[/]")
    for f in rep.findings:
        head = "Diagnosis" if f.confidence == "diagnosed" else "Possible cause"
        body = (f"[bold]{escape(f.title)}[/]\n{escape(f.explanation)}\n\n"
                f"[dim]{escape(f.evidence)}[/]\n\n[bold]Hint:[/] {escape(f.hint)}")
        console.print(Panel(body, title=f"{head} ({f.misconception})", border_style="yellow",
                            expand=False))
        if f.reteach:
            console.print(Panel(escape(f.reteach), title="Let's go over this once more",
                                border_style="magenta", expand=False))
    for fw in rep.frameworks:
        mark = {"agrees": "[green]=[/]", "disagrees": "[red]≠[/]"}.get(fw.status, "[dim]-[/]")
        console.print(f"{mark} {escape(fw.message)}")
    if rep.stdout:
        console.print(Panel(escape(rep.stdout[:2000]), title="your code printed",
                            border_style="dim", expand=False))
    if rep.isolation == "guard":
        from deepcareer.app.practice import isolation_note

        console.print(f"[yellow]{escape(isolation_note())}[/]")
    if rep.status in ("fail", "error"):
        console.print(f"[dim]Stuck? `deepcareer hint {rep.exercise}` gives the next hint.[/]")
    elif rep.status == "pass":
        console.print("[dim]`deepcareer next` says what to do now.[/]")


def error(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {escape(message)}")
