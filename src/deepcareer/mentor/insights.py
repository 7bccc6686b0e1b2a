"""What stands out: mastery per area, strengths, weaknesses, recurring mistakes, history.

Everything is computed from the log and the mastery estimate, and phrased for a person.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from deepcareer.curriculum.catalog import Catalog
from deepcareer.mentor.mastery import (
    UNVERIFIED_CAP,
    Evidence,
    SkillMastery,
    evidence,
    step,
)
from deepcareer.store.learner import LearnerRecord

CONCEPTS = "concepts"  # the area of skills that only quizzes verify


def skill_areas(catalog: Catalog) -> dict[str, str]:
    """Each skill's area: the most common area of the exercises that verify it."""
    votes: dict[str, Counter[str]] = {}
    for ex in catalog:
        for sid in ex.meta.skills:
            votes.setdefault(sid, Counter())[ex.meta.area] += 1
    return {sid: votes[sid].most_common(1)[0][0] if sid in votes else CONCEPTS
            for sid in catalog.skills}


def area_mastery(skills: dict[str, SkillMastery], catalog: Catalog) -> dict[str, float]:
    by_area: dict[str, list[float]] = {}
    for sid, area in skill_areas(catalog).items():
        by_area.setdefault(area, []).append(skills[sid].p)
    return {area: sum(ps) / len(ps) for area, ps in by_area.items()}


@dataclass(frozen=True)
class Recurring:
    misconception: str
    title: str
    count: int
    exercises: list[str]


def recurring_misconceptions(store: LearnerRecord, catalog: Catalog, at_least: int = 2
                             ) -> list[Recurring]:
    """Misconceptions diagnosed at least ``at_least`` times, most frequent first."""
    # The finding's title travels in the log, so no content module needs importing here.
    counts: Counter[str] = Counter()
    where: dict[str, set[str]] = {}
    titles: dict[str, str] = {}
    for mid, row in store.tally()["misconceptions"].items():
        counts[mid] = int(row["n"])
        where[mid] = {catalog.canonical_id(ex) for ex in row["exercises"]}
        if row["title"]:
            titles[mid] = row["title"]
    return [Recurring(m, titles.get(m, m), n, sorted(where[m]))
            for m, n in counts.most_common() if n >= at_least]


def strengths_and_weaknesses(store: LearnerRecord, catalog: Catalog,
                             skills: dict[str, SkillMastery]) -> dict[str, Any]:
    """Plain sentences about the skills and mistakes that stand out, each citing the work
    the learner actually did (the exercises and quizzes behind the figure), never the
    exercises that merely exercise the skill. A strength needs verified work on the skill:
    quiz answers alone are practice, not a strength to show."""
    did = _work_per_skill(evidence(store, catalog))
    shown = [m for m in skills.values() if m.evidence >= 2]
    strong = sorted((m for m in shown if m.p >= 0.8 and m.verified),
                    key=lambda m: (-m.p, -m.evidence))[:3]
    weak = sorted((m for m in shown if m.p < 0.5), key=lambda m: (m.p, -m.evidence))[:3]
    by_skill: dict[str, list[str]] = {}
    for ex in catalog:
        for sid in ex.meta.skills:
            by_skill.setdefault(sid, []).append(ex.id)
    strengths = [f"{catalog.skills[m.skill].title}: P(known) {m.p:.0%}, {m.correct} of "
                 f"{m.evidence} pieces of evidence right ({_cite(did.get(m.skill, {}))})."
                 for m in strong]
    weaknesses = []
    for m in weak:
        tried = did.get(m.skill, {})
        again = [ex for ex in tried if not ex.startswith("quiz:")] or by_skill.get(m.skill, [])
        weaknesses.append(f"{catalog.skills[m.skill].title}: P(known) {m.p:.0%} after "
                          f"{m.evidence} pieces of evidence ({_cite(tried)}); worth another "
                          f"pass through {', '.join(again[:2]) or 'its quiz'}.")
    mistakes = [f"\"{r.title}\" ({r.misconception}) came up {r.count} times in "
                f"{', '.join(r.exercises)}." for r in recurring_misconceptions(store, catalog)[:3]]
    return {"strengths": strengths, "weaknesses": weaknesses, "recurring_mistakes": mistakes}


def _work_per_skill(found: list[Evidence]) -> dict[str, dict[str, list[str]]]:
    """Per skill, per exercise or quiz the learner did, what happened, oldest first."""
    out: dict[str, dict[str, list[str]]] = {}
    for ev in found:
        for sid in ev.skills:
            out.setdefault(sid, {}).setdefault(ev.source, []).append(
                "verified pass" if ev.verified else ev.why)
    return out


def _cite(work: dict[str, list[str]]) -> str:
    """``softmax: verified pass x2; quiz:training-data: quiz answer right x3, ...``"""
    parts = []
    for source, whats in list(work.items())[:3]:
        counts = Counter(whats)
        parts.append(f"{source}: " + ", ".join(
            what + (f" x{n}" if n > 1 else "") for what, n in counts.most_common(3)))
    more = f"; and {len(work) - 3} more" if len(work) > 3 else ""
    return "; ".join(parts) + more if parts else "no work logged"


def mastery_history(store: LearnerRecord, catalog: Catalog) -> list[tuple[date, dict[str, float]]]:
    """Mean mastery per area at the end of each active day (a full replay, for plots)."""
    areas = skill_areas(catalog)
    p = {sid: s.bkt.prior for sid, s in catalog.skills.items()}
    out: list[tuple[date, dict[str, float]]] = []

    def snapshot(day: date) -> None:
        by_area: dict[str, list[float]] = {}
        for sid, value in p.items():
            by_area.setdefault(areas[sid], []).append(value)
        out.append((day, {a: sum(v) / len(v) for a, v in by_area.items()}))

    raw = dict(p)
    verified: set[str] = set()
    current: date | None = None
    for ev in evidence(store, catalog):
        day = date.fromisoformat(ev.at[:10])
        if current is not None and day != current:
            snapshot(current)
        current = day
        for sid in ev.skills:
            if sid in p:  # the same rules as ``mastery`` (weights, the cap until verified)
                raw[sid] = step(raw[sid], ev.correct, catalog.skills[sid].bkt, ev.weight)
                verified |= {sid} if ev.verified else set()
                p[sid] = raw[sid] if sid in verified else min(raw[sid], UNVERIFIED_CAP)
    if current is not None:
        snapshot(current)
    return out


def plot_mastery(history: list[tuple[date, dict[str, float]]], path: Path) -> Path:
    """Save mastery per area over time as a PNG (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    if history:
        days = [d for d, _ in history]
        for area in sorted(history[-1][1]):
            # matplotlib plots dates; its type stubs only declare numbers.
            ax.plot(days, [h.get(area, 0.0) for _, h in history],  # type: ignore[arg-type]
                    marker="o", markersize=3,
                    label=area)
        ax.legend(loc="upper left", fontsize=8, ncols=2)
    else:
        ax.text(0.5, 0.5, "No evidence yet: pass an exercise to start the curve",
                ha="center", va="center", transform=ax.transAxes)
    ax.axhline(0.95, color="grey", linestyle="--", linewidth=1)
    ax.set_ylim(0, 1)
    ax.set_ylabel("mean P(known) per area")
    ax.set_title("Mastery over time (dashed: mastered)")
    fig.autofmt_xdate()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
