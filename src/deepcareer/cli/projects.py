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
    """List the projects, easiest first, with your best result in each.

    Example: deepcareer project list
    """
    from deepcareer.projects.runs import best_runs
    from deepcareer.projects.spec import load_projects

    projects = load_projects()
    with store_for(home) as store:
        best = best_runs(store)
    rows = [{"id": p.id, "title": p.spec.title, "level": p.spec.level, "track": p.spec.track,
             "skills": p.spec.skills, "minutes": p.spec.minutes, "goal": _goal(p),
             "status": best[p.id]["status"] if p.id in best else "new",
             "verified": p.id in best and best[p.id]["verified_by"] is not None}
            for p in projects.values()]
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


def _goal(p: Project) -> str:
    from deepcareer.projects.report import fmt

    op = ">=" if p.spec.higher_is_better else "<="
    bar = f"{op} {fmt(p.spec.metric, p.spec.threshold)}"
    return f"beat {p.spec.beat_baseline}" if p.spec.beat_baseline else bar


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
    from deepcareer.projects.runs import new_project
    from deepcareer.projects.spec import get_project

    project = get_project(project_id)
    with store_for(home) as store:
        path = new_project(store.home, project, data=data, target=target, force=force)
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
    from deepcareer.projects.runs import learner_file, run_project
    from deepcareer.projects.spec import get_project

    project = get_project(project_id)
    with store_for(home) as store:
        path = project.reference if reference else (file or learner_file(store.home,
                                                                         project.id))
        source = _read_source(path, project.id)
        with _progress(json) as progress:
            result = run_project(store, project, source, seed=seed, budget_s=budget,
                                 progress=progress, experiments=experiment or None,
                                 origin="reference" if reference else "learner")
    _show(project, result, json)
    raise typer.Exit(0 if result.passed else 1)


def _read_source(path: Path, project_id: str) -> str:
    from deepcareer.errors import UsageError

    if not path.exists():
        raise UsageError(f"There is no file at {path}. Start with `deepcareer project new "
                         f"{project_id}`.")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"Cannot read {path}: {exc}") from exc


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
    from deepcareer.career.evidence import not_evidence_run
    from deepcareer.projects.runs import pick_run, runs_of, verify
    from deepcareer.projects.spec import get_project

    project = get_project(project_id)
    with store_for(home) as store:
        runs = runs_of(store, project.id)
        mine = [r for r in runs if r.reproduces is None and r.origin == "learner"]
        if run_id is None and mine:
            run_id = mine[-1].id  # the latest of the learner's own, not a reference run
        target = pick_run(runs, project.id, run_id)
        why = not_evidence_run(target.origin)
    if why:  # re-running it would prove nothing about the learner: say so, run nothing
        if json:
            print_json({"run": target.id, "rerun": None, "verified": False, "reason": why})
        else:
            from deepcareer.cli.render import console

            console.print(f"[yellow]This verifies nothing:[/] {why}")
        raise typer.Exit(1)
    with store_for(home) as store, _progress(json) as progress:
        original, again, ok = verify(store, project, run_id, progress)
    if json:
        from deepcareer.projects.runs import tries_of

        with store_for(home) as store:
            tries = tries_of(store, project.id)
        print_json({"run": original.id, "rerun": again.id, "verified": ok,
                    "metric": original.metric, "rerun_metric": again.metric,
                    "rerun_seed": again.seed, "tolerance": project.spec.tolerance,
                    "tries": tries.text(original.id, ok)})
    else:
        from rich.markup import escape

        from deepcareer.cli.render import console
        from deepcareer.projects.report import verification
        from deepcareer.projects.runs import tries_of

        with store_for(home) as store:
            tries = tries_of(store, project.id)
        console.print(escape(verification(project, original, again)))
        console.print(escape(tries.text(original.id, ok)))
    raise typer.Exit(0 if ok else 1)


@project_app.command("report")
def project_report(
    project_id: ProjectArg,
    run_id: Annotated[int | None, typer.Option(
        "--run", help="The run to report (default: your latest).")] = None,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Write a Markdown and HTML report with learning curves, a confusion matrix, the
    baselines beside your model and (for mnist1d) the paper's table.

    Example: deepcareer project report mnist1d
    """
    from deepcareer.projects.report import report_data, write_report
    from deepcareer.projects.runs import pick_run, runs_of, tries_of
    from deepcareer.projects.spec import get_project

    project = get_project(project_id)
    with store_for(home) as store:
        runs = runs_of(store, project.id)
        run = pick_run(runs, project.id, run_id)
        rerun = next((r for r in runs if r.reproduces == run.id), None)
        tries = tries_of(store, project.id)
        paths = write_report(store.home, project, run, rerun, tries)
    data = report_data(project, run, rerun, tries)
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

    from deepcareer.cli.render import console
    from deepcareer.projects.report import STATUS_WORDS, fmt

    colour = {"pass": "green", "fail": "yellow"}.get(result.status, "red")
    spent = result.environment.get("timings", {}).get("baselines_s", 0.0)
    extra = f", of which {spent:.1f} s for the baselines" if spent >= 0.5 else ""
    console.print(f"[bold {colour}]{STATUS_WORDS.get(result.status, result.status)}[/] "
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
