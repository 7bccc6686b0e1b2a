"""What each page shows, as plain dicts for the templates (no web types here).

Every figure comes from the application layer (``deepcareer.app``); what is left here is
layout: the skill map's boxes and arrows, rendered Markdown.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from deepcareer.curriculum.catalog import Catalog, Exercise
    from deepcareer.grading.report import Report
    from deepcareer.store.db import Store


def dashboard(store: Store, catalog: Catalog) -> dict[str, Any]:
    from deepcareer.app.progress import dashboard as data

    return data(store, catalog)


def skill_map(store: Store, catalog: Catalog) -> dict[str, Any]:
    """Skills laid out in layers by prerequisite depth, as boxes and arrows of an SVG."""
    from deepcareer.app.progress import mastery_of

    skills = mastery_of(store, catalog)
    depth: dict[str, int] = {}

    def level(sid: str) -> int:
        if sid not in depth:
            pre = [p for p in catalog.skills[sid].prerequisites if p in catalog.skills]
            depth[sid] = 1 + max((level(p) for p in pre), default=-1)
        return depth[sid]

    layers: dict[int, list[str]] = {}
    for sid in catalog.skills:
        layers.setdefault(level(sid), []).append(sid)
    box_w, box_h, gap_x, gap_y = 150, 40, 20, 60
    pos: dict[str, tuple[int, int]] = {}
    for d, ids in sorted(layers.items()):
        for i, sid in enumerate(ids):
            pos[sid] = (10 + i * (box_w + gap_x), 10 + d * (box_h + gap_y))
    nodes = [{"id": sid, "title": catalog.skills[sid].title, "x": x, "y": y, "w": box_w,
              "h": box_h, "p": skills[sid].p, "mastered": skills[sid].mastered,
              "verified": skills[sid].verified,
              "exercises": [ex.id for ex in catalog if sid in ex.meta.skills]}
             for sid, (x, y) in pos.items()]
    edges = [{"x1": pos[p][0] + box_w / 2, "y1": pos[p][1] + box_h,
              "x2": pos[sid][0] + box_w / 2, "y2": pos[sid][1]}
             for sid in catalog.skills for p in catalog.skills[sid].prerequisites if p in pos]
    width = max(x for x, _ in pos.values()) + box_w + 20
    height = max(y for _, y in pos.values()) + box_h + 20
    return {"nodes": nodes, "edges": edges, "width": width, "height": height}


def exercise(store: Store, catalog: Catalog, ex: Exercise, md: Any, code: str | None = None,
             report: Report | None = None) -> dict[str, Any]:
    from deepcareer.app.practice import exercise_page

    page = exercise_page(store, catalog, ex, code)
    return {"ex": ex, "readme": readme_html(ex.readme_path, md), "code": page.code,
            "report": report, "mastery": page.mastery, "attempts": page.attempts,
            "passed": page.passed}


_READMES: dict[tuple[Path, int], str] = {}


def readme_html(path: Path, md: Any) -> str:
    """Rendered once per file version (content rarely changes while the app runs)."""
    key = (path, path.stat().st_mtime_ns)
    if key not in _READMES:
        _READMES[key] = str(md.render(path.read_text(encoding="utf-8")))
    return _READMES[key]


def projects(store: Store) -> dict[str, Any]:
    from deepcareer.app.projects import project_rows

    return {"projects": project_rows(store)}


def project(store: Store, project_id: str) -> dict[str, Any]:
    from deepcareer.app.projects import format_metric, project_detail

    d = project_detail(store, project_id)
    return {"p": d.project, "runs": d.runs, "best": d.best, "verified": d.verified,
            "tries": d.tries, "fmt": format_metric, "plots": d.plots,
            "readme": _md_html(d.readme)}


@cache
def markdown() -> Any:
    """CommonMark with tables, raw HTML off (content is ours, but a page never trusts it)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _md_html(text: str) -> str:
    return str(markdown().render(text))


def career(store: Store, catalog: Catalog, role: str | None) -> dict[str, Any]:
    """The role asked for, else the goal's; with neither, the page asks which role
    (it never silently picks one). An unknown role is a UsageError the page shows."""
    from deepcareer.app.career import attribution, readiness_and_plan, roles
    from deepcareer.app.progress import goal

    goal_role = goal(store).role
    context: dict[str, Any] = {"roles": roles(), "attribution": attribution(),
                               "goal_role": goal_role}
    if not role and not goal_role:
        return {**context, "role": None, "readiness": None, "plan": None, "pay": []}
    found, plan = readiness_and_plan(store, catalog, role)
    return {**context, "role": found.role, "readiness": found.readiness, "plan": plan,
            "pay": [p.describe() for p in found.pay]}


def analyze(store: Store, catalog: Catalog, posting: str) -> dict[str, Any]:
    from deepcareer.app.career import read_posting
    from deepcareer.errors import UsageError

    try:
        reading = read_posting(store, catalog, posting)
    except UsageError as exc:
        return {"analysis": None, "reading": None, "analysis_error": exc.message,
                "posting": posting}
    return {"analysis": reading.analysis, "reading": reading, "status": reading.status,
            "posting": posting, "analysis_error": None}
