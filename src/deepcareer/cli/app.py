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

from deepcareer.cli.career import career_app
from deepcareer.cli.common import (
    HomeOpt,
    IdArg,
    JsonOpt,
    home_flag,
    load_catalog,
    print_json,
    prompt_answer,
    store_for,
)
from deepcareer.cli.content import content_app
from deepcareer.cli.doctor import doctor
from deepcareer.cli.mentor import goal, progress, report
from deepcareer.cli.portfolio import portfolio_app
from deepcareer.cli.projects import project_app
from deepcareer.cli.review import review
from deepcareer.cli.server import login, server_app, submit
from deepcareer.errors import DeepcareerError, UsageError

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
app.add_typer(content_app, name="content")
app.add_typer(project_app, name="project")
app.add_typer(career_app, name="career")
app.add_typer(portfolio_app, name="portfolio")
app.add_typer(server_app, name="server")
app.command()(review)
app.command()(progress)
app.command()(goal)
app.command()(report)
app.command()(doctor)
app.command()(login)
app.command()(submit)

@app.command()
def init(
    home: HomeOpt = None,
    fresh: Annotated[bool, typer.Option(
        "--fresh", help="Start a new database when this home's database has gone missing.")]
    = False,
    json: JsonOpt = False,
) -> None:
    """Set up a home folder for your progress.

    Example: deepcareer init --home ~/dl-study
    """
    with store_for(home, fresh=fresh) as store:
        if json:
            print_json({"home": str(store.home)})
            return
        from deepcareer.cli.render import console

        console.print(f"Your progress lives in [bold]{store.home}[/].")
        console.print("Next: [bold]deepcareer next[/] tells you where to start.")


@app.command("list")
def list_exercises(home: HomeOpt = None, json: JsonOpt = False) -> None:
    """List the exercises in curriculum order, with your state in each.

    Example: deepcareer list --json
    """
    from deepcareer.app.progress import exercise_rows

    with store_for(home) as store:
        rows = [r.to_dict() for r in exercise_rows(store, load_catalog())]
    if json:
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
def skills(home: HomeOpt = None, json: JsonOpt = False) -> None:
    """List the skills of the curriculum, the exercises that verify each (quizzes only
    practise), and your mastery and evidence in each.

    Example: deepcareer skills --json
    """
    from deepcareer.app.progress import mastery_of, skill_rows

    catalog = load_catalog()
    with store_for(home) as store:
        known = mastery_of(store, catalog)
    rows = [{**r.record, "exercises": r.exercises, "quizzes": r.quizzes,
             "mastery": round(known[r.id].p, 4) if r.id in known else None,
             "verified": bool(r.id in known and known[r.id].verified)}
            for r in skill_rows(catalog)]
    if json:
        print_json(rows)
        return
    from rich.table import Table

    from deepcareer.cli.render import console

    table = Table(title="Skills")
    for col in ("id", "title", "verified by", "practised by", "you"):
        table.add_column(col)
    for r in rows:
        you = "-" if r["mastery"] is None else f"{r['mastery']:.0%}" + (
            " verified" if r["verified"] else "")
        table.add_row(r["id"], r["title"], ", ".join(r["exercises"]) or "[dim]-[/]",
                      ", ".join(f"quiz {q}" for q in r["quizzes"]) or "[dim]-[/]", you)
    console.print(table)


@app.command()
def start(exercise_id: IdArg, home: HomeOpt = None, json: JsonOpt = False) -> None:
    """Create your file for an exercise and show its task.

    Your file is created once and never overwritten.

    Example: deepcareer start softmax
    """
    from deepcareer.app import practice

    with store_for(home) as store:
        started = practice.start(store, exercise_id, load_catalog())
        flag = home_flag(home, store.home)
    if json:
        print_json({"id": started.exercise.id, "path": str(started.path)})
        return
    from rich.markdown import Markdown

    from deepcareer.cli.render import console
    from deepcareer.texmath import unicode_maths

    readme = started.exercise.readme_path.read_text(encoding="utf-8")
    console.print(Markdown(unicode_maths(readme, markdown=True)))  # TeX as Unicode
    verb = "Created" if started.created else "Your file is still at"
    console.print(f"\n{verb} [bold]{started.path}[/]")
    console.print(f"Edit it, then run: [bold]deepcareer check {started.exercise.id}{flag}[/]")


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
    from deepcareer.app import practice

    catalog = load_catalog()
    ex = catalog.get(exercise_id)
    with store_for(home) as store:
        source, path = practice.source_for(store, ex, file)
        if watch:
            _watch(store, ex, path, verbose)
            return
        note = None if json else practice.first_check_note(ex, store.home)
        if note:
            from deepcareer.cli.render import console

            console.print(f"[dim]{note}[/]")
        rep = practice.check_source(store, ex, source, filename=path.name)
    if json:
        print_json(rep.to_dict())
    else:
        from deepcareer.cli import render

        render.report(rep, verbose=verbose)
    raise typer.Exit(0 if rep.status == "pass" else 1)


def _watch(store: Store, ex: Any, path: Path, verbose: bool) -> None:
    from deepcareer.app import practice
    from deepcareer.cli import render

    render.console.print(f"Watching [bold]{path}[/]; save to check again, Ctrl-C to stop.")
    last = None
    try:
        # Each save is checked by a sandboxed child started ahead of time (with PyTorch or
        # TensorFlow already imported, on those tracks).
        with practice.warm():
            practice.keep_ready(ex)
            while True:
                try:
                    stamp = path.stat().st_mtime_ns
                except FileNotFoundError:
                    stamp = None
                if stamp is not None and stamp != last:
                    last = stamp
                    render.console.rule(time.strftime("%H:%M:%S"))
                    try:
                        source = practice.read_source(path)
                        rep = practice.check_source(store, ex, source, filename=path.name)
                    except UsageError as exc:  # too large, not UTF-8: say so, keep watching
                        render.error(exc.message)
                        continue
                    render.report(rep, verbose=verbose)
                time.sleep(0.4)
    except KeyboardInterrupt:
        render.console.print("Stopped watching.")


@app.command()
def hint(exercise_id: IdArg, home: HomeOpt = None, json: JsonOpt = False) -> None:
    """Show the next step of the hint ladder for your latest mistake.

    Example: deepcareer hint softmax
    """
    from deepcareer.app import practice

    with store_for(home) as store:
        h = practice.next_hint(store, exercise_id, load_catalog())
    if json:
        print_json({"level": h.level, "steps": h.steps, "hint": h.text, "about": h.about})
        return
    from rich.markup import escape

    from deepcareer.cli.render import console

    about = f" about [italic]{escape(h.about)}[/]" if h.about else ""
    console.print(f"[bold]Hint {h.level} of {h.steps}[/]{about}")
    console.print(escape(h.text))
    if h.level == h.steps:
        console.print("[dim]That is the last hint. Still stuck: after three different failed "
                      f"attempts, `deepcareer solution {exercise_id}` shows the reference.[/]")


@app.command()
def solution(
    exercise_id: IdArg,
    force: Annotated[bool, typer.Option("--force", help="Show it now (this is recorded).")]
    = False,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Show the reference solution after three honest failed attempts (or with --force).

    An honest attempt ran (it failed, raised an error or timed out) and its code differs
    from the starter and from every earlier attempt: resubmitting the same code, or the
    untouched starter, does not count. A pass opens it too.

    Example: deepcareer solution softmax
    """
    from deepcareer.app import practice

    with store_for(home) as store:
        access = practice.solution(store, exercise_id, force=force, catalog=load_catalog())
    if json:
        print_json({"unlocked": access.unlocked, "failed_attempts": access.failures,
                    "repeated_attempts": access.repeats, "why": access.why or None,
                    "solution": access.source or None})
        raise typer.Exit(0 if access.unlocked else 1)
    from deepcareer.cli.render import console

    if not access.unlocked:
        console.print(f"{access.why} Try `deepcareer hint {exercise_id}` first, or use "
                      "--force (it is recorded).")
        raise typer.Exit(1)
    from rich.syntax import Syntax

    console.print(Syntax(access.source, "python", line_numbers=True))


@app.command("next")
def next_cmd(home: HomeOpt = None, json: JsonOpt = False) -> None:
    """Say what to do next, and why, with the command that starts it now.

    Example: deepcareer next --json
    """
    from deepcareer.app.progress import next_step

    catalog = load_catalog()
    with store_for(home) as store:
        step = next_step(store, catalog)
        flag = home_flag(home, store.home)
    if json:
        print_json(step.to_dict())
        return
    from rich.markup import escape

    from deepcareer.cli.render import console

    if step.kind == "done":
        console.print(escape(step.reason) + ".")
        return
    if step.kind == "exercise":
        ex = catalog.get(step.id or "")
        console.print(f"Next: [bold]{escape(ex.meta.title)}[/] ({ex.id}, about "
                      f"{ex.meta.minutes} min), because {escape(step.reason)}.")
        console.print(f"  1. deepcareer start {ex.id}{flag}    (shows the task, creates your "
                      "file)")
        console.print("  2. edit the file it names")
        console.print(f"  3. deepcareer check {ex.id}{flag}")
        return
    label = {"review": "Review", "drill": "Drill", "quiz": "Quiz", "project": "Project"}.get(
        step.kind, step.kind)
    console.print(f"Next: [bold]{label}[/] {escape(step.title or step.id or '')}, because "
                  f"{escape(step.reason)}.")
    console.print(f"  {step.command}{flag}")


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

    A reply that is not an answer (a typo, a word where a number belongs) is asked again
    and never recorded. Quizzes are practice: they never verify a skill.

    Examples: deepcareer quiz; deepcareer quiz classic-ml --answers b,b,0.9 --seed 1
    """
    from deepcareer.app import quiz as quizzes

    if quiz_id is None:
        rows = quizzes.quizzes()
        if json:
            print_json([r.to_dict() for r in rows])
        else:
            from deepcareer.cli.render import console
            from deepcareer.words import plural

            for r in rows:
                console.print(f"[bold]{r.id}[/]  {r.title} ({plural(r.questions, 'question')})")
        return
    replies = answers.split(",") if answers is not None else None
    if json and replies is None:
        raise UsageError("--json needs --answers (a quiz in JSON mode cannot prompt).")
    sitting = quizzes.sit(quiz_id, seed)
    total = len(sitting.asked)
    if replies is not None and len(replies) != total:
        raise UsageError(f"{quiz_id} has {total} questions; --answers gave {len(replies)}.")
    from deepcareer.cli.render import console
    from deepcareer.texmath import unicode_maths

    if replies is None:  # ask each question until the reply is an answer
        replies = []
        for n, asked in enumerate(sitting.asked):
            console.print(f"\n[bold]Question {n + 1} of {total}[/]")
            console.print(unicode_maths(asked.text), markup=False)
            replies.append(prompt_answer(asked))
    with store_for(home) as store:
        result = quizzes.answer(store, sitting, replies)
    if json:
        print_json(result.to_dict())
        raise typer.Exit(0 if result.score == total else 1)
    for n, verdict in enumerate(result.verdicts):
        mark = ("[yellow]not an answer[/]" if verdict.unreadable else
                "[green]right[/]" if verdict.correct else "[red]not quite[/]")
        console.print(f"Question {n + 1}: {mark}: ", end="")
        console.print(unicode_maths(verdict.feedback), markup=False)
    if not result.recorded:
        console.print("Nothing was recorded: answer every question (see above) and try again.")
        raise typer.Exit(2)
    console.print(f"\nScore: [bold]{result.score} of {total}[/]")
    raise typer.Exit(0 if result.score == total else 1)


@app.command()
def read(
    skill: Annotated[str | None, typer.Argument(help="A skill id or alias, e.g. lstm or "
                                                "'batch normalization'.")] = None,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """The reading list: landmark papers and books for a skill, and what to read them for.

    Without a skill, lists the skills and how many works each has.

    Examples: deepcareer read adam; deepcareer read "batch normalization"; deepcareer read
    """
    from deepcareer.app.reading import reading as load_reading
    from deepcareer.app.reading import skill_id

    del home  # accepted like everywhere; the reading list is the same in every home
    catalog = load_catalog()
    reading = load_reading(catalog)
    from deepcareer.cli.render import console

    if skill is None:
        if json:
            print_json({sid: [w.id for w in reading.get(sid, [])] for sid in catalog.skills})
            return
        for sid, sk in catalog.skills.items():
            console.print(f"[bold]{sid}[/] ({sk.title}): {len(reading.get(sid, []))} to read")
        console.print("[dim]`deepcareer read SKILL` shows one skill's list.[/]")
        return
    sid = skill_id(catalog, skill)
    works = reading.get(sid, [])
    if json:
        print_json({"skill": sid, "works": [w.model_dump(exclude_none=True) for w in works]})
        return
    from rich.markup import escape

    console.print(f"[bold]Reading for {escape(catalog.skills[sid].title)}[/]\n")
    for w in works:
        console.print(f"[bold]{escape(w.title)}[/] ({w.year})")
        console.print(f"  {escape(w.authors.rstrip('.'))}. {escape(w.venue)}. "
                      f"[cyan]{escape(w.link())}[/]")
        console.print(f"  {escape(w.note)}\n")


@app.command("export")
def export_cmd(
    file: Annotated[Path, typer.Argument(help="JSON file to write.")],
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Write all your progress to one JSON file.

    Example: deepcareer export progress.json
    """
    from deepcareer.app.data import export

    with store_for(home) as store:
        counts = export(store, file)
    if json:
        print_json({"file": str(file), **counts})
        return
    from deepcareer.cli.render import console
    from deepcareer.words import plural

    console.print(f"Wrote {plural(counts['attempts'], 'attempt')} and "
                  f"{plural(counts['events'], 'event')} to {file}.")


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="A file written by `deepcareer export`.")],
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Merge an export into this home; rows already present are skipped.

    Example: deepcareer import progress.json --home ~/new-home
    """
    from deepcareer.app.data import import_

    with store_for(home) as store:
        counts = import_(store, file)
    if json:
        print_json(counts)
        return
    from deepcareer.cli.render import console
    from deepcareer.words import plural

    console.print(f"Imported {plural(counts['attempts'], 'attempt')} and "
                  f"{plural(counts['events'], 'event')}.")


@app.command()
def notebook(exercise_id: IdArg, home: HomeOpt = None, json: JsonOpt = False) -> None:
    """Write a ready Jupyter notebook for an exercise (task, starter, check and hint cells).

    Example: deepcareer notebook softmax
    """
    from deepcareer.notebook import write_notebook

    with store_for(home) as store:
        path = write_notebook(store.home, exercise_id)
    if json:
        print_json({"id": exercise_id, "path": str(path)})
        return
    from deepcareer.cli.render import console

    console.print(f"Notebook: [bold]{path}[/] (open it with Jupyter; it grades into the "
                  "same progress as the terminal).")


@app.command()
def serve(
    port: Annotated[int | None, typer.Option(
        "--port", help="Port on 127.0.0.1; 0 lets the system choose a free one. Without it: "
        "8765, or a free one if 8765 is taken.", show_default=False)] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")]
    = False,
    home: HomeOpt = None,
) -> None:
    """Open the web app: dashboard, skill map, exercises with an editor, reviews, projects,
    portfolio and career, on this computer only (127.0.0.1, with a sign-in token).

    The address is printed once the app is listening on it. A port given with --port
    that is already in use is an error (exit 2).

    Examples: deepcareer serve; deepcareer serve --port 0 --no-browser
    """
    from deepcareer.web.server import run

    with store_for(home) as store:
        path = store.home
    run(path, port, open_browser=not no_browser)


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
