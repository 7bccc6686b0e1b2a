"""What the learner has done and what to do next: progress, the exercise list, the skill
list, the dashboard, the goal and the mentor's report.

Every figure comes from the one evidence model (``career/evidence.py``) and the one
mastery model (``mentor/mastery.py``); the terminal, the browser and the report call the
same functions here, so they cannot disagree about a skill or an exercise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deepcareer.mentor.mastery import MASTERED

__all__ = ["MASTERED", "Progress", "dashboard", "exercise_rows", "goal", "mastery_of",
           "next_step", "report_data", "skill_rows", "summary", "write_report"]

if TYPE_CHECKING:
    from deepcareer.career.evidence import SkillEvidence
    from deepcareer.curriculum.catalog import Catalog
    from deepcareer.mentor.goals import Goal
    from deepcareer.mentor.mastery import SkillMastery
    from deepcareer.mentor.planner import Step
    from deepcareer.mentor.progress import ExerciseProgress
    from deepcareer.store.db import Store
    from deepcareer.store.learner import LearnerRecord


@dataclass(frozen=True)
class ExerciseRow:
    id: str
    title: str
    area: str
    track: str
    difficulty: int
    minutes: int
    skills: list[str]
    prerequisites: list[str]
    state: str  # new | started | attempted | passed
    attempts: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "area": self.area, "track": self.track,
                "difficulty": self.difficulty, "minutes": self.minutes,
                "skills": self.skills, "prerequisites": self.prerequisites,
                "state": self.state, "attempts": self.attempts}


@dataclass(frozen=True)
class SkillRow:
    id: str
    title: str
    exercises: list[str]
    quizzes: list[str]
    record: dict[str, Any]


@dataclass(frozen=True)
class Progress:
    """Everything ``progress`` shows, for every face."""

    exercises: list[ExerciseProgress]
    skills: dict[str, SkillMastery]
    evidence: dict[str, SkillEvidence]
    week: dict[str, Any]
    areas: dict[str, float]
    insights: dict[str, list[str]]
    titles: dict[str, str]
    plot: Path | None = None

    @property
    def passed(self) -> int:
        return sum(r.state == "passed" for r in self.exercises)

    @property
    def mastered(self) -> int:
        return sum(m.mastered for m in self.skills.values())

    def to_dict(self) -> dict[str, Any]:
        return {"skills": {sid: round(m.p, 4) for sid, m in self.skills.items()},
                "mastery": [m.to_dict() | {"title": self.titles.get(m.skill, m.skill),
                                           "level": self.evidence[m.skill].level,
                                           "sources": self.evidence[m.skill].sources}
                            for m in self.skills.values()],
                "areas": {a: round(v, 4) for a, v in self.areas.items()},
                "week": self.week, "insights": self.insights,
                "plot": str(self.plot) if self.plot else None,
                "exercises": [{"id": r.id, "state": r.state, "attempts": r.attempts,
                               "last_status": r.last_status} for r in self.exercises]}


def exercise_rows(store: LearnerRecord, catalog: Catalog) -> list[ExerciseRow]:
    """The curriculum in order, with the learner's state in each exercise."""
    from deepcareer.mentor.progress import exercise_progress

    states = {p.id: p for p in exercise_progress(store, catalog)}
    return [ExerciseRow(ex.id, ex.meta.title, ex.meta.area, ex.meta.track,
                        ex.meta.difficulty, ex.meta.minutes, list(ex.meta.skills),
                        list(ex.meta.prerequisites), states[ex.id].state,
                        states[ex.id].attempts) for ex in catalog]


def skill_rows(catalog: Catalog) -> list[SkillRow]:
    """The skills, with the exercises that verify each and the quizzes that practise it."""
    from deepcareer.curriculum.records import dump
    from deepcareer.mentor.quiz import load_quizzes

    verified: dict[str, list[str]] = {}
    for ex in catalog:
        for s in ex.meta.skills:
            verified.setdefault(s, []).append(ex.id)
    quizzed: dict[str, list[str]] = {}
    for q in load_quizzes().values():
        for s in q.skills:
            quizzed.setdefault(s, []).append(q.id)
    return [SkillRow(s.id, s.title, verified.get(s.id, []), quizzed.get(s.id, []), dump(s))
            for s in catalog.skills.values()]


def summary(store: LearnerRecord, catalog: Catalog, *, plot: bool = False) -> Progress:
    """The week against the goal, mastery per area and per skill, the evidence behind each
    figure, and strengths and weak spots that cite what the learner actually did."""
    from deepcareer.career.evidence import skill_evidence
    from deepcareer.mentor.goals import week_summary
    from deepcareer.mentor.insights import area_mastery, strengths_and_weaknesses
    from deepcareer.mentor.mastery import mastery
    from deepcareer.mentor.progress import exercise_progress

    rows = exercise_progress(store, catalog)
    skills = mastery(store, catalog)
    png = None
    home = getattr(store, "home", None)  # a local store has a home to draw into
    if plot and isinstance(home, Path):
        from deepcareer.mentor.insights import mastery_history, plot_mastery

        png = plot_mastery(mastery_history(store, catalog), home / "reports" / "mastery.png")
    return Progress(rows, skills, skill_evidence(store, catalog, rows), week_summary(store),
                    area_mastery(skills, catalog),
                    strengths_and_weaknesses(store, catalog, skills),
                    {sid: s.title for sid, s in catalog.skills.items()}, png)


def mastery_of(store: LearnerRecord, catalog: Catalog) -> dict[str, SkillMastery]:
    from deepcareer.mentor.mastery import mastery

    return mastery(store, catalog)


def next_step(store: LearnerRecord, catalog: Catalog) -> Step:
    """The mentor's one next step, with its reason and the command that starts it now."""
    from deepcareer.mentor.planner import plan

    return plan(store, catalog)


# --- the dashboard -----------------------------------------------------------------

_DASHBOARDS: dict[Path, tuple[tuple[Any, ...], dict[str, Any]]] = {}
DASHBOARD_FRESH_S = 60  # due reviews and the week move with the clock, not faster


def dashboard(store: Store, catalog: Catalog) -> dict[str, Any]:
    """The dashboard's data; a refresh with nothing new (the store's change stamp and the
    minute are the same) reuses the last one."""
    version = (*store.change_stamp(), int(store.clock().timestamp() // DASHBOARD_FRESH_S))
    cached = _DASHBOARDS.get(store.home)
    if cached is not None and cached[0] == version:
        return cached[1]
    from deepcareer.mentor.goals import week_summary
    from deepcareer.mentor.insights import area_mastery
    from deepcareer.mentor.mastery import mastery
    from deepcareer.mentor.planner import plan
    from deepcareer.mentor.review import due_count

    skills = mastery(store, catalog)
    titles = {ex.id: ex.meta.title for ex in catalog}
    recent = [{**r, "title": titles.get(r["exercise_id"], r["exercise_id"])}
              for r in store.recent_attempts(8)]
    data = {"step": plan(store, catalog), "due": due_count(store),
            "week": week_summary(store), "areas": sorted(area_mastery(skills, catalog).items()),
            "recent": recent, "mastered": sum(m.mastered for m in skills.values()),
            "skills": len(skills)}
    _DASHBOARDS[store.home] = (version, data)
    return data


# --- the goal and the report ---------------------------------------------------------

def goal(store: LearnerRecord, *, hours: float | None = None, role: str | None = None,
         by: str | None = None) -> Goal:
    """Set what was given (a role must be one deepcareer knows: it is checked now, not
    when a page later fails on it), or read the goal when nothing was."""
    from deepcareer.mentor.goals import get_goal, set_goal

    if hours is None and role is None and by is None:
        return get_goal(store)
    return set_goal(store, hours=hours, role=role, target_date=by)


def report_data(store: LearnerRecord, catalog: Catalog) -> dict[str, Any]:
    from deepcareer.mentor.report import report_data as data

    return data(store, catalog)


def write_report(store: Store, catalog: Catalog, fmt: str, out: Path | None = None) -> Path:
    from deepcareer.errors import UsageError
    from deepcareer.mentor.report import default_report_path
    from deepcareer.mentor.report import write_report as write

    if fmt not in ("md", "html"):
        raise UsageError(f"--format must be md or html, not {fmt!r}.")
    return write(store, catalog, out or default_report_path(store.home, fmt, store.clock()),
                 fmt)
