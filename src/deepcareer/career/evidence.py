"""What the store shows about each skill: verified, partial, self-reported or nothing.

Verified (counts 1): an exercise that exercises the skill was passed (checked by automated
tests), the skill is mastered, or a project listing it passed and was reproduced by a
re-run. Partial (0.5): work started but not finished, a passing project run not yet
reproduced, or a mastery estimate of at least one half. Self-reported (0.2): the learner
says so (``deepcareer career claim``) and nothing here shows it yet. The wording matters:
"verified by automated tests", never "certified".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from deepcareer.curriculum.catalog import Catalog
from deepcareer.store.db import Store

VALUES = {"verified": 1.0, "partial": 0.5, "self-reported": 0.2, "none": 0.0}
CLAIMS_KEY = "self_reported_skills"
UNISOLATED = "graded without OS isolation"  # the label of work checked behind the guard only


@dataclass
class SkillEvidence:
    skill: str
    level: str  # verified | partial | self-reported | none
    sources: list[str] = field(default_factory=list)

    @property
    def value(self) -> float:
        return VALUES[self.level]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "value": self.value}


def claims(store: Store) -> list[str]:
    raw = store.setting(CLAIMS_KEY, [])
    return [str(s) for s in raw] if isinstance(raw, list) else []


def set_claim(store: Store, skill: str, *, remove: bool = False) -> list[str]:
    now = [s for s in claims(store) if s != skill] + ([] if remove else [skill])
    store.set_setting(CLAIMS_KEY, sorted(set(now)))
    return sorted(set(now))


def skill_evidence(store: Store, catalog: Catalog, exercises: list[Any] | None = None
                   ) -> dict[str, SkillEvidence]:
    """Evidence per skill; ``exercises`` is :func:`exercise_progress` if the caller has it."""
    from deepcareer.mentor.mastery import mastery
    from deepcareer.mentor.progress import exercise_progress

    out = {sid: SkillEvidence(sid, "none") for sid in catalog.skills}
    unisolated = unisolated_passes(store)
    progress = {p.id: p for p in (exercises if exercises is not None
                                  else exercise_progress(store, catalog))}
    for ex in catalog:
        p = progress[ex.id]
        for sid in ex.meta.skills:
            if sid not in out:
                continue
            if p.state == "passed":
                when = f" on {p.last_at[:10]}" if p.last_at else ""
                label = f" ({UNISOLATED})" if ex.id in unisolated else ""
                out[sid].sources.append(f"exercise {ex.id} passed{when}, verified by "
                                        f"automated tests{label}")
                out[sid].level = "verified"
            elif p.state == "attempted" and out[sid].level == "none":
                out[sid].level = "partial"
                out[sid].sources.append(f"exercise {ex.id} attempted, not yet passed")
    for sid, m in mastery(store, catalog).items():
        if sid not in out:
            continue
        if m.mastered:
            out[sid].level = "verified"
            out[sid].sources.append(f"mastery {m.p:.0%} from {m.evidence} pieces of evidence")
        elif m.p >= 0.5 and out[sid].level == "none":
            out[sid].level = "partial"
            out[sid].sources.append(f"mastery {m.p:.0%}")
    _project_evidence(store, out)
    for sid in claims(store):
        if sid in out and out[sid].level == "none":
            out[sid].level = "self-reported"
            out[sid].sources.append("self-reported")
    return out


def unisolated_passes(store: Store) -> set[str]:
    """Exercises whose every pass was graded behind the in-process guard only (where
    bubblewrap could not run): shown, but labelled, wherever the pass counts."""
    rows = store.read("SELECT exercise_id FROM attempts WHERE status = 'pass' "
                      "GROUP BY exercise_id HAVING MAX(isolation = 'os') = 0")
    return {r["exercise_id"] for r in rows}


def _project_evidence(store: Store, out: dict[str, SkillEvidence]) -> None:
    from deepcareer.projects.spec import load_projects

    projects = load_projects()
    for r in store.run_summaries():
        project = projects.get(r["project_id"])
        if project is None or r["reproduces"] is not None or not r["passed"]:
            continue
        verified = r["verified_by"] is not None
        for sid in project.spec.skills:
            if sid not in out:
                continue
            if verified:
                out[sid].level = "verified"
                label = f" ({UNISOLATED})" if r.get("isolation", "os") != "os" else ""
                out[sid].sources.append(f"project {project.id} run #{r['id']} passed and was "
                                        f"reproduced by a re-run{label}")
            elif out[sid].level in ("none", "self-reported"):
                out[sid].level = "partial"
                out[sid].sources.append(f"project {project.id} run #{r['id']} passed, not "
                                        "yet reproduced")
