"""A cohort as its mentor sees it: mastery per skill, this week's misconceptions, who is
stuck or idle, completion per assignment, each learner's report, and a CSV of results.

Mastery is the local app's estimate (``mentor.mastery``), replayed from each learner's
graded submissions: only work the server graded itself counts, and only verified work
lifts a skill above the cap, as everywhere else.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from deepcareer.app.accounts import NotAllowed, User
from deepcareer.curriculum.catalog import Catalog, default_catalog
from deepcareer.errors import ServerError
from deepcareer.mentor.mastery import mastery_of_rows
from deepcareer.store.pg import accounts as account_db
from deepcareer.store.pg import cohorts as db
from deepcareer.store.pg.submissions import now

#: Failures in a row on one exercise, with no pass since, that make a learner "stuck".
STUCK_AFTER = 3
IDLE_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class Learner:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Misconception:
    title: str
    count: int  # failed submissions naming it this week
    learners: int
    exercises: tuple[str, ...]


@dataclass(frozen=True)
class Completion:
    kind: str
    item_id: str
    title: str
    due_at: datetime | None
    done: int  # learners with a pass (before the deadline, when there is one)
    total: int


@dataclass(frozen=True)
class Cell:
    """One learner's estimate for one skill, as the heatmap shows it."""

    p: float
    evidence: int
    verified: bool


#: Bands of the cohort-wide view: how many learners are at each level of each skill.
BANDS = ("no evidence", "under 50 %", "50-80 %", "80-95 %", "95 % or more, verified")
#: The bands' lower edges (under 50 %, 50-80 %, 80-95 %), and mastery (verified, 95 %).
BAND_EDGES = (0.5, 0.8)
MASTERED = 0.95
#: Above this many learners the per-learner heatmap gives way to the bands alone.
HEATMAP_LEARNERS = 60


@dataclass
class Dashboard:
    cohort_id: int
    name: str
    learners: list[Learner]
    skills: list[tuple[str, str]]  # (id, title), in the curriculum's order
    mastery: dict[int, dict[str, Cell]]  # learner -> skill -> cell (small cohorts only)
    bands: list[tuple[str, list[int]]]  # (skill title, learners per band of BANDS)
    misconceptions: list[Misconception]
    stuck: list[tuple[Learner, str, int]]  # (learner, exercise title, failures in a row)
    idle: list[tuple[Learner, datetime | None]]  # (learner, last submission or None)
    completion: list[Completion]
    submissions: int = 0
    notes: list[str] = field(default_factory=list)


def require_staff(engine: Engine, viewer: User, cohort_id: int) -> str:
    """The viewer's role in a cohort they mentor or teach (admins: 'admin')."""
    if db.cohort(engine, cohort_id) is None:
        raise ServerError("There is no such cohort.")
    if viewer.role == "admin":
        return "admin"
    role = account_db.membership(engine, cohort_id, viewer.id)
    if role not in ("mentor", "instructor"):
        raise NotAllowed("Only the cohort's mentors and instructors see its dashboard.")
    return str(role)


def my_cohorts(engine: Engine, viewer: User) -> list[dict[str, Any]]:
    return db.cohorts_of(engine, viewer.id)


def add_assignment(engine: Engine, actor: User, cohort_id: int, kind: str, item_id: str,
                   due_at: datetime | None = None, catalog: Catalog | None = None) -> int:
    """Assign an exercise or a project to the cohort (its instructors only)."""
    if require_staff(engine, actor, cohort_id) not in ("instructor", "admin"):
        raise NotAllowed("Only the cohort's instructors set assignments.")
    if kind == "project":
        from deepcareer.app.class_projects import assignable

        item_id = assignable(item_id).id  # UsageError naming the projects
    elif kind == "exercise":
        item_id = (catalog or default_catalog()).get(item_id).id  # ExerciseNotFound
    else:
        raise ServerError(f"An assignment is an exercise or a project, not {kind[:20]!r}.")
    assignment_id = db.add_assignment(engine, cohort_id, kind, item_id, due_at)
    account_db.record(engine, actor.id, "assignment.create", str(cohort_id),
                      {"kind": kind, "item": item_id,
                       "due": due_at.isoformat() if due_at else None})
    return assignment_id


def item_titles(catalog: Catalog) -> dict[str, str]:
    """Titles of everything a cohort can be assigned: exercises and projects (their ids
    never clash, a content test makes sure)."""
    from deepcareer.projects.spec import load_projects

    return {**{p.id: p.spec.title for p in load_projects().values()},
            **{ex.id: ex.meta.title for ex in catalog}}


def attempt_rows(rows: Sequence[dict[str, Any]],
                 events: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """Graded submissions as the attempt rows the evidence model reads; ``hint_level`` is
    the hints shown for the exercise before the submission (the learner's ``events``), as a
    local check records it."""
    from deepcareer.store.db import iso

    hints: dict[str, list[str]] = {}
    for e in events:
        if e["kind"] == "hint":
            hints.setdefault(e["exercise_id"], []).append(e["created_at"])
    seen: set[tuple[str, str]] = set()
    out = []
    for r in rows:
        key = (r["exercise_id"], r["code_sha256"])
        report = r["report"] or {}
        at = iso(r["created_at"])
        out.append({"id": r["id"], "created_at": at,
                    "exercise_id": r["exercise_id"], "status": r["status"],
                    "code_sha256": r["code_sha256"], "findings": report.get("findings", []),
                    "hint_level": sum(h < at for h in hints.get(r["exercise_id"], ())),
                    "origin": "learner", "repeat": key in seen})
        seen.add(key)
    return out


def dashboard(engine: Engine, viewer: User, cohort_id: int,
              catalog: Catalog | None = None, at: datetime | None = None) -> Dashboard:
    """Everything on the cohort's page, in a handful of queries whatever the cohort's size
    (mastery is kept per learner as grades arrive: ``classroom.grade``)."""
    from deepcareer.store.pg import mastery as mastery_db

    require_staff(engine, viewer, cohort_id)
    catalog = catalog or default_catalog()
    at = at or now()
    info = db.cohort(engine, cohort_id) or {}
    learners = [Learner(int(m["id"]), str(m["name"]), str(m["email"]))
                for m in db.members(engine, cohort_id)]
    by_id = {learner.id: learner for learner in learners}
    titles = item_titles(catalog)
    skills = [(sid, skill.title) for sid, skill in catalog.skills.items()]
    small = len(learners) <= HEATMAP_LEARNERS
    kept = mastery_db.of_users(engine, list(by_id)) if small else {}
    cells = {uid: {sid: Cell(float(r["p"]), int(r["evidence"]), bool(r["verified"]))
                   for sid, r in rows.items()} for uid, rows in kept.items()}
    counted = mastery_db.bands(engine, cohort_id, BAND_EDGES, MASTERED)
    last = mastery_db.last_activity(engine, cohort_id)
    done = mastery_db.passes_by_deadline(engine, cohort_id)
    return Dashboard(
        cohort_id=cohort_id, name=str(info.get("name", "")), learners=learners,
        skills=skills,
        mastery={learner.id: cells.get(learner.id, {}) for learner in learners}
        if small else {},
        bands=[(title, _bands(counted.get(sid, {}), len(learners))) for sid, title in skills],
        misconceptions=[Misconception(str(r["title"] or r["id"]), int(r["n"]),
                                      int(r["learners"]),
                                      tuple(sorted(titles.get(e, e) for e in r["exercises"])))
                        for r in mastery_db.misconceptions(engine, cohort_id,
                                                           at - timedelta(days=7))],
        stuck=[(by_id[int(r["user_id"])], str(titles.get(r["exercise_id"], r["exercise_id"])),
                int(r["failures"])) for r in mastery_db.stuck(engine, cohort_id, STUCK_AFTER)
               if int(r["user_id"]) in by_id],
        idle=[(learner, last.get(learner.id)) for learner in learners
              if learner.id not in last or last[learner.id] < at - IDLE_AFTER],
        completion=[Completion(str(a["kind"]), str(a["item_id"]),
                               titles.get(str(a["item_id"]), str(a["item_id"])), a["due_at"],
                               sum((int(a["id"]), learner.id) in done for learner in learners),
                               len(learners))
                    for a in db.assignments_of(engine, cohort_id)],
        submissions=mastery_db.count_graded(engine, cohort_id))


def _bands(counted: dict[int, int], learners: int) -> list[int]:
    """Learners per band of BANDS; band 0 (no evidence) is whoever the query did not count."""
    counts = [counted.get(k, 0) for k in range(len(BANDS))]
    counts[0] = max(learners - sum(counts[1:]), 0)
    return counts


def learner_mastery(bind: Engine | Connection, user_id: int, catalog: Catalog | None = None,
                    graded: str | None = None) -> str:
    """Bring one learner's kept figures (mastery per skill, tally per exercise) up to date.

    With ``graded``, the submission just finished (``classroom.grade``, inside its
    transaction): it is folded into the kept figures, a few rows whatever the learner's
    history, whenever that gives exactly what a replay would; otherwise, and without
    ``graded``, every graded submission is replayed. Returns ``folded`` or ``rebuilt``.
    """
    from deepcareer.mentor.mastery import UNVERIFIED_CAP, _evidence_from, _replay, _result
    from deepcareer.store.pg import mastery as mastery_db
    from deepcareer.store.pg.learner import PgLearnerStore

    catalog = catalog or default_catalog()
    # Hints shown, solutions seen and quizzes count as a local record counts them: a pass
    # after the solution or the last hint is practice, never verified work.
    engine = bind if isinstance(bind, Engine) else bind.engine
    events = PgLearnerStore(engine, user_id).events(
        conn=None if isinstance(bind, Engine) else bind)

    def skills(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        estimate = mastery_of_rows(attempt_rows(rows, events), catalog, events,
                                   project_skills(rows))
        return {sid: {"p": m.p, "evidence": m.evidence, "correct": m.correct,
                      "verified": m.verified} for sid, m in estimate.items()
                if m.evidence or m.verified}  # a verified project with no exercise yet

    def fold(row: dict[str, Any], repeat: bool, kept: dict[str, dict[str, Any]]
             ) -> dict[str, dict[str, Any]] | None:
        # Exact only for an exercise's grade of a learner without events (hints, solutions
        # and quizzes fall between grades; a project verifies skills): else the replay.
        if events or (row.get("report") or {}).get("kind") == "project":
            return None
        # The same replay, started from the kept state of the skills this row is about.
        attempt = attempt_rows([row])[0]
        attempt["repeat"] = repeat
        found = _evidence_from([attempt], [], catalog, set())
        state: dict[str, list[float]] = {}
        verified: set[str] = set()
        for sid in {sid for ev in found for sid in ev.skills if sid in catalog.skills}:
            held = kept.get(sid)
            if held is None:
                state[sid] = [catalog.skills[sid].bkt.prior, 0, 0]
                continue
            if not held["verified"] and float(held["p"]) >= UNVERIFIED_CAP:
                return None  # kept capped: the uncapped estimate is not known
            state[sid] = [float(held["p"]), int(held["evidence"]), int(held["correct"])]
            if held["verified"]:
                verified.add(sid)
        _replay(state, found, catalog, verified)
        return {sid: {"p": m.p, "evidence": m.evidence, "correct": m.correct,
                      "verified": m.verified}
                for sid, m in _result(state, verified).items() if m.evidence}

    if graded is None:
        mastery_db.rebuild(bind, user_id, skills)
        return "rebuilt"
    return mastery_db.update(bind, user_id, graded, fold, skills)


def project_skills(rows: Sequence[dict[str, Any]]) -> set[str]:
    """Skills of the projects among ``rows`` that the server verified (trained twice with
    seeds it drew, both runs agreeing): verified work, as a verified local run is."""
    from deepcareer.projects.spec import load_projects

    projects = load_projects()
    return {sid for r in rows if r["status"] == "pass"
            and (r.get("report") or {}).get("kind") == "project"
            and (r.get("report") or {}).get("verified") and r["exercise_id"] in projects
            for sid in projects[r["exercise_id"]].spec.skills}


def results_csv(engine: Engine, viewer: User, cohort_id: int,
                catalog: Catalog | None = None) -> str:
    """One row per learner, one column per assignment (100 when passed by the deadline,
    else 0), keyed by email: the layout Moodle's "Import grades from CSV" maps directly
    (docs/server.md)."""
    from deepcareer.store.pg import mastery as mastery_db

    require_staff(engine, viewer, cohort_id)
    learners = db.members(engine, cohort_id)
    items = db.assignments_of(engine, cohort_id)
    done = mastery_db.passes_by_deadline(engine, cohort_id)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["Email address", "Full name",
                     *[f"deepcareer: {a['item_id']}" for a in items]])
    for learner in learners:
        writer.writerow([learner["email"], learner["name"],
                         *[100 if (int(a["id"]), int(learner["id"])) in done else 0
                           for a in items]])
    account_db.record(engine, viewer.id, "results.export", str(cohort_id))
    return buf.getvalue()


@dataclass(frozen=True)
class Assignment:
    """One assignment as its learner sees it."""

    cohort: str
    exercise_id: str  # or the project's id
    title: str
    due_at: datetime | None
    passed: bool  # for a project: verified by the server
    kind: str = "exercise"

    @property
    def link(self) -> str:
        return f"/{'projects' if self.kind == 'project' else 'exercises'}/{self.exercise_id}"


def my_assignments(engine: Engine, viewer: User, catalog: Catalog | None = None
                   ) -> list[Assignment]:
    """The assignments of every cohort the viewer learns in, soonest deadline first, with
    whether the viewer has passed each (a pass the server graded)."""
    catalog = catalog or default_catalog()
    titles = item_titles(catalog)
    passed = {r["exercise_id"] for r in db.graded(engine, [viewer.id]) if r["status"] == "pass"}
    out = []
    for c in db.cohorts_of(engine, viewer.id):
        if c["role"] != "learner":
            continue
        for a in db.assignments_of(engine, int(c["id"])):
            item = str(a["item_id"])
            out.append(Assignment(str(c["name"]), item, titles.get(item, item), a["due_at"],
                                  item in passed, str(a["kind"])))
    far = datetime.max.replace(tzinfo=now().tzinfo)
    return sorted(out, key=lambda a: (a.passed, a.due_at or far))
