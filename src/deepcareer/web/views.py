"""What each page shows, as plain dicts for the templates (no web types here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deepcareer.curriculum.catalog import Catalog, Exercise
from deepcareer.grading.report import Report
from deepcareer.store.db import Store

_DASHBOARDS: dict[Path, tuple[tuple[Any, ...], dict[str, Any]]] = {}
DASHBOARD_FRESH_S = 60  # due reviews and the week move with the clock, not faster


def data_version(store: Store) -> tuple[Any, ...]:
    """Changes whenever anything the dashboard shows could have changed (a few index
    lookups), so a refresh with nothing new reuses the last page's data."""
    row = store.read(
        "SELECT (SELECT max(id) FROM attempts) AS a, (SELECT max(id) FROM events) AS e, "
        "(SELECT max(id) FROM reviews) AS r, (SELECT max(id) FROM runs) AS u, "
        "(SELECT max(due) FROM cards) AS c, "
        "(SELECT value FROM settings WHERE key = 'goal') AS g")[0]
    minute = int(store.clock().timestamp() // DASHBOARD_FRESH_S)
    return (*row.values(), minute)


def dashboard(store: Store, catalog: Catalog) -> dict[str, Any]:
    version = data_version(store)
    cached = _DASHBOARDS.get(store.home)
    if cached is not None and cached[0] == version:
        return cached[1]
    data = _dashboard(store, catalog)
    _DASHBOARDS[store.home] = (version, data)
    return data


def _dashboard(store: Store, catalog: Catalog) -> dict[str, Any]:
    from deepcareer.mentor.goals import week_summary
    from deepcareer.mentor.insights import area_mastery
    from deepcareer.mentor.mastery import mastery
    from deepcareer.mentor.planner import plan
    from deepcareer.mentor.review import due_count

    skills = mastery(store, catalog)
    areas = sorted(area_mastery(skills, catalog).items())
    recent = store.read("SELECT exercise_id, status, created_at FROM attempts "
                        "ORDER BY id DESC LIMIT 8")
    return {"step": plan(store, catalog), "due": due_count(store),
            "week": week_summary(store), "areas": areas, "recent": recent,
            "mastered": sum(m.mastered for m in skills.values()), "skills": len(skills)}


def skill_map(store: Store, catalog: Catalog) -> dict[str, Any]:
    """Skills laid out in layers by prerequisite depth, as boxes and arrows of an SVG."""
    from deepcareer.mentor.mastery import mastery

    skills = mastery(store, catalog)
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
    from deepcareer.home import exercise_file
    from deepcareer.mentor.mastery import mastery

    path = exercise_file(store.home, ex.id)
    if code is None:
        code = path.read_text(encoding="utf-8") if path.exists() else ex.starter
    skills = mastery(store, catalog)
    attempts = store.read("SELECT count(*) AS n FROM attempts WHERE exercise_id = ? AND "
                          "status != 'not_attempted'", (ex.id,))[0]["n"]
    return {"ex": ex, "readme": _readme_html(ex.readme_path, md),
            "code": code, "report": report,
            "mastery": [(catalog.skills[s].title, skills[s].p) for s in ex.meta.skills
                        if s in skills],
            "attempts": attempts}


_READMES: dict[tuple[Path, int], str] = {}


def _readme_html(path: Path, md: Any) -> str:
    """Rendered once per file version (content rarely changes while the app runs)."""
    key = (path, path.stat().st_mtime_ns)
    if key not in _READMES:
        _READMES[key] = str(md.render(path.read_text(encoding="utf-8")))
    return _READMES[key]


def check(store: Store, ex: Exercise, code: str) -> Report:
    """Save the code to the learner's file (so the CLI sees it) and grade it; code that is
    too large or not Unicode text is refused before anything is written."""
    from deepcareer import practice
    from deepcareer.home import exercise_file
    from deepcareer.limits import check_code

    check_code(code)
    path = exercise_file(store.home, ex.id)
    if not path.exists():
        practice.start(store, ex.id)
    from deepcareer.atomic import write_text_atomic

    write_text_atomic(path, code)  # a unique temp name: concurrent checks cannot collide
    return practice.check_source(store, ex, code, filename=path.name)


def projects(store: Store) -> dict[str, Any]:
    from deepcareer.projects.runs import runs_of
    from deepcareer.projects.spec import load_projects

    rows = []
    for pid, p in load_projects().items():
        # The learner's own runs: a run of our reference or an imported one is not theirs.
        own = [r for r in runs_of(store, pid) if r.reproduces is None
               and r.origin == "learner"]
        rows.append({"id": pid, "title": p.spec.title, "level": p.spec.level,
                     "track": p.spec.track, "runs": len(own),
                     "last": own[-1] if own else None})
    return {"projects": rows}


def project(store: Store, project_id: str) -> dict[str, Any]:
    from deepcareer.projects.report import fmt, report_dir
    from deepcareer.projects.runs import runs_of
    from deepcareer.projects.spec import get_project

    p = get_project(project_id)
    runs = runs_of(store, project_id)
    folder = report_dir(store.home, project_id)
    return {"p": p, "runs": list(reversed(runs)), "fmt": fmt,
            "plots": [n for n in ("learning_curves.png", "confusion.png")
                      if (folder / n).exists()],
            "readme": _md_html(p.readme.read_text(encoding="utf-8"))}


def _md_html(text: str) -> str:
    from deepcareer.web.app import _markdown

    return str(_markdown().render(text))


def career(store: Store, catalog: Catalog, role: str | None) -> dict[str, Any]:
    from deepcareer.career.evidence import skill_evidence
    from deepcareer.career.plan import study_plan
    from deepcareer.career.readiness import readiness
    from deepcareer.career.roles import ONET_ATTRIBUTION, get_role, load_roles
    from deepcareer.mentor.goals import get_goal
    from deepcareer.mentor.progress import exercise_progress

    roles = load_roles()
    name = role or get_goal(store).role
    chosen = get_role(name) if name else next(iter(roles.values()))
    progress = exercise_progress(store, catalog)
    passed = {p.id for p in progress if p.state == "passed"}
    evidence = skill_evidence(store, catalog, progress)
    hours = get_goal(store).hours_per_week or 6.0
    return {"roles": roles, "role": chosen,
            "readiness": readiness(chosen, evidence, catalog, passed),
            "plan": study_plan(chosen, evidence, catalog, passed, hours),
            "attribution": ONET_ATTRIBUTION}


def analyze(store: Store, catalog: Catalog, posting: str) -> dict[str, Any]:
    from deepcareer.career.evidence import skill_evidence
    from deepcareer.career.postings import analyze as run
    from deepcareer.career.postings import status_against
    from deepcareer.errors import UsageError

    try:
        result = run(posting)
    except UsageError as exc:
        return {"analysis": None, "analysis_error": exc.message, "posting": posting}
    return {"analysis": result, "status": status_against(result, skill_evidence(store, catalog)),
            "posting": posting, "analysis_error": None}
