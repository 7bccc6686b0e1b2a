"""Roles, readiness, study plans and pay: from evidence only, never invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepcareer.career.evidence import SkillEvidence, set_claim, skill_evidence
from deepcareer.career.pay import cited_by_source, load_pay, pay_for
from deepcareer.career.plan import study_plan
from deepcareer.career.postings import vocabulary
from deepcareer.career.readiness import readiness
from deepcareer.career.roles import ONET_ATTRIBUTION, get_role, load_roles, role_problems
from deepcareer.curriculum.catalog import Catalog
from deepcareer.errors import UsageError
from deepcareer.store.db import open_store

SOURCE_ROLES = {"software engineer", "research analyst", "data analyst", "data scientist",
                "data engineer", "neuroinformatician", "bioinformatician",
                "image recognition engineer", "software developer", "research scientist",
                "researcher", "deep learning instructor", "applied scientist",
                "full-stack web developer", "director of deep learning", "nlp engineer"}


def test_sixteen_roles_consistent_with_skills_and_terms(catalog: Catalog) -> None:
    roles = load_roles()
    assert len(roles) == 17  # the 16 of the source, and the machine learning engineer
    assert {r.title.lower() for r in roles.values()} >= {"machine learning engineer"}
    terms = {e.id for e in vocabulary() if e.kind != "skill"}
    assert role_problems(roles, set(catalog.skills), terms) == []
    for role in roles.values():
        assert role.onet.code[:2].isdigit() and role.description
    assert "CC BY 4.0" in ONET_ATTRIBUTION
    titles = " | ".join(r.title.lower() for r in roles.values())
    for word in ("nlp", "instructor", "full-stack", "neuroinformatic", "bioinformatic",
                 "image recognition", "director"):
        assert word in titles


def test_role_lookup_forgives_and_suggests() -> None:
    assert get_role("Data Scientist").id == "data-scientist"
    with pytest.raises(UsageError, match="Did you mean"):
        get_role("data scientst")


def _evidence(levels: dict[str, str], catalog: Catalog) -> dict[str, SkillEvidence]:
    return {sid: SkillEvidence(sid, levels.get(sid, "none")) for sid in catalog.skills}


def test_readiness_is_weighted_and_needs_every_core_skill(catalog: Catalog) -> None:
    role = get_role("nlp-engineer")
    tiers = role.tiers()
    nothing = readiness(role, _evidence({}, catalog), catalog, set())
    assert nothing.score == 0 and not nothing.ready
    assert set(nothing.missing_core) == set(role.skills.core)
    everything = readiness(role, _evidence(dict.fromkeys(tiers, "verified"), catalog),
                           catalog, set())
    assert everything.score == 1 and everything.ready and not everything.next_steps
    no_core = {s: ("self-reported" if t == "core" else "verified") for s, t in tiers.items()}
    r = readiness(role, _evidence(no_core, catalog), catalog, set())
    weights = {"core": 3, "important": 2, "nice": 1}
    expect = sum(weights[t] * (0.2 if t == "core" else 1) for t in tiers.values()) / sum(
        weights[t] for t in tiers.values())
    assert r.score == pytest.approx(expect, abs=1e-4) and not r.ready
    assert [s.tier for s in r.next_steps] == ["core"] * len(role.skills.core)


def test_evidence_comes_from_the_store(tmp_path: Path, catalog: Catalog) -> None:
    with open_store(tmp_path / "h") as store:
        assert skill_evidence(store, catalog)["softmax"].level == "none"
        store.add_attempt(exercise_id="softmax", content_version=1, status="pass")
        set_claim(store, "classic-ml")
        ev = skill_evidence(store, catalog)
    assert ev["softmax"].level == "verified"
    assert "verified by automated tests" in ev["softmax"].sources[0]
    assert ev["classic-ml"].level == "self-reported" and ev["classic-ml"].value == 0.2


def test_plan_puts_prerequisites_first_and_fits_the_hours(catalog: Catalog) -> None:
    role = get_role("image-recognition-engineer")
    plan = study_plan(role, _evidence({}, catalog), catalog, set(), hours_per_week=3)
    order = [i.exercise for week in plan.weeks for i in week]
    assert len(order) == len(set(order))
    for i, ex_id in enumerate(order):
        for pre in catalog.get(ex_id).meta.prerequisites:
            if pre in order:
                assert order.index(pre) < i, (pre, ex_id)
    for week in plan.weeks:
        assert sum(i.minutes for i in week) <= 180 or len(week) == 1
    assert plan.total_minutes == sum(i.minutes for w in plan.weeks for i in w)
    with pytest.raises(UsageError):
        study_plan(role, _evidence({}, catalog), catalog, set(), hours_per_week=0)


def test_pay_is_cited_never_invented() -> None:
    verified = {p.occupation: p.figure for p in load_pay() if p.status == "verified"}
    assert verified["Data Scientists"] == 112590
    assert verified["Computer and Information Research Scientists"] == 140910
    assert verified["Software Developers"] == 133080
    assert all(p.period and p.source and p.link for p in load_pay())
    assert all("unverified" in p.describe() for p in cited_by_source())
    assert [p.figure for p in pay_for("15-2051.00")] == [112590]
    assert pay_for("25-1021.00") == []  # no figure on file: none shown, none estimated
