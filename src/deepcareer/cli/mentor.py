"""The mentor's commands: progress, goal, report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deepcareer.cli.common import HomeOpt, JsonOpt, load_catalog, print_json, store_for


def progress(
    plot: Annotated[bool, typer.Option("--plot", help="Also save a PNG of mastery over "
                                       "time (in <home>/reports).")] = False,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Show what you have done: the week against your goal, your streak, mastery per area
    and per skill, and what stands out.

    Mastery is the probability that you know a skill, by Bayesian knowledge tracing over
    everything you did (verified passes raise it; mistakes, the last hint and viewed
    solutions lower it; a quiz answer counts half; resubmitted code, imported history and
    our reference count nothing); 95 % counts as mastered, and a skill without verified
    work (your own code passing its exercise, or a reproduced project run) stays below 90 %.

    Examples: deepcareer progress; deepcareer progress --plot; deepcareer progress --json
    """
    from deepcareer.app.progress import MASTERED, summary

    with store_for(home) as store:
        p = summary(store, load_catalog(), plot=plot)
    if json:
        print_json(p.to_dict())
        return
    from rich.markup import escape
    from rich.progress_bar import ProgressBar
    from rich.table import Table

    from deepcareer.cli.render import console
    from deepcareer.words import plural

    rows, skills, evidence, week = p.exercises, p.skills, p.evidence, p.week
    console.print(f"[bold]{p.passed} of {len(rows)}[/] exercises passed; [bold]{p.mastered} of "
                  f"{len(skills)}[/] skills mastered (P >= {MASTERED:.0%}).")
    goal = week["goal"]
    target = f" of your {goal['hours_per_week']:g} h goal" if goal.get("hours_per_week") else \
        " (set a weekly goal: deepcareer goal --hours 6)"
    console.print(f"This week: [bold]{week['hours_this_week']:.1f} h[/]{target}. Streak: "
                  f"[bold]{plural(week['streak_days'], 'day')}[/]. In total: "
                  f"{week['hours_total']:.1f} h over {plural(week['active_days'], 'day')}.")
    if "days_to_target" in week:
        console.print(f"{plural(week['days_to_target'], 'day')} to your target date "
                      f"{goal['target_date']}"
                      + (f" ({escape(goal['role'])})" if goal.get("role") else "") + ".")
    areas_table = Table(title="Mastery per area", box=None)
    areas_table.add_column("area")
    areas_table.add_column("mean P(known)", width=24)
    areas_table.add_column("")
    for area, value in sorted(p.areas.items()):
        areas_table.add_row(area, ProgressBar(total=1.0, completed=value, width=20),
                            f"{value:.0%}")
    console.print(areas_table)
    table = Table(title="Skills with evidence", box=None)
    table.add_column("skill")
    table.add_column("P(known)", width=24)
    table.add_column("")
    table.add_column("clean / evidence", justify="right")
    table.add_column("evidence level")
    for sid, m in skills.items():
        if m.evidence or evidence[sid].level != "none":
            mark = " [green]mastered[/]" if m.mastered else (
                "" if m.verified else " [dim](no verified work yet)[/]")
            table.add_row(p.titles.get(sid, sid), ProgressBar(total=1.0, completed=m.p, width=20),
                          f"{m.p:.0%}{mark}", f"{m.correct}/{m.evidence}",
                          evidence[sid].level)
    if table.rows:
        console.print(table)
    for title, key in (("Strengths", "strengths"), ("Worth another look", "weaknesses"),
                       ("Recurring mistakes", "recurring_mistakes")):
        if p.insights[key]:
            console.print(f"[bold]{title}[/]")
            for line in p.insights[key]:
                console.print(f"  - {escape(line)}")
    if p.plot:
        console.print(f"Plot saved to {p.plot}")


def goal(
    hours: Annotated[float | None, typer.Option("--hours", help="Hours a week you plan to "
                                                "study.")] = None,
    role: Annotated[str | None, typer.Option("--role", help="The role you aim for, e.g. "
                                             "'NLP engineer'.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Target date, YYYY-MM-DD.")] = None,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Set or show your goal: weekly hours, a target role, a target date.

    `deepcareer progress` then shows the week against it.

    Examples: deepcareer goal --hours 6 --role "data scientist" --by 2027-06-30; deepcareer goal
    """
    from deepcareer.app.progress import goal as set_or_get

    with store_for(home) as store:
        current = set_or_get(store, hours=hours, role=role, by=by)
    if json:
        print_json(current.to_dict())
        return
    from rich.markup import escape

    from deepcareer.cli.render import console

    if current == type(current)():
        console.print("No goal yet. Example: deepcareer goal --hours 6 --role 'data "
                      "scientist' --by 2027-06-30")
        return
    parts = []
    if current.hours_per_week:
        parts.append(f"{current.hours_per_week:g} h a week")
    if current.role:
        parts.append(f"aiming for {escape(current.role)}")
    if current.target_date:
        parts.append(f"by {current.target_date}")
    console.print("Goal: " + ", ".join(parts) + ".")


def report(
    fmt: Annotated[str, typer.Option("--format", help="md or html.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", help="Where to write it (default: "
                                             "<home>/reports/report-DATE.md|html).")] = None,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Write a report for a mentor or a study group: progress, mastery, recurring mistakes,
    projects and questions to discuss. The HTML page is self-contained (plot included).

    Examples: deepcareer report; deepcareer report --format html --out report.html
    """
    from deepcareer.app.progress import report_data, write_report

    catalog = load_catalog()
    with store_for(home) as store:
        if json:
            print_json(report_data(store, catalog))
            return
        path = write_report(store, catalog, fmt, out)
    from deepcareer.cli.render import console

    console.print(f"Report written to {path}")
