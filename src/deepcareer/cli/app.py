"""``deepcareer``: every command parses, calls the library and renders.

Heavy modules (NumPy, SQLAlchemy, the grader) are imported inside the
commands that need them, so ``--help`` and quick commands start fast.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from deepcareer.errors import DeepcareerError

if TYPE_CHECKING:
    from deepcareer.store.db import Store

app = typer.Typer(
    name="deepcareer",
    help="Learn deep learning by doing, checked in about a second.\n\n"
    "Start with: deepcareer next",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
content_app = typer.Typer(help="Check and locate course content (for authors).",
                          no_args_is_help=True)
app.add_typer(content_app, name="content")

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", help="Data folder (default: $DEEPCAREER_HOME or your user data dir).",
                 show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
IdArg = Annotated[str, typer.Argument(help="Exercise id, e.g. softmax (see `deepcareer list`).",
                                      show_default=False)]


def _store(home: Path | None, *, create: bool = True) -> Store:
    from deepcareer.home import resolve_home
    from deepcareer.store.db import open_store

    return open_store(resolve_home(home), create=create)


def _catalog() -> Any:
    from deepcareer.curriculum.catalog import default_catalog

    return default_catalog()


@app.command()
def init(
    home: HomeOpt = None,
    fresh: Annotated[bool, typer.Option(
        "--fresh", help="Start a new database when this home's database has gone missing.")]
    = False,
) -> None:
    """Set up a home folder for your progress.

    Example: deepcareer init --home ~/dl-study
    """
    from deepcareer.home import resolve_home
    from deepcareer.store.db import DB_NAME, MARKER

    path = resolve_home(home)
    if fresh and not (path / DB_NAME).exists():
        (path / MARKER).unlink(missing_ok=True)
    with _store(home) as store:
        from deepcareer.cli.render import console

        console.print(f"Your progress lives in [bold]{store.home}[/].")
        console.print("Next: [bold]deepcareer next[/] tells you where to start.")


@app.command("list")
def list_exercises(home: HomeOpt = None, json: JsonOpt = False) -> None:
    """List the exercises in curriculum order, with your state in each.

    Example: deepcareer list --json
    """
    from deepcareer.mentor.progress import exercise_progress

    catalog = _catalog()
    with _store(home) as store:
        states = {p.id: p for p in exercise_progress(store, catalog)}
    rows = [{"id": ex.id, "title": ex.meta.title, "area": ex.meta.area, "track": ex.meta.track,
             "difficulty": ex.meta.difficulty, "minutes": ex.meta.minutes,
             "skills": ex.meta.skills, "prerequisites": ex.meta.prerequisites,
             "state": states[ex.id].state} for ex in catalog]
    if json:
        from deepcareer.cli.render import print_json

        print_json(rows)
        return
    from rich.table import Table

    from deepcareer.cli.render import console

    marks = {"passed": "[green]passed[/]", "attempted": "[yellow]attempted[/]",
             "started": "[cyan]started[/]", "new": "[dim]new[/]"}
    table = Table(title="Exercises")
    for col in ("#", "id", "title", "track", "level", "min", "state"):
        table.add_column(col)
    for i, r in enumerate(rows, 1):
        table.add_row(str(i), r["id"], r["title"], r["track"], "*" * r["difficulty"],
                      str(r["minutes"]), marks[r["state"]])
    console.print(table)


@app.command()
def skills(json: JsonOpt = False) -> None:
    """List the skills of the curriculum and the exercises that verify each.

    Example: deepcareer skills --json
    """
    from deepcareer.mentor.quiz import load_quizzes

    catalog = _catalog()
    verified: dict[str, list[str]] = {}
    for ex in catalog:
        for s in ex.meta.skills:
            verified.setdefault(s, []).append(ex.id)
    quizzed: dict[str, list[str]] = {}
    for q in load_quizzes().values():
        for s in q.skills:
            quizzed.setdefault(s, []).append(q.id)
    rows = [{**s.model_dump(), "exercises": verified.get(s.id, []),
             "quizzes": quizzed.get(s.id, [])} for s in catalog.skills.values()]
    if json:
        from deepcareer.cli.render import print_json

        print_json(rows)
        return
    from rich.table import Table

    from deepcareer.cli.render import console

    table = Table(title="Skills")
    for col in ("id", "title", "verified by"):
        table.add_column(col)
    for r in rows:
        evidence = [*r["exercises"], *(f"quiz {q}" for q in r["quizzes"])]
        table.add_row(r["id"], r["title"], ", ".join(evidence) or "[dim]-[/]")
    console.print(table)


@app.command()
def start(exercise_id: IdArg, home: HomeOpt = None, json: JsonOpt = False) -> None:
    """Create your file for an exercise and show its task.

    Your file is created once and never overwritten.

    Example: deepcareer start softmax
    """
    from deepcareer import practice

    with _store(home) as store:
        started = practice.start(store, exercise_id, _catalog())
    if json:
        from deepcareer.cli.render import print_json

        print_json({"id": started.exercise.id, "path": str(started.path)})
        return
    from rich.markdown import Markdown

    from deepcareer.cli.render import console

    console.print(Markdown(started.exercise.readme_path.read_text(encoding="utf-8")))
    verb = "Created" if started.created else "Your file is still at"
    console.print(f"\n{verb} [bold]{started.path}[/]")
    console.print(f"Edit it, then run: [bold]deepcareer check {started.exercise.id}[/]")


@app.command()
def check(
    exercise_id: IdArg,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Check this file instead "
                                              "of your workspace file.")] = None,
    watch: Annotated[bool, typer.Option("--watch", "-w", help="Check again each time the "
                                        "file is saved (Ctrl-C to stop).")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every failing "
                                          "check.")] = False,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Grade your code for an exercise, in a sandbox, in about a second.

    Exit code 0 on pass, 1 otherwise.

    Examples: deepcareer check softmax; deepcareer check softmax --file my.py --json
    """
    from deepcareer import practice

    catalog = _catalog()
    ex = catalog.get(exercise_id)
    with _store(home) as store:
        source, path = practice.source_for(store, ex, file)
        if watch:
            _watch(store, ex, path, verbose)
            return
        rep = practice.check_source(store, ex, source, filename=path.name)
    from deepcareer.cli import render

    if json:
        render.print_json(rep.to_dict())
    else:
        render.report(rep, verbose=verbose)
    raise typer.Exit(0 if rep.status == "pass" else 1)


def _watch(store: Store, ex: Any, path: Path, verbose: bool) -> None:
    from deepcareer import practice
    from deepcareer.cli import render

    render.console.print(f"Watching [bold]{path}[/]; save to check again, Ctrl-C to stop.")
    last = None
    try:
        while True:
            try:
                stamp = path.stat().st_mtime_ns
            except FileNotFoundError:
                stamp = None
            if stamp is not None and stamp != last:
                last = stamp
                source = practice.read_source(path)
                render.console.rule(time.strftime("%H:%M:%S"))
                render.report(practice.check_source(store, ex, source, filename=path.name),
                              verbose=verbose)
            time.sleep(0.4)
    except KeyboardInterrupt:
        render.console.print("Stopped watching.")


@app.command()
def hint(exercise_id: IdArg, home: HomeOpt = None, json: JsonOpt = False) -> None:
    """Show the next step of the hint ladder for your latest mistake.

    Example: deepcareer hint softmax
    """
    from deepcareer import practice

    with _store(home) as store:
        h = practice.next_hint(store, exercise_id, _catalog())
    if json:
        from deepcareer.cli.render import print_json

        print_json({"level": h.level, "steps": h.steps, "hint": h.text, "about": h.about})
        return
    from rich.markup import escape

    from deepcareer.cli.render import console

    about = f" about [italic]{escape(h.about)}[/]" if h.about else ""
    console.print(f"[bold]Hint {h.level} of {h.steps}[/]{about}")
    console.print(escape(h.text))


@app.command()
def solution(
    exercise_id: IdArg,
    force: Annotated[bool, typer.Option("--force", help="Show it now (this is recorded).")]
    = False,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Show the reference solution after three honest attempts (or with --force).

    Example: deepcareer solution softmax
    """
    from deepcareer import practice

    with _store(home) as store:
        access = practice.solution(store, exercise_id, force=force, catalog=_catalog())
    if json:
        from deepcareer.cli.render import print_json

        print_json({"unlocked": access.unlocked, "failed_attempts": access.failures,
                    "solution": access.source or None})
        raise typer.Exit(0 if access.unlocked else 1)
    from deepcareer.cli.render import console

    if not access.unlocked:
        left = practice.SOLUTION_AFTER_FAILURES - access.failures
        console.print(f"The solution opens after {practice.SOLUTION_AFTER_FAILURES} checked "
                      f"attempts; {left} to go. Try `deepcareer hint {exercise_id}` first, or "
                      "use --force (it is recorded).")
        raise typer.Exit(1)
    from rich.syntax import Syntax

    console.print(Syntax(access.source, "python", line_numbers=True))


@app.command("next")
def next_cmd(home: HomeOpt = None, json: JsonOpt = False) -> None:
    """Say what to do next, and why.

    Example: deepcareer next --json
    """
    from deepcareer.mentor.progress import next_step

    with _store(home) as store:
        step = next_step(store, _catalog())
        home_path = store.home
    if json:
        from deepcareer.cli.render import print_json

        print_json(step.to_dict())
        return
    from deepcareer.cli.render import console

    if step.kind == "done":
        console.print(step.reason)
        return
    ex = _catalog().get(step.id)
    flag = f" --home {home_path}" if home else ""
    console.print(f"Next: [bold]{ex.id}[/] - {ex.meta.title} (about {ex.meta.minutes} min), "
                  f"because {step.reason}.")
    console.print(f"  1. deepcareer start {ex.id}{flag}    (shows the task, creates your file)")
    console.print("  2. edit the file it names")
    console.print(f"  3. deepcareer check {ex.id}{flag}")


@app.command()
def quiz(
    quiz_id: Annotated[str | None, typer.Argument(help="Quiz id (omit to list them).")] = None,
    answers: Annotated[str | None, typer.Option(
        "--answers", help="Comma-separated answers, to answer without prompts.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Fix the numbers drawn.")] = None,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Take a concept quiz; wrong answers that match a known misconception are named.

    Examples: deepcareer quiz; deepcareer quiz classic-ml --answers b,b,0.9 --seed 1
    """
    import os

    import numpy as np

    from deepcareer.mentor import quiz as quizzes

    if quiz_id is None:
        rows = [{"id": q.id, "title": q.title, "skills": list(q.skills),
                 "questions": len(q.questions)} for q in quizzes.load_quizzes().values()]
        if json:
            from deepcareer.cli.render import print_json

            print_json(rows)
        else:
            from deepcareer.cli.render import console

            for r in rows:
                console.print(f"[bold]{r['id']}[/]  {r['title']} ({r['questions']} questions)")
        return
    chosen = quizzes.get_quiz(quiz_id)
    replies = answers.split(",") if answers is not None else None
    if json and replies is None:
        from deepcareer.errors import UsageError

        raise UsageError("--json needs --answers (a quiz in JSON mode cannot prompt).")
    if replies is not None and len(replies) != len(chosen.questions):
        from deepcareer.errors import UsageError

        raise UsageError(f"{chosen.id} has {len(chosen.questions)} questions; --answers gave "
                         f"{len(replies)}.")
    seed = int.from_bytes(os.urandom(4), "little") if seed is None else seed
    rng = np.random.default_rng(seed)
    from deepcareer.cli.render import console

    results: list[dict[str, Any]] = []
    for n, question in enumerate(chosen.questions):
        asked = quizzes.ask(question, rng)
        if not json:
            console.print(f"\n[bold]Question {n + 1} of {len(chosen.questions)}[/]")
            console.print(asked.text, markup=False)
        reply = replies[n] if replies is not None else typer.prompt("Your answer")
        verdict = quizzes.judge(asked, reply)
        results.append({"question": n + 1, "correct": verdict.correct,
                        "misconception": verdict.misconception, "feedback": verdict.feedback})
        if not json:
            mark = "[green]right[/]" if verdict.correct else "[red]not quite[/]"
            console.print(f"{mark}: ", end="")
            console.print(verdict.feedback, markup=False)
    score = sum(1 for r in results if r["correct"])
    with _store(home) as store:
        store.add_event(f"quiz:{chosen.id}", "quiz",
                        {"seed": seed, "score": score, "total": len(results),
                         "misconceptions": [r["misconception"] for r in results
                                            if r["misconception"]]})
    if json:
        from deepcareer.cli.render import print_json

        print_json({"quiz": chosen.id, "score": score, "total": len(results), "seed": seed,
                    "results": results})
    else:
        console.print(f"\nScore: [bold]{score} of {len(results)}[/]")
    raise typer.Exit(0 if score == len(results) else 1)


@app.command()
def progress(home: HomeOpt = None, json: JsonOpt = False) -> None:
    """Show what you have done: exercises passed and mastery per skill.

    Example: deepcareer progress --json
    """
    from deepcareer.mentor.progress import exercise_progress, skill_mastery

    catalog = _catalog()
    with _store(home) as store:
        rows = exercise_progress(store, catalog)
    mastery = skill_mastery(rows, catalog)
    if json:
        from deepcareer.cli.render import print_json

        print_json({"skills": mastery,
                    "exercises": [{"id": r.id, "state": r.state, "attempts": r.attempts,
                                   "last_status": r.last_status} for r in rows]})
        return
    from rich.progress_bar import ProgressBar
    from rich.table import Table

    from deepcareer.cli.render import console

    done = sum(r.state == "passed" for r in rows)
    console.print(f"[bold]{done} of {len(rows)}[/] exercises passed.")
    table = Table(title="Mastery per skill", box=None)
    table.add_column("skill")
    table.add_column("mastery", width=24)
    table.add_column("")
    for skill, value in mastery.items():
        table.add_row(skill, ProgressBar(total=1.0, completed=value, width=20), f"{value:.0%}")
    console.print(table)


@content_app.command("validate")
def content_validate(json: JsonOpt = False) -> None:
    """Check every content file against its schema (fast, runs no code).

    Example: deepcareer content validate
    """
    from deepcareer.curriculum.validate import validate_catalog
    from deepcareer.mentor.quiz import load_quizzes, validate_quiz

    catalog = _catalog()
    problems = validate_catalog(catalog)
    quizzes = load_quizzes()
    for q in quizzes.values():
        problems += validate_quiz(q, set(catalog.skills))
    _problems_out(problems, json,
                  f"All {len(catalog)} exercises and {len(quizzes)} quizzes are valid.")


@content_app.command("verify")
def content_verify(
    ids: Annotated[list[str] | None, typer.Argument(help="Exercise ids (default: all).")] = None,
    track: Annotated[str | None, typer.Option("--track", help="Only this track, e.g. numpy.")]
    = None,
    json: JsonOpt = False,
) -> None:
    """Run every exercise's checks: the reference passes, each mistake is diagnosed as itself.

    Example: deepcareer content verify softmax; deepcareer content verify --track numpy
    """
    from deepcareer.grading.verify import verify_many

    catalog = _catalog()
    chosen = [catalog.get(i) for i in ids] if ids else list(catalog)
    if track is not None:
        chosen = [ex for ex in chosen if ex.meta.track == track]
    if json:
        problems = verify_many(chosen)
    else:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("verifying", total=len(chosen))
            problems = verify_many(chosen, on_done=lambda _ex: bar.advance(task))
    _problems_out(problems, json, f"All {len(chosen)} exercises verify.")


def _problems_out(problems: list[str], json: bool, ok: str) -> None:
    from deepcareer.cli.render import console, print_json

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

    stats = compute(_catalog())
    if json:
        from deepcareer.cli.render import print_json

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
    json: JsonOpt = False,
) -> None:
    """Mutation-test the references: how many classic slips do the cases catch?

    Example: deepcareer content mutants softmax dropout
    """
    from deepcareer.grading.mutate import mutation_score

    catalog = _catalog()
    chosen = [catalog.get(i) for i in ids] if ids else [e for e in catalog
                                                        if e.meta.track == "numpy"]
    scores = [mutation_score(ex) for ex in chosen]
    total = sum(s.total for s in scores)
    killed = sum(s.killed for s in scores)
    if json:
        from deepcareer.cli.render import print_json

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
    print(_catalog().get(exercise_id).folder)


@app.command("export")
def export_cmd(
    file: Annotated[Path, typer.Argument(help="JSON file to write.")],
    home: HomeOpt = None,
) -> None:
    """Write all your progress to one JSON file.

    Example: deepcareer export progress.json
    """
    from deepcareer.store.exchange import export_file

    with _store(home) as store:
        counts = export_file(store, file)
    from deepcareer.cli.render import console

    console.print(f"Wrote {counts['attempts']} attempts and {counts['events']} events to {file}.")


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="A file written by `deepcareer export`.")],
    home: HomeOpt = None,
) -> None:
    """Merge an export into this home; rows already present are skipped.

    Example: deepcareer import progress.json --home ~/new-home
    """
    from deepcareer.store.exchange import import_file

    with _store(home) as store:
        counts = import_file(store, file)
    from deepcareer.cli.render import console

    console.print(f"Imported {counts['attempts']} attempts and {counts['events']} events.")


def main() -> None:
    """Console-script entry point: learner-facing errors without tracebacks."""
    try:
        app()
    except DeepcareerError as exc:
        from deepcareer.cli.render import error

        error(exc.message)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
