"""`deepcareer review`: the due cards one after another, or one card now."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from deepcareer.cli.common import (
    HomeOpt,
    JsonOpt,
    load_catalog,
    print_json,
    prompt_answer,
    store_for,
)

if TYPE_CHECKING:
    from deepcareer.app.review import Card
    from deepcareer.curriculum.catalog import Catalog
    from deepcareer.store.db import Store


def review(
    card: Annotated[str | None, typer.Argument(
        help="Start this card now, due or not: a mistake id (softmax.no-max-shift), an "
        "exercise id, or a card id from --list.", show_default=False)] = None,
    list_only: Annotated[bool, typer.Option("--list", help="Only list what is due.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many items.")] = 20,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Review what is due: re-implement exercises from a blank file, redo drills for your
    past mistakes, answer quiz questions with new numbers.

    Each item is rated from how it went (again, hard, good, easy) and scheduled by FSRS for
    when you would be about to forget it. Give a CARD to start it now (the drill that
    `deepcareer next` proposes, for instance), whatever its review date.

    Examples: deepcareer review; deepcareer review softmax.no-max-shift;
    deepcareer review --list --json
    """
    from deepcareer.app import review as reviews
    from deepcareer.cli.render import console
    from deepcareer.words import plural

    catalog = load_catalog()
    with store_for(home) as store:
        if card is not None:
            chosen = reviews.card(store, catalog, card)
            if json or list_only:
                print_json(chosen.to_dict()) if json else console.print(chosen.title)
                return
            if not _work(store, catalog, chosen):
                console.print("Stopped.")
            return
        session = reviews.session(store, catalog)
        if json or list_only:
            if json:
                print_json(session.to_dict())
            else:
                for c in session.due:
                    console.print(f"{c.id}  {c.title} (recall now about "
                                  f"{c.retrievability or 0:.0%})", markup=False)
                if not session.due:
                    console.print("Nothing is due.")
            return
        if not session.due:
            when = (f" The next item is due {session.next_due:%Y-%m-%d %H:%M} UTC."
                    if session.next_due else "")
            console.print(f"Nothing is due for review.{when}")
            return
        todo = session.due[:limit]
        console.print(f"[bold]{plural(len(session.due), 'item')}[/] due; up to {limit} now. "
                      "Enter checks, h shows a hint, s skips, q stops.")
        for n, item in enumerate(todo, start=1):
            console.rule(f"{n} of {len(todo)}: {item.title}")
            if not _work(store, catalog, item):
                console.print("Stopped. What is left stays due.")
                return
        console.print("Review done. `deepcareer next` says what to do now.")


def _work(store: Store, catalog: Catalog, card: Card) -> bool:
    """One card, to its end; False when the learner stops the session."""
    if card.kind == "quiz":
        _quiz(store, card)
        return True
    return _exercise(store, catalog, card)


def _quiz(store: Store, card: Card) -> None:
    from deepcareer.app import review as reviews
    from deepcareer.cli.render import console
    from deepcareer.texmath import unicode_maths

    asked, seed = reviews.ask(card)
    console.print(unicode_maths(asked.text), markup=False)
    _asked, verdict, rating = reviews.answer(store, card, seed, prompt_answer(asked))
    console.print(("right: " if verdict.correct else "not quite: ")
                  + unicode_maths(verdict.feedback),
                  markup=False)
    console.print(f"Rated {rating}.")


def _exercise(store: Store, catalog: Catalog, card: Card) -> bool:
    """Re-implement from a blank file until it passes or is skipped; False to stop."""
    from rich.markup import escape

    from deepcareer.app import practice
    from deepcareer.app import review as reviews
    from deepcareer.cli import render

    if card.kind == "drill":
        render.console.print(f"[bold]The mistake:[/] {escape(card.mistake)}\n"
                             f"{escape(card.explanation)}")
    path = reviews.blank_file(store, catalog, card)
    render.console.print(f"Re-implement [bold]{escape(card.title)}[/] in {path}")
    attempt = reviews.begin(store, card)
    while True:
        choice = typer.prompt("Enter = check, h = hint, s = skip, q = stop", default="",
                              show_default=False).strip().lower()
        if choice == "q":
            return False
        if choice == "s":
            reviews.skip(store, attempt)
            return True
        if choice == "h":
            render.console.print(f"Hint: {escape(reviews.hint(catalog, attempt))}")
            continue
        outcome = reviews.check(store, catalog, attempt, practice.read_source(path),
                                filename=path.name)
        render.report(outcome.report)
        if outcome.done:
            render.console.print(f"Rated [bold]{outcome.rating}[/].")
            return True
        if outcome.same_mistake:
            render.console.print("[yellow]The same mistake again.[/] Fix it and press Enter.")
