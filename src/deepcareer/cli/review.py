"""`deepcareer review`: the due items, one after another."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from deepcareer.cli.common import HomeOpt, JsonOpt, load_catalog, print_json, store_for


def review(
    list_only: Annotated[bool, typer.Option("--list", help="Only list what is due.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many items.")] = 20,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Review what is due: re-implement exercises from a blank file, redo drills for your
    past mistakes, answer quiz questions with new numbers.

    Each item is rated from how it went (again, hard, good, easy) and scheduled by FSRS for
    when you would be about to forget it.

    Examples: deepcareer review; deepcareer review --list --json
    """
    from deepcareer.cli.render import console
    from deepcareer.mentor.review import due_cards, next_due

    catalog = load_catalog()
    with store_for(home) as store:
        due = due_cards(store)
        if json or list_only:
            if json:
                upcoming = next_due(store)
                print_json({"due": [d.to_dict() for d in due],
                            "next_due": upcoming.isoformat() if upcoming else None})
            else:
                for d in due:
                    console.print(f"{d.id}  (recall now about {d.retrievability:.0%})")
                if not due:
                    console.print("Nothing is due.")
            return
        if not due:
            upcoming = next_due(store)
            when = f" The next item is due {upcoming:%Y-%m-%d %H:%M} UTC." if upcoming else ""
            console.print(f"Nothing is due for review.{when}")
            return
        console.print(f"[bold]{len(due)}[/] item{'s' if len(due) > 1 else ''} due; "
                      f"up to {limit} now. Enter checks, h shows a hint, s skips, q stops.")
        for n, item in enumerate(due[:limit], start=1):
            console.rule(f"{n} of {min(len(due), limit)}: {item.id}")
            if item.kind == "quiz":
                _review_quiz(store, item.ref)
            elif not _review_exercise(store, catalog, item.kind, item.ref):
                console.print("Stopped. What is left stays due.")
                return
        console.print("Review done. `deepcareer next` says what to do now.")


def _review_quiz(store: Any, ref: str) -> None:
    import numpy as np

    from deepcareer.cli.render import console
    from deepcareer.mentor import quiz as quizzes
    from deepcareer.mentor.review import Rating, record

    quiz_id, _, index = ref.rpartition(":")
    question = quizzes.get_quiz(quiz_id).questions[int(index)]
    asked = quizzes.ask(question, np.random.default_rng(int.from_bytes(os.urandom(4), "little")))
    console.print(asked.text, markup=False)
    verdict = quizzes.judge(asked, typer.prompt("Your answer"))
    console.print(("right: " if verdict.correct else "not quite: ") + verdict.feedback,
                  markup=False)
    record(store, "quiz", ref, Rating.Good if verdict.correct else Rating.Again,
           source="review")


def _review_exercise(store: Any, catalog: Any, card_kind: str, ref: str) -> bool:
    """Re-implement from a blank file until it passes or is skipped; False to stop."""
    from rich.markup import escape

    from deepcareer import practice
    from deepcareer.cli import render
    from deepcareer.mentor.review import Kind, card_id, rating_for, record

    kind: Kind = "drill" if card_kind == "drill" else "exercise"
    exercise_id = ref if kind == "exercise" else ref.split(".", 1)[0]
    ex = catalog.get(exercise_id)
    if kind == "drill":
        m = next((m for m in ex.checks.misconceptions if m.id == ref), None)
        if m is not None:
            render.console.print(f"[bold]The mistake:[/] {escape(m.title)}\n"
                                 f"{escape(m.explanation)}")
    path = _review_file(store, ex, card_id(kind, ref))
    render.console.print(f"Re-implement [bold]{escape(ex.meta.title)}[/] in {path}")
    began, checks, hints = store.clock(), 0, 0
    while True:
        choice = typer.prompt("Enter = check, h = hint, s = skip, q = stop", default="",
                              show_default=False).strip().lower()
        if choice == "q":
            return False
        if choice == "s":
            if checks:  # tried and gave up: that is a lapse
                record(store, kind, ref, rating_for(passed=False), source="review")
            return True
        if choice == "h":
            step = min(hints, len(ex.meta.hints) - 1)
            render.console.print(f"Hint: {escape(ex.meta.hints[step])}")
            hints += 1
            continue
        report = practice.check_source(store, ex, practice.read_source(path),
                                       filename=path.name, schedule=False)
        render.report(report)
        if report.status == "not_attempted":
            continue
        checks += 1
        same = kind == "drill" and any(f.misconception == ref for f in report.findings)
        if report.status == "pass":
            taken = (store.clock() - began).total_seconds() / 60
            rating = rating_for(passed=True, hints=hints, retries=checks - 1,
                                minutes_taken=taken, minutes_estimated=ex.meta.minutes)
            record(store, kind, ref, rating, source="review")
            render.console.print(f"Rated [bold]{rating.name.lower()}[/].")
            return True
        if same:
            render.console.print("[yellow]The same mistake again.[/] Fix it and press Enter.")


def _review_file(store: Any, ex: Any, cid: str) -> Path:
    """A blank stub for this review, kept if the learner already started it since the
    card's last review (so stopping midway loses nothing)."""
    path: Path = store.home / "workspace" / "review" / f"{ex.id}.py"
    row = store.card(cid)
    last = _last_review(row)
    if path.exists() and last is not None and path.stat().st_mtime > last.timestamp():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    from deepcareer.atomic import write_text_atomic

    write_text_atomic(path, ex.starter)
    return path


def _last_review(row: dict[str, Any] | None) -> datetime | None:
    import json

    if row is None:
        return None
    value = json.loads(row["card"]).get("last_review")
    return datetime.fromisoformat(value) if value else None
