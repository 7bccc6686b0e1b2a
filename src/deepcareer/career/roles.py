"""The 16 roles of the course (``content/roles.yml``), each with weighted skills.

Occupation codes are the nearest O*NET-SOC occupation; O*NET asks every user of its data
to carry the attribution line below, so every command that shows a code shows it too.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from deepcareer.curriculum.records import RecordError, build, spec
from deepcareer.errors import ContentError, UsageError

ROLES_FILE = Path(__file__).resolve().parent.parent / "content" / "roles.yml"
ONET_ATTRIBUTION = (
    "Occupation codes and titles: O*NET-SOC 2019 taxonomy, from O*NET 29.0 Database by the "
    "U.S. Department of Labor, Employment and Training Administration (USDOL/ETA). Used "
    "under the CC BY 4.0 license. O*NET(R) is a trademark of USDOL/ETA.")
TIERS = ("core", "important", "nice")
WEIGHTS = {"core": 3.0, "important": 2.0, "nice": 1.0}


@dataclass(frozen=True)
class Onet:
    code: str
    title: str


@dataclass(frozen=True)
class RoleSkills:
    core: list[str] = field(metadata=spec(min_length=1))
    important: list[str] = field(default_factory=list)
    nice: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    description: str
    onet: Onet
    skills: RoleSkills
    terms: list[str] = field(default_factory=list)
    note: str = ""

    def tiers(self) -> dict[str, str]:
        """Skill id -> its tier (core, important or nice)."""
        return {sid: tier for tier in TIERS for sid in getattr(self.skills, tier)}


@cache
def load_roles(path: Path = ROLES_FILE) -> dict[str, Role]:
    from deepcareer import yamlio

    try:
        raw = yamlio.load_yaml(path.read_text(encoding="utf-8"))
        if not isinstance(raw, list):
            raise RecordError("expected a list of roles")
        roles = [build(Role, item, f"roles[{i}]") for i, item in enumerate(raw)]
    except (OSError, yamlio.YAMLError, RecordError) as exc:
        raise ContentError(f"{path}: {exc}") from exc
    return {r.id: r for r in roles}


def get_role(name: str) -> Role:
    """A role by id or title, forgiving case, spaces and small typos."""
    roles = load_roles()
    key = name.strip().lower().replace(" ", "-").replace("_", "-")
    if key in roles:
        return roles[key]
    by_title = {r.title.lower(): r for r in roles.values()}
    if name.strip().lower() in by_title:
        return by_title[name.strip().lower()]
    close = difflib.get_close_matches(key, list(roles), n=3, cutoff=0.6)
    if not close:  # nothing close: still name the nearest, by id or by title
        spellings = {**{r.id: r.id for r in roles.values()},
                     **{r.title.lower(): r.id for r in roles.values()}}
        nearest = difflib.get_close_matches(name.strip().lower(), list(spellings), n=1,
                                            cutoff=0.0)
        close = [spellings[nearest[0]]] if nearest else []
    tip = f" Did you mean: {', '.join(close)}?" if close else ""
    raise UsageError(f"There is no role called {name!r}.{tip} `deepcareer career roles` "
                     f"lists all {len(roles)}.")


def role_problems(roles: dict[str, Role], skills: set[str], terms: set[str]) -> list[str]:
    """Authoring mistakes: unknown skills or terms, a skill in two tiers."""
    out = []
    for role in roles.values():
        seen: dict[str, str] = {}
        for tier in TIERS:
            for sid in getattr(role.skills, tier):
                if sid not in skills:
                    out.append(f"roles.yml {role.id}: {sid!r} is not in skills.yml")
                if sid in seen:
                    out.append(f"roles.yml {role.id}: {sid!r} is both {seen[sid]} and {tier}")
                seen[sid] = tier
        out += [f"roles.yml {role.id}: term {t!r} is not in terms.yml"
                for t in role.terms if t not in terms]
    return out
