"""``deepcareer career ...``: roles, readiness, posting analysis, study plans, claims."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from deepcareer.cli.common import HomeOpt, JsonOpt, load_catalog, print_json, store_for

if TYPE_CHECKING:
    from deepcareer.career.roles import Role

career_app = typer.Typer(help="Roles, readiness from your evidence, job postings, plans, pay.",
                         no_args_is_help=True)
RoleOpt = Annotated[str | None, typer.Argument(
    help="Role id or title (default: the role of your goal).", show_default=False)]


def _role_or_goal(store: Any, name: str | None) -> Role:
    from deepcareer.career.roles import get_role
    from deepcareer.errors import UsageError
    from deepcareer.mentor.goals import get_goal

    name = name or get_goal(store).role
    if not name:
        raise UsageError("Which role? Give one (`deepcareer career roles` lists them) or set "
                         "your goal: deepcareer goal --role data-scientist")
    return get_role(name)


def _evidence(store: Any) -> tuple[dict[str, Any], set[str]]:
    from deepcareer.career.evidence import skill_evidence
    from deepcareer.mentor.progress import exercise_progress

    catalog = load_catalog()
    passed = {p.id for p in exercise_progress(store, catalog) if p.state == "passed"}
    return skill_evidence(store, catalog), passed


@career_app.command("roles")
def career_roles(json: JsonOpt = False) -> None:
    """The 16 roles, with their core skills, nearest O*NET occupation and cited pay.

    Example: deepcareer career roles
    """
    from deepcareer.career.pay import pay_for
    from deepcareer.career.roles import ONET_ATTRIBUTION, load_roles

    roles = load_roles()
    rows = [{"id": r.id, "title": r.title, "description": r.description,
             "onet": {"code": r.onet.code, "title": r.onet.title},
             "skills": {"core": r.skills.core, "important": r.skills.important,
                        "nice": r.skills.nice}, "terms": r.terms,
             "pay": [p.describe() for p in pay_for(r.onet.code)]} for r in roles.values()]
    if json:
        print_json({"roles": rows, "attribution": ONET_ATTRIBUTION})
        return
    from rich.markup import escape
    from rich.table import Table

    from deepcareer.cli.render import console

    table = Table(box=None, header_style="bold")
    for col in ("id", "title", "core skills", "O*NET"):
        table.add_column(col)
    for r in roles.values():
        table.add_row(r.id, escape(r.title), ", ".join(r.skills.core),
                      f"{r.onet.code} {escape(r.onet.title)}")
    console.print(table)
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
    from deepcareer.career.pay import cited_by_source, pay_for
    from deepcareer.career.readiness import readiness

    with store_for(home) as store:
        chosen = _role_or_goal(store, role)
        evidence, passed = _evidence(store)
    result = readiness(chosen, evidence, load_catalog(), passed)
    pay = pay_for(chosen.onet.code)
    if json:
        print_json({**result.to_dict(), "pay": [p.describe() for p in pay],
                    "pay_cited_by_source": [p.describe() for p in cited_by_source()]})
        return
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
            console.print(f"  {step.tier:<9} {step.skill}: {step.command}{minutes}")
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
    from deepcareer.career.postings import analyze, status_against
    from deepcareer.errors import UsageError

    if file == "-":
        raw = sys.stdin.buffer.read()
    else:
        path = Path(file)
        if not path.is_file():
            raise UsageError(f"There is no file at {path}.")
        with open(path, "rb") as fh:
            raw = fh.read(2_000_001)
    result = analyze(raw)
    with store_for(home) as store:
        evidence, _passed = _evidence(store)
    status = status_against(result, evidence)
    if json:
        print_json({**result.to_dict(), "status": status})
        return
    from rich.markup import escape

    from deepcareer.cli.render import console

    for w in result.warnings:
        console.print(f"[yellow]{escape(w)}[/]")
    levels = {r["skill"]: r["level"] for r in status}
    for title, matches in (("Skills", result.skills), ("Tools and knowledge", result.terms)):
        if not matches:
            continue
        console.print(f"[bold]{title}[/]")
        for m in sorted(matches, key=lambda m: (m.requirement != "required", m.id)):
            you = f"  [dim]you: {levels.get(m.id, '')}[/]" if m.kind == "skill" else ""
            console.print(f"  {m.requirement:<11} {escape(m.title)}{you}")
            console.print(f"  [dim]{'':<11} \"{escape(m.evidence[:110])}\"[/]")
    extra = []
    if result.years is not None:
        extra.append(f"{result.years}+ years of experience")
    if result.degree:
        extra.append(f"a {result.degree} degree")
    if extra:
        console.print("Also asks for " + " and ".join(extra) + ".")
    gaps = [r["skill"] for r in status if r["gap"] and r["requirement"] == "required"]
    if gaps:
        console.print(f"Required skills you have not verified yet: {', '.join(gaps)}")
    if result.possible:
        console.print("Possible (not counted): " + ", ".join(
            f"{p['word']} ({p['maybe']}?)" for p in result.possible))
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
    from deepcareer.career.plan import study_plan
    from deepcareer.mentor.goals import get_goal

    with store_for(home) as store:
        chosen = _role_or_goal(store, role)
        hours = hours_per_week or get_goal(store).hours_per_week or 6.0
        evidence, passed = _evidence(store)
    plan = study_plan(chosen, evidence, load_catalog(), passed, hours)
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
            console.print(f"  {item.exercise:<24} {item.minutes:>4} min  for {item.for_skill} "
                          f"({item.tier})")
    if plan.uncovered:
        console.print("No exercise covers " + ", ".join(plan.uncovered)
                      + ": see `deepcareer project list` and `deepcareer read`.")


@career_app.command("claim")
def career_claim(
    skill: Annotated[str, typer.Argument(help="Skill id (see `deepcareer skills`).")],
    remove: Annotated[bool, typer.Option("--remove", help="Withdraw the claim.")] = False,
    home: HomeOpt = None,
) -> None:
    """Say you have a skill from elsewhere; it counts 0.2 until your work here shows it.

    Example: deepcareer career claim classic-ml
    """
    from deepcareer.career.evidence import set_claim
    from deepcareer.errors import UsageError

    if skill not in load_catalog().skills:
        raise UsageError(f"{skill!r} is not a skill id; `deepcareer skills` lists them.")
    with store_for(home) as store:
        now = set_claim(store, skill, remove=remove)
    from deepcareer.cli.render import console

    console.print(f"Self-reported skills: {', '.join(now) or 'none'}")
