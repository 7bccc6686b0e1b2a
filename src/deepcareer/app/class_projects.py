"""Projects on the class server: a learner's project file trained, evaluated and verified by
a worker, with seeds the server draws.

A project submission is graded as a verified local run is: trained in the project sandbox
on the split the learner's code cannot reach, evaluated with every leakage and trust check,
and, when it passes, trained once more with a second seed the server draws. It passes only
when that one re-run lands within the project's tolerance: the server chooses both seeds,
so there is nothing to shop for, and every submission is counted beside the verified one
(:func:`tries_sentence`). The runs happen in the worker's own home (its dataset caches and
the secret seed of generated held-out rows), which no sandbox mounts and no learner sees.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deepcareer.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from deepcareer.projects.runs import RunResult
    from deepcareer.projects.spec import Project

#: Where a worker keeps the home its project runs use (default: ``class-worker`` in the
#: worker user's deepcareer folder).
WORKER_HOME_ENV = "DEEPCAREER_WORKER_HOME"
#: Beyond two runs within the budget: the data, the baselines' first computation and the
#: replays, before the sweeper hands the submission to another worker.
MARGIN_S = 300.0


def assignable(project_id: str) -> Project:
    """The project, when a class server can grade it: every built-in one except the
    capstone, which trains on the learner's own data (it stays on their machine)."""
    from deepcareer.projects.spec import get_project

    project = get_project(project_id)  # UsageError naming the projects
    if not _on_server(project):
        raise UsageError("The capstone trains on each learner's own data, which stays on "
                         "their machine: it is verified there (`deepcareer project verify "
                         "capstone`), not assigned on the class server.")
    return project


def assignable_projects() -> list[Project]:
    """Every project a class server can grade, easiest first."""
    from deepcareer.projects.spec import load_projects

    return [p for p in load_projects().values() if _on_server(p)]


def _on_server(project: Project) -> bool:
    """Whether a server can train it: not on the learner's own data (the capstone's)."""
    return project.spec.dataset.name != "capstone"


def allowed_seconds(project: Project) -> float:
    """How long a worker may hold one submission: two runs within the budget, and more."""
    return 2.0 * project.spec.time_budget_s + MARGIN_S


def longest_allowed() -> float:
    """The most any assignable project may take (a worker's time limit for the queue)."""
    return max(allowed_seconds(p) for p in assignable_projects())


def is_project(item_id: str) -> bool:
    """Whether ``item_id`` names a built-in project (not an exercise)."""
    from deepcareer.projects.spec import load_projects

    return item_id in load_projects()


def learner_source(home: Path, project_id: str, file: Path | None = None) -> str:
    """The learner's project file to send (``--file``, else the workspace's)."""
    from deepcareer.app.projects import read_project_source
    from deepcareer.projects.runs import learner_file

    project = assignable(project_id)
    return read_project_source(file or learner_file(home, project.id), project.id)


def summary_lines(report: dict[str, Any], tries: str = "") -> list[str]:
    """A project submission's report for the terminal, a line each."""
    verdict = {"pass": "VERIFIED", "leak": "LEAK", "error": "ERROR",
               "timeout": "TIMEOUT"}.get(str(report.get("status")), "NOT PASSED")
    lines = [f"{verdict}  {report.get('title', report.get('exercise', ''))}",
             str(report.get("message", ""))]
    if report.get("metric_text"):
        again = (f", then {report['rerun_text']} with the second seed"
                 if report.get("rerun_text") else "")
        lines.append(f"{str(report.get('metric_name', '')).replace('_', ' ')}: "
                     f"{report['metric_text']}{again} (the bar: "
                     f"{report.get('threshold_text', '-')})")
    lines += [f"{c.get('severity')}: {c.get('message')}" for c in report.get("found") or []
              if c.get("severity") != "advice"]
    if tries:
        lines.append(tries)
    return lines


def worker_home() -> Path:
    from deepcareer.home import resolve_home

    env = os.environ.get(WORKER_HOME_ENV)
    return Path(env).expanduser().resolve() if env else resolve_home() / "class-worker"


def grade_project(project_id: str, code: str, home: Path | None = None) -> dict[str, Any]:
    """Run ``code`` as ``project_id``'s solution and, when it passes, once more with a new
    seed; the report the submission keeps. ``status`` is ``pass`` only when verified."""
    from deepcareer.app.session import open_home
    from deepcareer.projects.runs import draw_seed, run_project, verify

    project = assignable(project_id)
    if code == project.reference.read_text(encoding="utf-8"):  # as career.evidence judges
        return {"kind": "project", "exercise": project.id, "title": project.spec.title,
                "status": "fail", "verified": False, "checks": [], "findings": [],
                "found": [], "seeds": [], "experiments": [], "baselines": {},
                "metric_name": project.spec.metric, "metric": None, "metric_text": "-",
                "threshold_text": "", "message": (
                    "This is deepcareer's own reference solution, unchanged: it shows "
                    "nothing about you, so the server did not train it. Submit your own.")}
    store = open_home(home or worker_home())
    try:
        first = run_project(store, project, code, seed=draw_seed())
        rerun: RunResult | None = None
        verified = False
        if first.passed and first.id is not None:
            _, rerun, verified = verify(store, project, first.id)
        return _report(project, first, rerun, verified)
    finally:
        store.close()


def _report(project: Project, first: RunResult, rerun: RunResult | None,
            verified: bool) -> dict[str, Any]:
    from deepcareer.projects.report import fmt

    spec = project.spec
    metric = spec.metric
    if verified and rerun is not None:
        status = "pass"
        message = (f"Verified: trained twice with seeds the server drew, your code scored "
                   f"{fmt(metric, first.metric)} and then {fmt(metric, rerun.metric)} "
                   f"(within the tolerance of {spec.tolerance:g}).")
    elif rerun is not None:
        status = "fail"
        message = (f"Passed once ({fmt(metric, first.metric)}), but the second run with "
                   f"a seed the server drew ended {rerun.status} "
                   f"({fmt(metric, rerun.metric)}; tolerance {spec.tolerance:g}): "
                   f"{rerun.message or 'the result depends on the seed.'} Make the result "
                   "hold for any seed and submit again.")
    else:
        status = first.status if first.status in ("leak", "error", "timeout") else "fail"
        message = first.message or f"Not passed: {fmt(metric, first.metric)}."
    return {
        "kind": "project", "exercise": project.id, "title": spec.title, "status": status,
        "verified": verified, "passed": first.passed, "message": message, "metric_name": metric,
        "metric": first.metric, "metric_text": fmt(metric, first.metric),
        "rerun_metric": rerun.metric if rerun else None,
        "rerun_text": fmt(metric, rerun.metric) if rerun else None,
        "threshold": spec.threshold, "threshold_text": fmt(metric, spec.threshold),
        "tolerance": spec.tolerance, "baselines": {k: float(v) for k, v in
                                                   first.baselines.items()},
        "seeds": [first.seed, *([rerun.seed] if rerun else [])],
        "experiments": [{"name": e.name, "status": e.status, "metric": e.metric,
                         "metric_text": fmt(metric, e.metric)} for e in first.experiments],
        # What the run's checks found (leaks, refusals, advice), each with its sentence.
        "found": [{"check": str(c.get("check", "")), "severity": str(c.get("severity", "")),
                   "experiment": c.get("experiment"), "message": str(c.get("message", ""))}
                  for c in first.checks],
        "checks": [],
        "findings": [], "isolation": first.isolation,
        "duration_s": first.duration_s + (rerun.duration_s if rerun else 0.0),
    }


def tries(engine: Engine, user_id: int, project_id: str) -> str:
    """The tries behind one learner's project result, as a sentence."""
    from deepcareer.store.pg.submissions import statuses_of

    return tries_sentence(statuses_of(engine, user_id, project_id, "project"))


def tries_sentence(statuses: list[str]) -> str:
    """Every submission of one project by one learner, oldest first, as one sentence:
    a verified result is never shown without the tries behind it."""
    if not statuses:
        return ""
    n = len(statuses)
    passed = [i for i, s in enumerate(statuses) if s == "pass"]
    head = (f"Verified on submission {passed[0] + 1} of {n}" if passed
            else f"{n} submission{'s' if n != 1 else ''}, none verified yet")
    return f"{head}; {len(passed)} of {n} verified."
