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
from deepcareer.mentor.mastery import SkillMastery, bkt_update, evidence
from deepcareer.store.db import Store

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


def recurring_misconceptions(store: Store, catalog: Catalog, at_least: int = 2
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


def strengths_and_weaknesses(store: Store, catalog: Catalog,
                             skills: dict[str, SkillMastery]) -> dict[str, Any]:
    """Plain sentences about the skills and mistakes that stand out."""
    shown = [m for m in skills.values() if m.evidence >= 2]
    strong = sorted((m for m in shown if m.p >= 0.8), key=lambda m: (-m.p, -m.evidence))[:3]
    weak = sorted((m for m in shown if m.p < 0.5), key=lambda m: (m.p, -m.evidence))[:3]
    by_skill: dict[str, list[str]] = {}
    for ex in catalog:
        for sid in ex.meta.skills:
            by_skill.setdefault(sid, []).append(ex.id)
    strengths = [f"{catalog.skills[m.skill].title}: {m.correct} of {m.evidence} pieces of "
                 f"evidence were clean passes (P(known) {m.p:.0%}; exercises: "
                 f"{', '.join(by_skill.get(m.skill, [])[:3]) or 'quizzes'})." for m in strong]
    weaknesses = [f"{catalog.skills[m.skill].title}: P(known) {m.p:.0%} after "
                  f"{m.evidence} pieces of evidence; worth another pass through "
                  f"{', '.join(by_skill.get(m.skill, [])[:2]) or 'its quiz'}." for m in weak]
    mistakes = [f"\"{r.title}\" ({r.misconception}) came up {r.count} times in "
                f"{', '.join(r.exercises)}." for r in recurring_misconceptions(store, catalog)[:3]]
    return {"strengths": strengths, "weaknesses": weaknesses, "recurring_mistakes": mistakes}


def mastery_history(store: Store, catalog: Catalog) -> list[tuple[date, dict[str, float]]]:
    """Mean mastery per area at the end of each active day (a full replay, for plots)."""
    areas = skill_areas(catalog)
    p = {sid: s.bkt.prior for sid, s in catalog.skills.items()}
    out: list[tuple[date, dict[str, float]]] = []

    def snapshot(day: date) -> None:
        by_area: dict[str, list[float]] = {}
        for sid, value in p.items():
            by_area.setdefault(areas[sid], []).append(value)
        out.append((day, {a: sum(v) / len(v) for a, v in by_area.items()}))

    current: date | None = None
    for ev in evidence(store, catalog):
        day = date.fromisoformat(ev.at[:10])
        if current is not None and day != current:
            snapshot(current)
        current = day
        for sid in ev.skills:
            if sid in p:
                p[sid] = bkt_update(p[sid], ev.correct, catalog.skills[sid].bkt)
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
