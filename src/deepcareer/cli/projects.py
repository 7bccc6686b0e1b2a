"""``deepcareer project ...``: list, start, run, verify and report projects."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from deepcareer.cli.common import HomeOpt, JsonOpt, print_json, store_for

if TYPE_CHECKING:
    from deepcareer.projects.runs import RunResult
    from deepcareer.projects.spec import Project

project_app = typer.Typer(help="Projects on real data: tracked, checked, reproducible.",
                          no_args_is_help=True)
ProjectArg = Annotated[str, typer.Argument(help="Project id (see `deepcareer project list`).",
                                           show_default=False)]


@project_app.command("list")
def project_list(home: HomeOpt = None, json: JsonOpt = False) -> None:
    """List the projects, easiest first, with the run that represents each (your latest
    verified run, else your latest passing one, else your latest).

    Example: deepcareer project list
    """
    from deepcareer.app.projects import project_rows

    with store_for(home) as store:
        rows = [r.to_dict() for r in project_rows(store)]
    if json:
        print_json(rows)
        return
    from rich.table import Table

    from deepcareer.cli.render import console

    table = Table(box=None, header_style="bold")
    for col in ("id", "level", "track", "goal", "you", "title"):
        table.add_column(col)
    for r in rows:
        you = str(r["status"]) + (" (verified)" if r["verified"] else "")
        table.add_row(str(r["id"]), str(r["level"]), str(r["track"]), str(r["goal"]), you,
                      str(r["title"]))
    console.print(table)
    console.print("Start one with [bold]deepcareer project new ID[/].")


@project_app.command("new")
def project_new(
    project_id: ProjectArg,
    data: Annotated[Path | None, typer.Option(
        "--data", help="Capstone only: your CSV file, or a folder with one subfolder of "
        "images per class.")] = None,
    target: Annotated[str | None, typer.Option(
        "--target", help="Capstone with a CSV: the column to predict.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Start over from the template (your file is kept as .py.bak).")]
    = False,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Copy a project's template and brief into your workspace.

    Examples: deepcareer project new mnist1d;
    deepcareer project new capstone --data ~/data/iris.csv --target species
    """
    from deepcareer.app.projects import new

    with store_for(home) as store:
        project, path = new(store, project_id, data=data, target=target, force=force)
    if json:
        print_json({"id": project.id, "path": str(path), "readme": str(path.parent /
                                                                        "README.md")})
        return
    from deepcareer.cli.render import console

    console.print(f"Your project file: [bold]{path}[/]")
    console.print(f"The brief: {path.parent / 'README.md'}")
    console.print(f"When fit and predict are written: [bold]deepcareer project run "
                  f"{project.id}[/]")


@project_app.command("run")
def project_run(
    project_id: ProjectArg,
    file: Annotated[Path | None, typer.Option(
        "--file", help="Run this file instead of your workspace's project.py.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed handed to fit as run.seed.")] = 0,
    experiment: Annotated[list[str] | None, typer.Option(
        "--experiment", "-e", help="Only this experiment (repeatable).")] = None,
    budget: Annotated[float | None, typer.Option(
        "--budget", help="Seconds for the whole run: the project's budget (the default) "
        "or less.")]
    = None,
    reference: Annotated[bool, typer.Option(
        "--reference", help="Run our reference solution (to see the bar, or to time it); "
        "stored as a reference run, never as your work.")]
    = False,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Train and evaluate your project in the sandbox, with a progress bar.

    The held-out labels stay outside your code; leakage checks run on every run; the
    result is stored with its seed, curves, code hash and environment.

    Examples: deepcareer project run digits-mlp; deepcareer project run mnist1d -e cnn
    """
    from deepcareer.app.projects import run

    with store_for(home) as store, _progress(json) as progress:
        project, result = run(store, project_id, file=file, seed=seed,
                              experiments=experiment or None, budget=budget,
                              reference=reference, progress=progress)
    _show(project, result, json)
    raise typer.Exit(0 if result.passed else 1)


@project_app.command("verify")
def project_verify(
    project_id: ProjectArg,
    run_id: Annotated[int | None, typer.Option(
        "--run", help="The run to verify (default: your latest).")] = None,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Re-run a run's own code with a seed deepcareer draws; it counts as verified when
    the result lands within the project's tolerance on that one try (a run that does not
    reproduce cannot be verified again: make a new run). Only your own runs can be
    verified: a run of our reference (--reference) or an imported run verifies nothing.

    Example: deepcareer project verify mnist1d
    """
    from deepcareer.app.projects import verify

    with store_for(home) as store, _progress(json) as progress:
        outcome = verify(store, project_id, run_id, progress)
    if json:
        print_json(outcome.to_dict())
    else:
        from rich.markup import escape

        from deepcareer.cli.render import console

        console.print(escape(outcome.text))
        if outcome.tries:
            console.print(escape(outcome.tries))
    ok = outcome.verified
    raise typer.Exit(0 if ok else 1)


@project_app.command("report")
def project_report(
    project_id: ProjectArg,
    run_id: Annotated[int | None, typer.Option(
        "--run", help="The run to report (default: the one shown in `project list`).")] = None,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Write a Markdown and HTML report with learning curves, a confusion matrix, the
    baselines beside your model and (for mnist1d) the paper's table. Without --run: the
    run shown everywhere else (your latest verified, else latest passing, else latest).

    Example: deepcareer project report mnist1d
    """
    from deepcareer.app.projects import report

    with store_for(home) as store:
        data, paths = report(store, project_id, run_id)
    if json:
        print_json({**data, "files": {k: str(v) for k, v in paths.items()}})
        return
    from rich.markup import escape

    from deepcareer.cli.render import console

    console.print(escape(data["verification"]))
    if data["tries"]:
        console.print(escape(data["tries"]))
    console.print(f"Report: [bold]{paths['html']}[/] (and {paths['markdown'].name} beside it)")


def _show(project: Project, result: RunResult, json: bool) -> None:
    if json:
        data = result.to_dict()
        data.pop("output", None)
        print_json(data)
        return
    from rich.markup import escape
    from rich.table import Table

    from deepcareer.app.projects import format_metric as fmt
    from deepcareer.app.projects import status_words
    from deepcareer.cli.render import console

    colour = {"pass": "green", "fail": "yellow"}.get(result.status, "red")
    spent = result.environment.get("timings", {}).get("baselines_s", 0.0)
    extra = f", of which {spent:.1f} s for the baselines" if spent >= 0.5 else ""
    console.print(f"[bold {colour}]{status_words(result.status)}[/] "
                  f"{escape(result.message)}  [dim]run #{result.id}, "
                  f"{result.duration_s:.1f} s{extra}[/]")
    table = Table(box=None, header_style="bold")
    losses = [e.extra.get("log_loss") for e in result.experiments]
    shown = any(isinstance(v, int | float) for v in losses)
    for col in ("experiment", "result", "training", *(["log-loss"] if shown else [])):
        table.add_column(col)
    for e, loss in zip(result.experiments, losses, strict=True):
        table.add_row(e.name, fmt(project.spec.metric, e.metric) if e.status == "ok"
                      else e.status, f"{e.fit_s:.1f} s" if e.fit_s is not None else "-",
                      *([f"{loss:.3f}" if isinstance(loss, int | float) else "-"]
                        if shown else []))
    for name, value in result.baselines.items():
        table.add_row(f"[dim]baseline: {name}[/]", fmt(project.spec.metric, value), "",
                      *([""] if shown else []))
    console.print(table)
    for c in result.checks:
        console.print(f"[bold]{c['check']}[/] ({c['severity']}): {escape(c['message'])}")
    if result.status == "error" and result.output.strip():
        console.print("[dim]Last lines your code printed:[/]")
        console.print(escape("\n".join(result.output.strip().splitlines()[-10:])))
    if result.passed:
        console.print(f"Next: [bold]deepcareer project verify {project.id}[/] re-runs it once "
                      "with a seed deepcareer draws, so the result counts as reproduced; "
                      f"[bold]deepcareer project report {project.id}[/] writes the report.")


class _progress:
    """A Rich progress bar fed by the child's events (nothing when printing JSON)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}
        self.loss: dict[str, str] = {}

    def __enter__(self) -> Any:
        if self.quiet:
            return None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        from deepcareer.cli.render import err_console

        self.bar = Progress(TextColumn("{task.description:<14}"), BarColumn(),
                            MofNCompleteColumn(), TextColumn("{task.fields[loss]}"),
                            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                            console=err_console, transient=False)
        self.bar.__enter__()
        return self.update

    def update(self, event: dict[str, Any]) -> None:
        name = str(event.get("experiment"))
        kind = event.get("event")
        if kind == "baselines":  # computed once per home and data, then cached
            self.bar.console.print("Computing the baselines for this data once ("
                                   f"{', '.join(event.get('computing', []))}); later runs "
                                   "reuse them.")
        elif kind == "start":
            self.tasks[name] = self.bar.add_task(name, total=None, loss="")
        elif kind == "epochs" and name in self.tasks:
            self.bar.update(self.tasks[name], total=event.get("total"), completed=0)
        elif kind == "epoch_end" and name in self.tasks:
            self.bar.update(self.tasks[name], completed=int(event.get("epoch", 0)) + 1)
        elif kind == "log" and name in self.tasks:
            row = event.get("row", {})
            loss = row.get("loss")
            text = f"loss {loss:.4g}" if isinstance(loss, int | float) else (
                f"loss {loss}" if loss is not None else "")
            self.bar.update(self.tasks[name], loss=text)
        elif kind in ("done", "error") and name in self.tasks:
            total = next((t.total for t in self.bar.tasks if t.id == self.tasks[name]), None)
            self.bar.update(self.tasks[name], total=total or 1, completed=total or 1)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
