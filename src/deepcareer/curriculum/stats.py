"""How much content there is: exercises, misconceptions, cases and hints per track."""

from __future__ import annotations

from typing import Any

from deepcareer.curriculum.catalog import Catalog

_KEYS = ("exercises", "misconceptions", "cases", "hints")


def content_stats(catalog: Catalog) -> dict[str, Any]:
    tracks: dict[str, dict[str, int]] = {}
    for ex in catalog:
        row = tracks.setdefault(ex.meta.track, dict.fromkeys(_KEYS, 0))
        checks = ex.checks
        row["exercises"] += 1
        row["misconceptions"] += len(checks.misconceptions)
        row["cases"] += len(checks.cases) + len(checks.hidden)
        row["hints"] += len(ex.meta.hints) + sum(len(m.hints) for m in checks.misconceptions)
    total = {k: sum(r[k] for r in tracks.values()) for k in _KEYS}
    verified = {s for ex in catalog for s in ex.meta.skills}
    return {"tracks": tracks, "total": total, "skills": len(catalog.skills),
            "skills_verified": len(verified & set(catalog.skills))}
