"""A report for a human mentor or a study group: Markdown or self-contained HTML.

Everything measurable comes from the store; the questions to discuss are drawn from what
stands out (recurring mistakes, weak skills, the goal), so the conversation starts where
it helps most.
"""

from __future__ import annotations

import base64
import html
from datetime import datetime
from pathlib import Path
from typing import Any

from deepcareer.career.evidence import skill_evidence, verified_exercises
from deepcareer.curriculum.catalog import Catalog
from deepcareer.mentor.goals import week_summary
from deepcareer.mentor.insights import (
    area_mastery,
    mastery_history,
    plot_mastery,
    recurring_misconceptions,
    strengths_and_weaknesses,
)
from deepcareer.mentor.mastery import mastery
from deepcareer.mentor.progress import exercise_progress
from deepcareer.store.learner import LearnerRecord


def report_data(store: LearnerRecord, catalog: Catalog) -> dict[str, Any]:
    skills = mastery(store, catalog)
    progress = exercise_progress(store, catalog)
    week = week_summary(store)
    insights = strengths_and_weaknesses(store, catalog, skills)
    evidence = skill_evidence(store, catalog, progress)  # the work behind each figure
    recurring = recurring_misconceptions(store, catalog)
    verified = verified_exercises(store, catalog)
    return {
        "generated_at": store.clock().isoformat(timespec="minutes"),
        "exercises_passed": sum(p.state == "passed" for p in progress),
        "exercises_total": len(progress),
        "skills_mastered": sum(m.mastered for m in skills.values()),
        "skills_total": len(skills),
        "week": week,
        "areas": {a: round(v, 3) for a, v in area_mastery(skills, catalog).items()},
        "mastery": [m.to_dict() | {"title": catalog.skills[m.skill].title,
                                   "level": evidence[m.skill].level,
                                   "sources": evidence[m.skill].sources}
                    for m in skills.values() if m.evidence],
        "passed": [p.id for p in progress if p.state == "passed"],
        "verified": sorted(i.ref for i in verified),
        "passed_without_isolation": sorted(i.ref for i in verified if i.unisolated),
        "in_progress": [p.id for p in progress if p.state == "attempted"],
        "recurring": [{"misconception": r.misconception, "title": r.title, "count": r.count,
                       "exercises": r.exercises} for r in recurring],
        "insights": insights,
        "projects": _projects(store),
        "questions": _questions(week, recurring, insights),
    }


def _projects(store: LearnerRecord) -> list[dict[str, Any]]:
    """Per project: the latest own run (a passing one if any), with its figure and whether
    a re-run reproduced it."""
    from deepcareer.projects.runs import best_runs

    latest = best_runs(store)
    return [{"project": pid, "run": r["id"], "status": r["status"], "metric": r["metric"],
             "verified": r["verified_by"] is not None,
             "isolation": r.get("isolation", "guard")} for pid, r in sorted(latest.items())]


def _unisolated_note(data: dict[str, Any]) -> str:
    """How many passes are verified work (the rest came after the solution or the last
    hint, were resubmitted, imported or our code), and the label for passes graded behind
    the in-process guard only (no OS sandbox)."""
    verified = data.get("verified")
    note = (f", {len(verified)} verified (your own code, before the solution and the last "
            "hint)" if verified is not None else "")
    weaker = data.get("passed_without_isolation") or []
    return note + (f" ({len(weaker)} of them graded without OS isolation: "
                   f"{', '.join(weaker)})" if weaker else "")


def _project_lines(projects: list[dict[str, Any]]) -> list[str]:
    out = []
    for p in projects:
        figure = f", {p['metric']:.4g}" if p["metric"] is not None else ""
        proof = "reproduced by a re-run" if p["verified"] else "not yet reproduced"
        if p.get("isolation", "os") != "os":
            proof += ", graded without OS isolation"
        out.append(f"{p['project']}: run #{p['run']} {p['status']}{figure} ({proof})")
    return out or ["none yet: `deepcareer project list` shows where to start"]


def _questions(week: dict[str, Any], recurring: list[Any], insights: dict[str, Any]
               ) -> list[str]:
    qs = [f"I keep making the mistake \"{r.title}\" (in {', '.join(r.exercises)}). Can we go "
          "through why it is tempting and how to spot it?" for r in recurring[:2]]
    qs += [f"{w.split(':')[0]} is my weakest area so far. What would you practise first?"
           for w in insights["weaknesses"][:1]]
    goal = week["goal"]
    if goal.get("role") or goal.get("target_date"):
        aim = " ".join(x for x in (goal.get("role"), f"by {goal['target_date']}"
                                   if goal.get("target_date") else None) if x)
        qs.append(f"I aim for {aim} with {goal.get('hours_per_week') or 'unplanned'} hours a "
                  "week. Is that realistic, and what would you change in my plan?")
    qs.append("Which project would show these skills best to an employer?")
    return qs


def to_markdown(data: dict[str, Any], plot: str | None = None) -> str:
    w = data["week"]
    lines = [
        "# Learning report",
        "",
        f"Generated {data['generated_at']} by deepcareer from checked work (every figure "
        "comes from automated checks).",
        "",
        "## Progress",
        "",
        f"- Exercises passed: {data['exercises_passed']} of {data['exercises_total']}"
        + _unisolated_note(data),
        f"- Skills mastered (P(known) >= 95 %): {data['skills_mastered']} of "
        f"{data['skills_total']}",
        f"- This week: {w['hours_this_week']} h"
        + (f" of a {w['goal']['hours_per_week']} h goal" if w["goal"].get("hours_per_week")
           else "") + f"; streak {w['streak_days']} days; {w['hours_total']} h in total",
        "",
        "## Mastery per area",
        "",
        "| area | mean P(known) |",
        "| --- | --- |",
        *[f"| {a} | {v:.0%} |" for a, v in sorted(data["areas"].items())],
    ]
    if plot:
        lines += ["", f"![Mean mastery per area over time]({plot})"]
    lines += ["", "## Skills with evidence", "", "| skill | P(known) | clean / evidence |",
              "| --- | --- | --- |"]
    lines += [f"| {m['title']} | {m['p']:.0%}{' (mastered)' if m['mastered'] else ''} | "
              f"{m['correct']} / {m['evidence']} |" for m in data["mastery"]] or ["| - | - | - |"]
    for title, key in (("Strengths", "strengths"), ("Weaknesses", "weaknesses"),
                       ("Recurring mistakes", "recurring_mistakes")):
        items = data["insights"][key]
        lines += ["", f"## {title}", ""] + ([f"- {i}" for i in items] or ["- none yet"])
    lines += ["", "## Projects", ""] + [f"- {line}" for line in
                                        _project_lines(data["projects"])]
    lines += ["", "## Questions to discuss", ""] + [f"{n}. {q}" for n, q in
                                                    enumerate(data["questions"], 1)]
    return "\n".join(lines) + "\n"


def to_html(data: dict[str, Any], plot_png: bytes | None = None) -> str:
    """One self-contained page: inline CSS, the plot embedded, no scripts, no fonts."""
    e = html.escape
    w = data["week"]
    rows = "".join(f"<tr><td>{e(a)}</td><td>{v:.0%}</td></tr>"
                   for a, v in sorted(data["areas"].items()))
    skill_rows = "".join(
        f"<tr><td>{e(m['title'])}</td><td>{m['p']:.0%}{' (mastered)' if m['mastered'] else ''}"
        f"</td><td>{m['correct']} / {m['evidence']}</td></tr>" for m in data["mastery"])

    def items(key: str) -> str:
        values = data["insights"][key]
        return "".join(f"<li>{e(v)}</li>" for v in values) or "<li>none yet</li>"

    img = ""
    if plot_png:
        src = "data:image/png;base64," + base64.b64encode(plot_png).decode()
        img = (f'<figure><img src="{src}" alt="Line chart of mean mastery per skill area '
               'over time" width="800" height="450"><figcaption>Mean P(known) per area, '
               "by day; the dashed line is mastery.</figcaption></figure>")
    goal = (f" of a {w['goal']['hours_per_week']} h goal" if w["goal"].get("hours_per_week")
            else "")
    questions = "".join(f"<li>{e(q)}</li>" for q in data["questions"])
    projects = "".join(f"<li>{e(line)}</li>" for line in _project_lines(data["projects"]))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Learning report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; background: #fff; line-height: 1.5; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #999; padding: .25rem .6rem; }}
img {{ max-width: 100%; height: auto; }}
@media (prefers-color-scheme: dark) {{ body {{ color: #eee; background: #161616; }} }}
</style>
</head>
<body>
<h1>Learning report</h1>
<p>Generated {e(data['generated_at'])} by deepcareer from checked work.</p>
<h2>Progress</h2>
<ul><li>Exercises passed: {data['exercises_passed']} of {data['exercises_total']}
{e(_unisolated_note(data))}</li>
<li>Skills mastered: {data['skills_mastered']} of {data['skills_total']}</li>
<li>This week: {w['hours_this_week']} h{goal}; streak {w['streak_days']} days;
{w['hours_total']} h in total</li></ul>
<h2>Mastery per area</h2>
<table><thead><tr><th>area</th><th>mean P(known)</th></tr></thead><tbody>{rows}</tbody></table>
{img}
<h2>Skills with evidence</h2>
<table><thead><tr><th>skill</th><th>P(known)</th><th>clean / evidence</th></tr></thead>
<tbody>{skill_rows}</tbody></table>
<h2>Strengths</h2><ul>{items('strengths')}</ul>
<h2>Weaknesses</h2><ul>{items('weaknesses')}</ul>
<h2>Recurring mistakes</h2><ul>{items('recurring_mistakes')}</ul>
<h2>Projects</h2><ul>{projects}</ul>
<h2>Questions to discuss</h2><ol>{questions}</ol>
</body>
</html>
"""


def write_report(store: LearnerRecord, catalog: Catalog, out: Path, fmt: str) -> Path:
    """Write the report (and, for Markdown, the plot next to it); returns the path."""
    data = report_data(store, catalog)
    out.parent.mkdir(parents=True, exist_ok=True)
    history = mastery_history(store, catalog)
    if fmt == "html":
        tmp_png = out.with_suffix(".plot.png")
        plot_mastery(history, tmp_png)
        png = tmp_png.read_bytes()
        tmp_png.unlink()
        out.write_text(to_html(data, png), encoding="utf-8")
    else:
        png_path = out.with_suffix(".png")
        plot_mastery(history, png_path)
        out.write_text(to_markdown(data, png_path.name), encoding="utf-8")
    return out


def default_report_path(home: Path, fmt: str, now: datetime) -> Path:
    return home / "reports" / f"report-{now:%Y-%m-%d}.{'html' if fmt == 'html' else 'md'}"
