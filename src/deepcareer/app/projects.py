"""Projects as use cases: the list, one project's page, new, run, verify and report.

Which run represents a project is decided once (:func:`deepcareer.projects.runs.
representative`): the list, the page, the report and the portfolio all show that run,
and every figure comes with the tries behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deepcareer.errors import UsageError

if TYPE_CHECKING:
    from deepcareer.projects.runner import Progress
    from deepcareer.projects.runs import RunResult, Tries
    from deepcareer.projects.spec import Project
    from deepcareer.store.db import Store


def format_metric(metric: str, value: float | None) -> str:
    """A metric as people read it (accuracy in %, bits per character to 3 places)."""
    from deepcareer.projects.report import fmt

    return fmt(metric, value)


def status_words(status: str) -> str:
    from deepcareer.projects.report import STATUS_WORDS

    return STATUS_WORDS.get(status, status)


def goal_text(project: Project) -> str:
    """The bar in words: "beat the logistic baseline" or ">= 96.0 %"."""
    op = ">=" if project.spec.higher_is_better else "<="
    bar = f"{op} {format_metric(project.spec.metric, project.spec.threshold)}"
    return f"beat {project.spec.beat_baseline}" if project.spec.beat_baseline else bar


@dataclass(frozen=True)
class ProjectRow:
    id: str
    title: str
    level: int
    track: str
    skills: list[str]
    minutes: int
    goal: str
    status: str  # new, or the status of the representative run
    verified: bool
    runs: int  # the learner's own runs
    metric: float | None
    metric_text: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "level": self.level,
                "track": self.track, "skills": self.skills, "minutes": self.minutes,
                "goal": self.goal, "status": self.status, "verified": self.verified,
                "runs": self.runs, "metric": self.metric}


def project_rows(store: Store) -> list[ProjectRow]:
    """Every project, easiest first, with the run that represents it."""
    from deepcareer.career.evidence import run_counts
    from deepcareer.projects.runs import own_runs, representative
    from deepcareer.projects.spec import load_projects

    summaries = store.run_summaries()
    rows = []
    for p in load_projects().values():
        mine = [r for r in summaries if r["project_id"] == p.id]
        best = representative(mine)
        rows.append(ProjectRow(
            p.id, p.spec.title, p.spec.level, p.spec.track, list(p.spec.skills),
            p.spec.minutes, goal_text(p), best["status"] if best else "new",
            bool(best and run_counts(best)), len(own_runs(mine)),
            best["metric"] if best else None,
            format_metric(p.spec.metric, best["metric"]) if best else "-"))
    return rows


@dataclass(frozen=True)
class ProjectDetail:
    """One project's page: the brief, every run newest first, the run that represents
    it, the tries behind it and the plots of its report."""

    project: Project
    runs: list[RunResult]
    best: RunResult | None
    verified: bool
    tries: str
    plots: list[str]
    readme: str


def project_detail(store: Store, project_id: str) -> ProjectDetail:
    from deepcareer.career.evidence import run_counts
    from deepcareer.projects.report import report_dir
    from deepcareer.projects.runs import representative, runs_of, tries_of
    from deepcareer.projects.spec import get_project

    p = get_project(project_id)
    runs = runs_of(store, project_id)
    best = representative(runs)
    verified = bool(best and run_counts(best))
    folder = report_dir(store.home, project_id)
    return ProjectDetail(p, list(reversed(runs)), best, verified,
                         tries_of(store, project_id).text(best.id if best else None, verified),
                         [n for n in ("learning_curves.png", "confusion.png")
                          if (folder / n).exists()],
                         p.readme.read_text(encoding="utf-8"))


def report_file(home: Path, project_id: str, name: str) -> Path | None:
    """A plot of a project's report, only by a known name, only inside its folder."""
    from deepcareer.projects.report import report_dir

    if name not in {"learning_curves.png", "confusion.png", "report.html"}:
        return None
    path = report_dir(home, project_id) / name
    return path if path.is_file() else None


def new(store: Store, project_id: str, *, data: Path | None = None,
        target: str | None = None, force: bool = False) -> tuple[Project, Path]:
    from deepcareer.projects.runs import new_project
    from deepcareer.projects.spec import get_project

    project = get_project(project_id)
    return project, new_project(store.home, project, data=data, target=target, force=force)


def read_project_source(path: Path, project_id: str) -> str:
    """The learner's project file, or a UsageError saying how to start one."""
    if not path.exists():
        raise UsageError(f"There is no file at {path}. Start with `deepcareer project new "
                         f"{project_id}`.")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"Cannot read {path}: {exc}") from exc


def run(store: Store, project_id: str, *, file: Path | None = None, seed: int = 0,
        experiments: list[str] | None = None, budget: float | None = None,
        reference: bool = False, progress: Progress | None = None
        ) -> tuple[Project, RunResult]:
    """Train and evaluate in the sandbox. A run of our reference is stored as such and is
    never the learner's evidence."""
    from deepcareer.projects.runs import learner_file, run_project
    from deepcareer.projects.spec import get_project

    project = get_project(project_id)
    path = project.reference if reference else (file or learner_file(store.home, project.id))
    source = read_project_source(path, project.id)
    result = run_project(store, project, source, seed=seed, budget_s=budget,
                         progress=progress, experiments=experiments or None,
                         origin="reference" if reference else "learner")
    return project, result


@dataclass(frozen=True)
class Verification:
    project: Project
    original: RunResult
    rerun: RunResult | None
    verified: bool
    text: str  # what happened, in a sentence or two
    tries: str  # every try behind it

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.original.id, "rerun": self.rerun.id if self.rerun else None,
                "verified": self.verified, "metric": self.original.metric,
                "rerun_metric": self.rerun.metric if self.rerun else None,
                "rerun_seed": self.rerun.seed if self.rerun else None,
                "tolerance": self.project.spec.tolerance, "text": self.text,
                "tries": self.tries, "reason": None if self.rerun else self.text}


def verify(store: Store, project_id: str, run_id: int | None = None,
           progress: Progress | None = None) -> Verification:
    """Re-run the learner's run once with a seed deepcareer draws. A run that is not the
    learner's own (our reference, an imported one) is refused with the reason, and
    nothing runs: re-running it would prove nothing about them."""
    from deepcareer.career.evidence import not_evidence_run
    from deepcareer.projects.report import verification
    from deepcareer.projects.runs import own_runs, pick_run, runs_of, tries_of
    from deepcareer.projects.runs import verify as rerun
    from deepcareer.projects.spec import get_project

    project = get_project(project_id)
    runs = runs_of(store, project.id)
    mine = own_runs(runs)
    if run_id is None and mine:
        run_id = mine[-1].id  # the latest of the learner's own, not a reference run
    target = pick_run(runs, project.id, run_id)
    why = not_evidence_run(target.origin)
    if why:
        return Verification(project, target, None, False, f"This verifies nothing: {why}",
                            "")
    original, again, ok = rerun(store, project, run_id, progress)
    return Verification(project, original, again, ok, verification(project, original, again),
                        tries_of(store, project.id).text(original.id, ok))


def report(store: Store, project_id: str, run_id: int | None = None
           ) -> tuple[dict[str, Any], dict[str, Path]]:
    """Write the project's report (Markdown and HTML with plots); returns its data and
    the files written."""
    from deepcareer.projects.report import report_data, write_report
    from deepcareer.projects.runs import pick_run, representative, runs_of, tries_of
    from deepcareer.projects.spec import get_project

    project = get_project(project_id)
    runs = runs_of(store, project.id)
    best = representative(runs) if run_id is None else None
    chosen = best or pick_run(runs, project.id, run_id)  # by default, the one shown everywhere
    rerun = next((r for r in runs if r.reproduces == chosen.id), None)
    tries: Tries = tries_of(store, project.id)
    paths = write_report(store.home, project, chosen, rerun, tries)
    return report_data(project, chosen, rerun, tries), paths
