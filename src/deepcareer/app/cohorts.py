"""A cohort as its mentor sees it: mastery per skill, this week's misconceptions, who is
stuck or idle, completion per assignment, each learner's report, and a CSV of results.

Mastery is the local app's estimate (``mentor.mastery``), replayed from each learner's
graded submissions: only work the server graded itself counts, and only verified work
lifts a skill above the cap, as everywhere else.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from deepcareer.app.accounts import NotAllowed, User
from deepcareer.curriculum.catalog import Catalog, default_catalog
from deepcareer.errors import ServerError
from deepcareer.mentor.mastery import SkillMastery, mastery_of_rows
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


@dataclass
class Dashboard:
    cohort_id: int
    name: str
    learners: list[Learner]
    skills: list[tuple[str, str]]  # (id, name), in the curriculum's order
    mastery: dict[int, dict[str, SkillMastery]]  # learner id -> skill id -> estimate
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
    """Assign an exercise to the cohort (its instructors only)."""
    if require_staff(engine, actor, cohort_id) not in ("instructor", "admin"):
        raise NotAllowed("Only the cohort's instructors set assignments.")
    if kind != "exercise":
        raise ServerError("The class server assigns exercises; projects are graded on the "
                          "learner's own machine for now and cannot be assigned here yet.")
    item_id = (catalog or default_catalog()).get(item_id).id  # ExerciseNotFound, suggestions
    assignment_id = db.add_assignment(engine, cohort_id, kind, item_id, due_at)
    account_db.record(engine, actor.id, "assignment.create", str(cohort_id),
                      {"kind": kind, "item": item_id,
                       "due": due_at.isoformat() if due_at else None})
    return assignment_id


def attempt_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Graded submissions as the attempt rows the evidence model reads."""
    seen: set[tuple[str, str]] = set()
    out = []
    for r in rows:
        key = (r["exercise_id"], r["code_sha256"])
        report = r["report"] or {}
        out.append({"id": r["id"], "created_at": r["created_at"].isoformat(),
                    "exercise_id": r["exercise_id"], "status": r["status"],
                    "code_sha256": r["code_sha256"], "findings": report.get("findings", []),
                    "hint_level": 0, "origin": "learner", "repeat": key in seen})
        seen.add(key)
    return out


def dashboard(engine: Engine, viewer: User, cohort_id: int,
              catalog: Catalog | None = None, at: datetime | None = None) -> Dashboard:
    require_staff(engine, viewer, cohort_id)
    catalog = catalog or default_catalog()
    at = at or now()
    info = db.cohort(engine, cohort_id) or {}
    learners = [Learner(int(m["id"]), str(m["name"]), str(m["email"]))
                for m in db.members(engine, cohort_id)]
    rows = db.graded(engine, [learner.id for learner in learners])
    by_learner: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_learner[int(r["user_id"])].append(r)
    mastery = {learner.id: mastery_of_rows(attempt_rows(by_learner[learner.id]), catalog)
               for learner in learners}
    week = at - timedelta(days=7)
    titles = {ex.id: ex.meta.title for ex in catalog}
    return Dashboard(
        cohort_id=cohort_id, name=str(info.get("name", "")), learners=learners,
        skills=[(sid, skill.title) for sid, skill in catalog.skills.items()],
        mastery=mastery,
        misconceptions=_misconceptions([r for r in rows if r["created_at"] >= week], titles),
        stuck=_stuck(learners, by_learner, titles),
        idle=[(learner, by_learner[learner.id][-1]["created_at"]
               if by_learner[learner.id] else None) for learner in learners
              if not by_learner[learner.id]
              or by_learner[learner.id][-1]["created_at"] < at - IDLE_AFTER],
        completion=_completion(engine, cohort_id, learners, by_learner, titles),
        submissions=len(rows))


def _misconceptions(rows: Sequence[dict[str, Any]], titles: dict[str, str],
                    top: int = 8) -> list[Misconception]:
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    who: dict[str, set[int]] = defaultdict(set)
    where: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r["status"] != "fail":
            continue
        for f in (r["report"] or {}).get("findings", []):
            mid = str(f.get("misconception", ""))
            if not mid:
                continue
            counts[mid] += 1
            names[mid] = str(f.get("title", mid))
            who[mid].add(int(r["user_id"]))
            where[mid].add(titles.get(r["exercise_id"], r["exercise_id"]))
    return [Misconception(names[m], n, len(who[m]), tuple(sorted(where[m])))
            for m, n in counts.most_common(top)]


def _stuck(learners: Sequence[Learner], by_learner: dict[int, list[dict[str, Any]]],
           titles: dict[str, str]) -> list[tuple[Learner, str, int]]:
    found = []
    for learner in learners:
        streak: dict[str, int] = defaultdict(int)
        for r in by_learner[learner.id]:
            ex = r["exercise_id"]
            streak[ex] = 0 if r["status"] == "pass" else streak[ex] + 1
        worst = max(streak.items(), key=lambda kv: kv[1], default=None)
        if worst and worst[1] >= STUCK_AFTER:
            found.append((learner, titles.get(worst[0], worst[0]), worst[1]))
    return sorted(found, key=lambda t: -t[2])


def _completion(engine: Engine, cohort_id: int, learners: Sequence[Learner],
                by_learner: dict[int, list[dict[str, Any]]],
                titles: dict[str, str]) -> list[Completion]:
    out = []
    for a in db.assignments_of(engine, cohort_id):
        done = 0
        for learner in learners:
            if any(r["exercise_id"] == a["item_id"] and r["status"] == "pass"
                   and (a["due_at"] is None or r["created_at"] <= a["due_at"])
                   for r in by_learner[learner.id]):
                done += 1
        item = str(a["item_id"])
        out.append(Completion(str(a["kind"]), item, titles.get(item, item),
                              a["due_at"], done, len(learners)))
    return out


def results_csv(engine: Engine, viewer: User, cohort_id: int,
                catalog: Catalog | None = None) -> str:
    """One row per learner, one column per assignment (100 when passed by the deadline,
    else 0), keyed by email: the layout Moodle's "Import grades from CSV" maps directly
    (docs/server.md)."""
    board = dashboard(engine, viewer, cohort_id, catalog)
    rows = db.graded(engine, [learner.id for learner in board.learners])
    buf = io.StringIO()
    writer = csv.writer(buf)
    items = [(c.item_id, c.due_at) for c in board.completion]
    writer.writerow(["Email address", "Full name", *[f"deepcareer: {i}" for i, _ in items]])
    for learner in board.learners:
        mine = [r for r in rows if int(r["user_id"]) == learner.id]
        writer.writerow([learner.email, learner.name, *[
            100 if any(r["exercise_id"] == item and r["status"] == "pass"
                       and (due is None or r["created_at"] <= due) for r in mine) else 0
            for item, due in items]])
    account_db.record(engine, viewer.id, "results.export", str(cohort_id))
    return buf.getvalue()


@dataclass(frozen=True)
class Assignment:
    """One assignment as its learner sees it."""

    cohort: str
    exercise_id: str
    title: str
    due_at: datetime | None
    passed: bool


def my_assignments(engine: Engine, viewer: User, catalog: Catalog | None = None
                   ) -> list[Assignment]:
    """The assignments of every cohort the viewer learns in, soonest deadline first, with
    whether the viewer has passed each (a pass the server graded)."""
    catalog = catalog or default_catalog()
    titles = {ex.id: ex.meta.title for ex in catalog}
    passed = {r["exercise_id"] for r in db.graded(engine, [viewer.id]) if r["status"] == "pass"}
    out = []
    for c in db.cohorts_of(engine, viewer.id):
        if c["role"] != "learner":
            continue
        for a in db.assignments_of(engine, int(c["id"])):
            item = str(a["item_id"])
            out.append(Assignment(str(c["name"]), item, titles.get(item, item), a["due_at"],
                                  item in passed))
    far = datetime.max.replace(tzinfo=now().tzinfo)
    return sorted(out, key=lambda a: (a.passed, a.due_at or far))
