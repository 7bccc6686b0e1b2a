"""How ready the learner is for a role, from evidence only, with the cheapest next steps.

Score = sum over the role's skills of weight x evidence value / sum of weights, with
weights core 3, important 2, nice 1 and the values of ``career/evidence.py`` (verified 1,
practised 0.4, self-reported 0.2; the discount is stated in every output, ``counting``).
Quizzes alone therefore never lift a role above 40 %, however often they are taken.
"Ready" needs a score of at least 80 % *and* every core skill verified: a high score
carried by nice-to-haves does not make someone ready.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from deepcareer.career.evidence import COUNTING, SkillEvidence
from deepcareer.career.roles import WEIGHTS, Role
from deepcareer.curriculum.catalog import Catalog

READY_SCORE = 0.8


@dataclass
class SkillLine:
    skill: str
    title: str
    tier: str
    weight: float
    level: str
    value: float
    sources: list[str]


@dataclass
class NextStep:
    skill: str
    tier: str
    exercise: str | None
    minutes: int | None
    command: str
    title: str = ""  # the skill's title, for people


@dataclass
class Readiness:
    role: str
    title: str
    score: float
    ready: bool
    missing_core: list[str]
    skills: list[SkillLine] = field(default_factory=list)
    next_steps: list[NextStep] = field(default_factory=list)
    counting: str = COUNTING  # how each level of evidence is weighed, said with the score

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def cheapest_exercise(catalog: Catalog, skill: str, passed: set[str]) -> tuple[str, int] | None:
    """The shortest not-yet-passed exercise that exercises ``skill``, preferring one whose
    prerequisite exercises are already passed (it can be started today)."""
    options = [(any(q not in passed for q in ex.meta.prerequisites if q in catalog.exercises),
                ex.meta.minutes, ex.meta.order, ex.id) for ex in catalog
               if skill in ex.meta.skills and ex.id not in passed]
    if not options:
        return None
    _blocked, minutes, _order, ex_id = min(options)
    return ex_id, minutes


def readiness(role: Role, evidence: dict[str, SkillEvidence], catalog: Catalog,
              passed: set[str]) -> Readiness:
    lines = []
    for sid, tier in role.tiers().items():
        ev = evidence.get(sid, SkillEvidence(sid, "none"))
        title = catalog.skills[sid].title if sid in catalog.skills else sid
        lines.append(SkillLine(sid, title, tier, WEIGHTS[tier], ev.level, ev.value,
                               ev.sources))
    total = sum(line.weight for line in lines)
    score = sum(line.weight * line.value for line in lines) / total if total else 0.0
    missing_core = [line.skill for line in lines if line.tier == "core"
                    and line.level != "verified"]
    steps = []
    order = {"core": 0, "important": 1, "nice": 2}
    for line in sorted(lines, key=lambda x: order[x.tier]):
        if line.level == "verified":
            continue
        found = cheapest_exercise(catalog, line.skill, passed)
        if found:
            steps.append(NextStep(line.skill, line.tier, found[0], found[1],
                                  f"deepcareer start {found[0]}", line.title))
        else:
            steps.append(NextStep(line.skill, line.tier, None, None,
                                  "deepcareer project list (a project shows this skill)",
                                  line.title))
    steps.sort(key=lambda s: (order[s.tier], s.minutes if s.minutes is not None else 10**6))
    return Readiness(role.id, role.title, round(score, 4),
                     score >= READY_SCORE and not missing_core, missing_core, lines, steps)
