"""``deepcareer content ...``: commands for course authors."""

from __future__ import annotations

from typing import Annotated

import typer

from deepcareer.cli.common import HomeOpt, IdArg, JsonOpt, load_catalog, print_json

content_app = typer.Typer(help="Check and locate course content (for authors).",
                          no_args_is_help=True)


@content_app.command("validate")
def content_validate(home: HomeOpt = None, json: JsonOpt = False) -> None:
    """Check every content file against its schema (fast, runs no code).

    Example: deepcareer content validate
    """
    from deepcareer.app.authoring import problems

    del home  # accepted like everywhere; content is the same in every home
    found, ok = problems(load_catalog())
    _problems_out(found, json, ok)


@content_app.command("verify")
def content_verify(
    ids: Annotated[list[str] | None, typer.Argument(help="Exercise ids (default: all).")] = None,
    track: Annotated[str | None, typer.Option("--track", help="Only this track, e.g. numpy.")]
    = None,
    frameworks: Annotated[bool, typer.Option(
        "--frameworks/--no-frameworks",
        help="Also check PyTorch's and TensorFlow's outputs against the references "
        "(imports them: a few seconds).")] = True,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Run every exercise's checks: the reference passes, each mistake is diagnosed as itself.

    Example: deepcareer content verify softmax; deepcareer content verify --track numpy
    """
    from deepcareer.app.authoring import choose, verify

    del home  # accepted like everywhere; content is the same in every home
    chosen = choose(load_catalog(), ids, track)
    if json:
        problems = verify(chosen, frameworks=frameworks)
    else:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("verifying", total=len(chosen))
            problems = verify(chosen, on_done=lambda _ex: bar.advance(task),
                              frameworks=frameworks)
    _problems_out(problems, json, "The exercise verifies." if len(chosen) == 1
                  else f"All {len(chosen)} exercises verify.")


def _problems_out(problems: list[str], json: bool, ok: str) -> None:
    from deepcareer.cli.render import console

    if json:
        print_json({"ok": not problems, "problems": problems})
    elif problems:
        for p in problems:
            console.print(f"[red]x[/] {p}")
    else:
        console.print(f"[green]ok[/] {ok}")
    raise typer.Exit(1 if problems else 0)


@content_app.command("stats")
def content_stats(home: HomeOpt = None, json: JsonOpt = False) -> None:
    """Count exercises, misconceptions and hints, per track.

    Example: deepcareer content stats --json
    """
    from deepcareer.app.authoring import stats as compute

    del home  # accepted like everywhere; content is the same in every home
    stats = compute(load_catalog())
    if json:
        print_json(stats)
        return
    from rich.table import Table

    from deepcareer.cli.render import console

    table = Table(title="Course content")
    for col in ("track", "exercises", "misconceptions", "cases", "hints"):
        table.add_column(col, justify="right" if col != "track" else "left")
    for track, row in stats["tracks"].items():
        table.add_row(track, *(str(row[k]) for k in ("exercises", "misconceptions", "cases",
                                                      "hints")))
    total = stats["total"]
    table.add_row("[bold]total[/]", *(f"[bold]{total[k]}[/]" for k in
                                      ("exercises", "misconceptions", "cases", "hints")))
    console.print(table)
    console.print(f"{stats['skills']} skills, {stats['skills_verified']} verified by an exercise.")


@content_app.command("mutants")
def content_mutants(
    ids: Annotated[list[str] | None, typer.Argument(help="Exercise ids (default: all).")] = None,
    track: Annotated[str | None, typer.Option("--track", help="Only this track, e.g. pytorch.")]
    = None,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Mutation-test the references: how many classic slips do the cases catch?

    Without ids: every exercise with exact cases on the tracks whose framework is installed
    (NumPy always; PyTorch and TensorFlow when present).

    Example: deepcareer content mutants softmax dropout; deepcareer content mutants --track
    pytorch
    """
    from deepcareer.app.authoring import choose, mutants

    del home  # accepted like everywhere; content is the same in every home
    scores = mutants(choose(load_catalog(), ids, track, installed=True))
    total = sum(s.total for s in scores)
    killed = sum(s.killed for s in scores)
    if json:
        print_json({"total": total, "killed": killed, "ratio": killed / total if total else 1.0,
                    "exercises": [{"id": s.exercise, "total": s.total, "killed": s.killed,
                                   "survivors": [{"kind": m.kind, "line": m.line}
                                                 for m in s.survivors]} for s in scores]})
        return
    from rich.table import Table

    from deepcareer.cli.render import console

    table = Table(title="Mutants of the reference solutions")
    for col in ("exercise", "mutants", "killed", "survivors"):
        table.add_column(col)
    for sc in scores:
        table.add_row(sc.exercise, str(sc.total), str(sc.killed),
                      ", ".join(f"{m.kind}@{m.line}" for m in sc.survivors) or "-")
    console.print(table)
    share = killed / total if total else 1.0
    console.print(f"[bold]{killed} of {total}[/] mutants killed ({share:.1%}).")


@content_app.command("path")
def content_path(exercise_id: IdArg, home: HomeOpt = None) -> None:
    """Print the folder of an exercise (README, solution, checks).

    Example: deepcareer content path softmax
    """
    del home  # accepted like everywhere; content is the same in every home
    print(load_catalog().get(exercise_id).folder)
