"""Career use cases: roles, readiness for a role, a study plan, a posting read against
the learner's evidence, and claims.

One rule for which role is meant: the one named (by id or title, forgiving typos), else
the goal's; an unknown name is an error with the nearest role suggested, in every face
(the browser used to fall back silently to the first role). Readiness and the plan are
computed from the one evidence model, so the terminal, the browser and the report agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from deepcareer.errors import UsageError

if TYPE_CHECKING:
    from deepcareer.career.evidence import SkillEvidence
    from deepcareer.career.pay import PayFact
    from deepcareer.career.plan import StudyPlan
    from deepcareer.career.postings import Analysis
    from deepcareer.career.readiness import Readiness
    from deepcareer.career.roles import Role
    from deepcareer.curriculum.catalog import Catalog
    from deepcareer.store.db import Store
    from deepcareer.store.learner import LearnerRecord


def roles() -> dict[str, Role]:
    from deepcareer.career.roles import load_roles

    return load_roles()


def attribution() -> str:
    from deepcareer.career.roles import ONET_ATTRIBUTION

    return ONET_ATTRIBUTION


def role_rows() -> list[dict[str, Any]]:
    """Every role with its skills, nearest O*NET occupation and cited pay."""
    from deepcareer.career.pay import pay_for

    return [{"id": r.id, "title": r.title, "description": r.description,
             "onet": {"code": r.onet.code, "title": r.onet.title},
             "skills": {"core": r.skills.core, "important": r.skills.important,
                        "nice": r.skills.nice}, "terms": r.terms,
             "pay": [p.describe() for p in pay_for(r.onet.code)]} for r in roles().values()]


def resolve_role(store: LearnerRecord, name: str | None) -> Role:
    """The role named, else the goal's; a clear error when neither is known."""
    from deepcareer.career.roles import get_role
    from deepcareer.mentor.goals import get_goal

    name = name or get_goal(store).role
    if not name:
        raise UsageError("Which role? Give one (`deepcareer career roles` lists them) or set "
                         "your goal: deepcareer goal --role data-scientist")
    return get_role(name)


def _evidence(store: LearnerRecord, catalog: Catalog) -> tuple[dict[str, SkillEvidence], set[str]]:
    from deepcareer.career.evidence import skill_evidence
    from deepcareer.mentor.progress import exercise_progress

    progress = exercise_progress(store, catalog)
    passed = {p.id for p in progress if p.state == "passed"}
    return skill_evidence(store, catalog, progress), passed


@dataclass(frozen=True)
class RoleReadiness:
    role: Role
    readiness: Readiness
    pay: list[PayFact]

    def to_dict(self) -> dict[str, Any]:
        from deepcareer.career.pay import cited_by_source

        return {**self.readiness.to_dict(), "pay": [p.describe() for p in self.pay],
                "pay_cited_by_source": [p.describe() for p in cited_by_source()]}


def readiness_for(store: LearnerRecord, catalog: Catalog, role: str | None) -> RoleReadiness:
    """How ready the learner is for a role, from their evidence, with the cheapest next
    steps and the role's cited pay."""
    chosen = resolve_role(store, role)
    return _readiness(chosen, *_evidence(store, catalog), catalog)


def plan_for(store: LearnerRecord, catalog: Catalog, role: str | None,
             hours_per_week: float | None = None) -> tuple[Role, StudyPlan]:
    """A week-by-week plan to close a role's gaps (hours: given, else the goal's, else 6)."""
    chosen = resolve_role(store, role)
    return chosen, _plan(store, chosen, *_evidence(store, catalog), catalog, hours_per_week)


def readiness_and_plan(store: LearnerRecord, catalog: Catalog, role: str | None
                       ) -> tuple[RoleReadiness, StudyPlan]:
    """Both, for a page that shows both: the evidence is gathered once."""
    chosen = resolve_role(store, role)
    evidence, passed = _evidence(store, catalog)
    return (_readiness(chosen, evidence, passed, catalog),
            _plan(store, chosen, evidence, passed, catalog, None))


def _readiness(chosen: Role, evidence: dict[str, SkillEvidence], passed: set[str],
               catalog: Catalog) -> RoleReadiness:
    from deepcareer.career.pay import pay_for
    from deepcareer.career.readiness import readiness

    return RoleReadiness(chosen, readiness(chosen, evidence, catalog, passed),
                         pay_for(chosen.onet.code))


def _plan(store: LearnerRecord, chosen: Role, evidence: dict[str, SkillEvidence], passed: set[str],
          catalog: Catalog, hours_per_week: float | None) -> StudyPlan:
    from deepcareer.career.plan import study_plan
    from deepcareer.mentor.goals import get_goal

    hours = hours_per_week or get_goal(store).hours_per_week or 6.0
    return study_plan(chosen, evidence, catalog, passed, hours)


@dataclass(frozen=True)
class PostingReading:
    """A posting read against the learner's evidence."""

    analysis: Analysis
    status: list[dict[str, Any]]  # per skill asked for: the learner's level and whether a gap

    @property
    def levels(self) -> dict[str, str]:
        return {r["skill"]: r["level"] for r in self.status}

    @property
    def required_gaps(self) -> list[str]:
        return [r["skill"] for r in self.status if r["gap"] and r["requirement"] == "required"]

    @property
    def also(self) -> str:
        """Years and degree, in a sentence ("" when the posting asks for neither)."""
        extra = []
        if self.analysis.years is not None:
            extra.append(f"{self.analysis.years}+ years of experience")
        if self.analysis.degree:
            extra.append(f"a {self.analysis.degree} degree")
        return "Also asks for " + " and ".join(extra) + "." if extra else ""

    def to_dict(self) -> dict[str, Any]:
        return {**self.analysis.to_dict(), "status": self.status}


def read_posting(store: Store, catalog: Catalog, raw: bytes | str) -> PostingReading:
    """The skills and tools a posting asks for (required or preferred, with the sentence
    that shows each), years, degree, unknown terms, and the learner's evidence for each
    skill. Text that is not a posting (binary, empty, huge) is refused with a sentence."""
    from deepcareer.career.evidence import skill_evidence
    from deepcareer.career.postings import analyze, status_against

    result = analyze(raw)
    return PostingReading(result, status_against(result, skill_evidence(store, catalog)))


def claim(store: LearnerRecord, catalog: Catalog, skill: str, *, remove: bool = False) -> list[str]:
    """Say (or withdraw) that a skill was learnt elsewhere; it counts as self-reported."""
    from deepcareer.career.evidence import set_claim

    if skill not in catalog.skills:
        raise UsageError(f"{skill!r} is not a skill id; `deepcareer skills` lists them.")
    return set_claim(store, skill, remove=remove)
