"""``deepcareer content ...``: commands for course authors."""

from __future__ import annotations

from typing import Annotated

import typer

from deepcareer.cli.common import IdArg, JsonOpt, load_catalog, print_json

content_app = typer.Typer(help="Check and locate course content (for authors).",
                          no_args_is_help=True)


@content_app.command("validate")
def content_validate(json: JsonOpt = False) -> None:
    """Check every content file against its schema (fast, runs no code).

    Example: deepcareer content validate
    """
    from deepcareer.curriculum.validate import validate_catalog
    from deepcareer.mentor.quiz import load_quizzes, validate_quiz

    catalog = load_catalog()
    problems = validate_catalog(catalog)
    quizzes = load_quizzes()
    for q in quizzes.values():
        problems += validate_quiz(q, set(catalog.skills))
    from deepcareer.errors import ContentError
    from deepcareer.mentor.reading import load_reading, reading_problems

    try:
        problems += reading_problems(load_reading(catalog.root / "reading.yml"),
                                     set(catalog.skills))
    except ContentError as exc:
        problems.append(str(exc))
    problems += _career_and_project_problems(set(catalog.skills))
    _problems_out(problems, json, f"All {len(catalog)} exercises, {len(quizzes)} quizzes, "
                  "the reading list, the projects, the roles and the pay facts are valid.")


def _career_and_project_problems(skills: set[str]) -> list[str]:
    from deepcareer.career.pay import load_pay
    from deepcareer.career.postings import vocabulary
    from deepcareer.career.roles import load_roles, role_problems
    from deepcareer.errors import ContentError
    from deepcareer.projects.spec import load_projects

    problems: list[str] = []
    try:
        for project in load_projects().values():
            problems += [f"project {project.id}: skill {s!r} is not in skills.yml"
                         for s in project.spec.skills if s not in skills]
            problems += [f"project {project.id}: {f.name} is missing"
                         for f in (project.template, project.reference, project.readme)
                         if not f.is_file()]
        terms = {e.id for e in vocabulary() if e.kind != "skill"}
        problems += role_problems(load_roles(), skills, terms)
        load_pay()
    except ContentError as exc:
        problems.append(str(exc))
    return problems


@content_app.command("verify")
def content_verify(
    ids: Annotated[list[str] | None, typer.Argument(help="Exercise ids (default: all).")] = None,
    track: Annotated[str | None, typer.Option("--track", help="Only this track, e.g. numpy.")]
    = None,
    frameworks: Annotated[bool, typer.Option(
        "--frameworks/--no-frameworks",
        help="Also check PyTorch's and TensorFlow's outputs against the references "
        "(imports them: a few seconds).")] = True,
    json: JsonOpt = False,
) -> None:
    """Run every exercise's checks: the reference passes, each mistake is diagnosed as itself.

    Example: deepcareer content verify softmax; deepcareer content verify --track numpy
    """
    from deepcareer.grading.verify import verify_many

    catalog = load_catalog()
    chosen = [catalog.get(i) for i in ids] if ids else list(catalog)
    if track is not None:
        chosen = [ex for ex in chosen if ex.meta.track == track]
    if json:
        problems = verify_many(chosen, frameworks=frameworks)
    else:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("verifying", total=len(chosen))
            problems = verify_many(chosen, on_done=lambda _ex: bar.advance(task),
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
def content_stats(json: JsonOpt = False) -> None:
    """Count exercises, misconceptions and hints, per track.

    Example: deepcareer content stats --json
    """
    from deepcareer.curriculum.stats import content_stats as compute

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
    json: JsonOpt = False,
) -> None:
    """Mutation-test the references: how many classic slips do the cases catch?

    Without ids: every exercise with exact cases on the tracks whose framework is installed
    (NumPy always; PyTorch and TensorFlow when present).

    Example: deepcareer content mutants softmax dropout; deepcareer content mutants --track
    pytorch
    """
    from deepcareer.curriculum.tracks import TRACKS
    from deepcareer.grading.mutate import mutation_score

    catalog = load_catalog()
    if ids:
        chosen = [catalog.get(i) for i in ids]
    else:
        chosen = [e for e in catalog if e.meta.track != "concept"
                  and (track is None or e.meta.track == track)
                  and TRACKS[e.meta.track].available()]
    scores = [mutation_score(ex) for ex in chosen]
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
def content_path(exercise_id: IdArg) -> None:
    """Print the folder of an exercise (README, solution, checks).

    Example: deepcareer content path softmax
    """
    print(load_catalog().get(exercise_id).folder)
