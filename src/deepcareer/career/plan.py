"""A study plan for a role: the gaps, in prerequisite order, core first, packed into weeks.

Each gap skill needs its cheapest unpassed exercise plus any unpassed exercises that
exercise requires; the list is ordered so that prerequisites always come first (a
topological order that prefers core skills, then important, then nice), sized by each
exercise's estimated minutes and packed greedily into weeks of the learner's hours.
"""

from __future__ import annotations

import heapq
from dataclasses import asdict, dataclass, field
from typing import Any

from deepcareer.career.evidence import SkillEvidence
from deepcareer.career.readiness import cheapest_exercise
from deepcareer.career.roles import Role
from deepcareer.curriculum.catalog import Catalog
from deepcareer.errors import UsageError

TIER_RANK = {"core": 0, "important": 1, "nice": 2, "prerequisite": 0}


@dataclass
class PlanItem:
    exercise: str
    title: str
    minutes: int
    for_skill: str
    tier: str  # the tier of the gap it serves
    skill_title: str = ""  # for_skill, for people


@dataclass
class StudyPlan:
    role: str
    hours_per_week: float
    weeks: list[list[PlanItem]] = field(default_factory=list)
    total_minutes: int = 0
    uncovered: list[str] = field(default_factory=list)  # gaps no exercise covers

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"n_weeks": len(self.weeks)}


def study_plan(role: Role, evidence: dict[str, SkillEvidence], catalog: Catalog,
               passed: set[str], hours_per_week: float) -> StudyPlan:
    if not 0 < hours_per_week <= 80:
        raise UsageError("--hours-per-week should be between 0 and 80 (3 to 15 is usual).")
    need: dict[str, tuple[int, str, str]] = {}  # exercise -> (tier rank, skill, tier)
    uncovered = []
    for sid, tier in role.tiers().items():
        if evidence.get(sid) is not None and evidence[sid].level == "verified":
            continue
        found = cheapest_exercise(catalog, sid, passed)
        if found is None:
            uncovered.append(sid)
            continue
        _add_with_prerequisites(catalog, found[0], passed, TIER_RANK[tier], sid, tier, need)
    order = _topological(catalog, need)
    budget = hours_per_week * 60
    plan = StudyPlan(role.id, hours_per_week, uncovered=uncovered)
    week: list[PlanItem] = []
    used = 0.0
    for ex_id in order:
        ex = catalog.get(ex_id)
        _rank, skill, tier = need[ex_id]
        item = PlanItem(ex_id, ex.meta.title, ex.meta.minutes, skill, tier,
                        catalog.skills[skill].title if skill in catalog.skills else skill)
        if week and used + item.minutes > budget:
            plan.weeks.append(week)
            week, used = [], 0.0
        week.append(item)
        used += item.minutes
        plan.total_minutes += item.minutes
    if week:
        plan.weeks.append(week)
    return plan


def _add_with_prerequisites(catalog: Catalog, ex_id: str, passed: set[str], rank: int,
                            skill: str, tier: str,
                            need: dict[str, tuple[int, str, str]]) -> None:
    have = need.get(ex_id)
    if have is not None and have[0] <= rank:
        return
    need[ex_id] = (rank, skill, tier)
    for pre in catalog.get(ex_id).meta.prerequisites:
        if pre in catalog.exercises and pre not in passed:
            _add_with_prerequisites(catalog, pre, passed, rank, skill,
                                    "prerequisite" if pre not in need else need[pre][2], need)


def _topological(catalog: Catalog, need: dict[str, tuple[int, str, str]]) -> list[str]:
    """Prerequisites first; among the ready ones, core before important before nice, then
    curriculum order (Kahn's algorithm with a priority queue)."""
    position = {ex.id: i for i, ex in enumerate(catalog)}
    deps = {e: {p for p in catalog.get(e).meta.prerequisites if p in need} for e in need}
    users: dict[str, list[str]] = {e: [] for e in need}
    for e, ps in deps.items():
        for p in ps:
            users[p].append(e)
    ready = [(need[e][0], position[e], e) for e, ps in deps.items() if not ps]
    heapq.heapify(ready)
    out = []
    while ready:
        _rank, _pos, e = heapq.heappop(ready)
        out.append(e)
        for u in users[e]:
            deps[u].discard(e)
            if not deps[u]:
                heapq.heappush(ready, (need[u][0], position[u], u))
    return out
