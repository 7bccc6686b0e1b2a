"""``deepcareer career ...``: roles, readiness, posting analysis, study plans, claims."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from deepcareer.cli.common import HomeOpt, JsonOpt, load_catalog, print_json, store_for

career_app = typer.Typer(help="Roles, readiness from your evidence, job postings, plans, pay.",
                         no_args_is_help=True)
RoleOpt = Annotated[str | None, typer.Argument(
    help="Role id or title (default: the role of your goal).", show_default=False)]


@career_app.command("roles")
def career_roles(home: HomeOpt = None, json: JsonOpt = False) -> None:
    """The roles, with their core skills, nearest O*NET occupation and cited pay.

    Example: deepcareer career roles
    """
    from deepcareer.app.career import attribution, role_rows, roles

    del home  # accepted like everywhere; the roles are the same in every home
    rows = role_rows()
    ONET_ATTRIBUTION = attribution()
    if json:
        print_json({"roles": rows, "attribution": ONET_ATTRIBUTION})
        return
    from rich.markup import escape
    from rich.table import Table

    from deepcareer.cli.render import console

    table = Table(box=None, header_style="bold")
    for col in ("id", "title", "core skills", "O*NET"):
        table.add_column(col)
    for r in roles().values():
        table.add_row(r.id, escape(r.title), ", ".join(r.skills.core),
                      f"{r.onet.code} {escape(r.onet.title)}")
    console.print(table)
    for row in rows:
        for fact in row["pay"]:
            console.print(f"[dim]Pay, {escape(row['title'])}: {escape(fact)}[/]")
    console.print(f"[dim]{escape(ONET_ATTRIBUTION)}[/]")
    console.print("Next: [bold]deepcareer career readiness ROLE[/]")


@career_app.command("readiness")
def career_readiness(
    role: RoleOpt = None,
    sources: Annotated[bool, typer.Option(
        "--sources", help="List every attempt and run behind each skill.")] = False,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """How ready you are for a role, from what you have verified, with the cheapest next
    steps. Ready means 80 % or more and every core skill verified. Verified work counts
    fully; practised work (quizzes, passes after the solution) and claims at a discount.

    Example: deepcareer career readiness nlp-engineer --sources
    """
    from deepcareer.app.career import readiness_for

    with store_for(home) as store:
        found = readiness_for(store, load_catalog(), role)
    if json:
        print_json(found.to_dict())
        return
    chosen, result, pay = found.role, found.readiness, found.pay
    from rich.markup import escape
    from rich.table import Table

    from deepcareer.cli.render import console

    verdict = "[bold green]ready[/]" if result.ready else "[bold yellow]not yet ready[/]"
    console.print(f"{escape(chosen.title)}: {result.score:.0%}, {verdict}"
                  + (f" (core skills still to verify: {', '.join(result.missing_core)})"
                     if result.missing_core else ""))
    console.print(f"[dim]Counted: {escape(result.counting)}.[/]")
    table = Table(box=None, header_style="bold")
    for col in ("tier", "skill", "evidence", "from"):
        table.add_column(col)
    for line in result.skills:
        shown = line.sources if sources else line.sources[:1]
        more = "" if sources or len(line.sources) < 2 else f" (+{len(line.sources) - 1} more)"
        table.add_row(line.tier, escape(line.title), line.level,
                      escape("\n".join(shown) + more if shown else "-"))
    console.print(table)
    if not sources:
        console.print("[dim]Every source: add --sources.[/]")
    if result.next_steps:
        console.print("Cheapest next steps:")
        for step in result.next_steps[:5]:
            minutes = f" (about {step.minutes} min)" if step.minutes else ""
            console.print(f"  {step.tier:<9} {escape(step.title or step.skill)}: "
                          f"{step.command}{minutes}")
    for fact in pay:
        console.print(f"[dim]Pay: {escape(fact.describe())}[/]")
    if not pay:
        console.print("[dim]No verified pay figure is on file for this occupation; "
                      "deepcareer does not estimate one.[/]")


@career_app.command("analyze")
def career_analyze(
    file: Annotated[str, typer.Argument(help="A text file with the posting, or - for stdin.")]
    = "-",
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Read a job posting: the skills and tools it asks for (required or preferred, with
    the sentence that shows each), years and degree, and your evidence for each skill.

    Examples: deepcareer career analyze posting.txt; pbpaste | deepcareer career analyze -
    """
    from deepcareer.app.career import read_posting
    from deepcareer.errors import UsageError

    if file == "-":
        raw = sys.stdin.buffer.read()
    else:
        path = Path(file)
        if not path.is_file():
            raise UsageError(f"There is no file at {path}.")
        with open(path, "rb") as fh:
            raw = fh.read(2_000_001)
    with store_for(home) as store:
        reading = read_posting(store, load_catalog(), raw)
    if json:
        print_json(reading.to_dict())
        return
    result = reading.analysis
    from rich.markup import escape

    from deepcareer.cli.render import console

    for w in result.warnings:
        console.print(f"[yellow]{escape(w)}[/]")
    levels = reading.levels
    for title, matches in (("Skills", result.skills), ("Tools and knowledge", result.terms)):
        if not matches:
            continue
        console.print(f"[bold]{title}[/]")
        for m in sorted(matches, key=lambda m: (m.requirement != "required", m.id)):
            level = levels.get(m.id, "")
            you = (f"  [dim]your evidence: {'none yet' if level in ('', 'none') else level}[/]"
                   if m.kind == "skill" else f"  [dim]{escape(m.taught)}[/]" if m.taught else "")
            asked = {"unspecified": "asked"}.get(m.requirement, m.requirement)
            console.print(f"  {asked:<11} {escape(m.title)}{you}")
            console.print(f"  [dim]{'':<11} \"{escape(m.evidence[:110])}\"[/]")
    if reading.also:
        console.print(reading.also)
    gaps = reading.required_gaps
    if gaps:
        console.print(f"Required skills you have not verified yet: {', '.join(gaps)}")
    if result.possible:
        console.print("Possible (not counted): " + ", ".join(
            f"{p['word']} ({p['maybe']}?)" for p in result.possible))
    if result.not_taught:
        console.print(escape(result.not_taught))
    if result.unknown:
        console.print("[dim]Unknown terms: " + escape(", ".join(result.unknown)) + "[/]")


@career_app.command("plan")
def career_plan(
    role: Annotated[str | None, typer.Option("--role", help="Role id or title (default: "
                                             "your goal's role).")] = None,
    hours_per_week: Annotated[float | None, typer.Option(
        "--hours-per-week", help="Study hours a week (default: your goal's, else 6).")]
    = None,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """A week-by-week plan to close a role's gaps: prerequisites first, core skills first,
    sized by each exercise's minutes.

    Example: deepcareer career plan --role data-scientist --hours-per-week 5
    """
    from deepcareer.app.career import plan_for

    with store_for(home) as store:
        chosen, plan = plan_for(store, load_catalog(), role, hours_per_week)
    if json:
        print_json(plan.to_dict())
        return
    from deepcareer.cli.render import console

    if not plan.weeks:
        console.print(f"Every {chosen.title} skill an exercise can show is verified.")
    for n, week in enumerate(plan.weeks, 1):
        minutes = sum(i.minutes for i in week)
        console.print(f"[bold]Week {n}[/] ({minutes / 60:.1f} h)")
        for item in week:
            console.print(f"  {item.exercise:<24} {item.minutes:>4} min  for "
                          f"{item.skill_title or item.for_skill} ({item.tier})")
    if plan.uncovered:
        console.print("No exercise covers " + ", ".join(plan.uncovered)
                      + ": see `deepcareer project list` and `deepcareer read`.")


@career_app.command("claim")
def career_claim(
    skill: Annotated[str, typer.Argument(help="Skill id (see `deepcareer skills`).")],
    remove: Annotated[bool, typer.Option("--remove", help="Withdraw the claim.")] = False,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Say you have a skill from elsewhere; it counts 0.2 until your work here shows it.

    Example: deepcareer career claim classic-ml
    """
    from deepcareer.app.career import claim

    with store_for(home) as store:
        now = claim(store, load_catalog(), skill, remove=remove)
    if json:
        print_json({"self_reported": now})
        return
    from deepcareer.cli.render import console

    console.print("Self-reported skills: " + (", ".join(now) if now else "none yet") + ".")
