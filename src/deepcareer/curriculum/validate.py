"""Static validation of content: schemas, references between files, the skill DAG.

Cheap enough to run on every ``deepcareer content validate``; it imports
``checks.py`` files but runs no learner code and no sandbox.
"""

from __future__ import annotations

from deepcareer.curriculum.catalog import Catalog, Exercise
from deepcareer.errors import ContentError

MIN_MISCONCEPTIONS = 3
MIN_HINTS = 3


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """Return one cycle of ``node -> prerequisites`` as a path, or None."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def validate_exercise(ex: Exercise, catalog: Catalog) -> list[str]:
    """Problems with one exercise folder, as sentences naming the file."""
    problems: list[str] = []
    where = ex.folder
    for name in ("README.md", "solution.py", "checks.py"):
        if not (where / name).is_file():
            problems.append(f"{ex.id}: {name} is missing")
    if problems:
        return problems
    if len(ex.readme_path.read_text(encoding="utf-8").strip()) < 200:
        problems.append(f"{ex.id}: README.md is too short to teach anything")
    for skill in ex.meta.skills:
        if skill not in catalog.skills:
            problems.append(f"{ex.id}: skill {skill!r} is not in skills.yml")
    for pre in ex.meta.prerequisites:
        if pre not in catalog.exercises:
            problems.append(f"{ex.id}: prerequisite {pre!r} is not an exercise")
    try:
        ex.starter  # noqa: B018  (generating it is the check)
        checks = ex.checks
        for entry in ex.meta.entries:
            ex.reference_function(entry.name)
    except ContentError as exc:
        return [*problems, exc.message]
    calls = {c.call for c in [*checks.cases, *checks.hidden]}
    for entry in ex.meta.entries:
        if entry.name not in calls:
            problems.append(f"{ex.id}: no edge or hidden case calls {entry.name}()")
    if not checks.hidden:
        problems.append(f"{ex.id}: checks.py has no hidden cases")
    if checks.random_cases is None:
        problems.append(f"{ex.id}: checks.py has no random_cases")
    if len(checks.misconceptions) < MIN_MISCONCEPTIONS:
        problems.append(f"{ex.id}: needs at least {MIN_MISCONCEPTIONS} misconceptions, "
                        f"has {len(checks.misconceptions)}")
    seen: set[str] = set()
    names = {e.name for e in ex.meta.entries}
    for m in checks.misconceptions:
        if not m.id.startswith(ex.id + "."):
            problems.append(f"{ex.id}: misconception id {m.id!r} must start with '{ex.id}.'")
        if m.id in seen:
            problems.append(f"{ex.id}: misconception id {m.id!r} is used twice")
        seen.add(m.id)
        if len(m.hints) < MIN_HINTS:
            problems.append(f"{ex.id}: {m.id} needs a ladder of at least {MIN_HINTS} hints")
        unknown = set(m.replace) - names
        if unknown or not m.replace:
            problems.append(f"{ex.id}: {m.id} must replace entry functions, not {sorted(unknown)}")
    return problems


def validate_catalog(catalog: Catalog) -> list[str]:
    """Every problem in the content tree; an empty list means valid."""
    problems: list[str] = []
    try:
        skills = catalog.skills
    except ContentError as exc:
        return [exc.message]
    for skill in skills.values():
        for pre in skill.prerequisites:
            if pre not in skills:
                problems.append(f"skills.yml: {skill.id} needs unknown skill {pre!r}")
    cycle = find_cycle({s.id: list(s.prerequisites) for s in skills.values()})
    if cycle:
        problems.append("skills.yml: prerequisites form a cycle: " + " -> ".join(cycle))
    cycle = find_cycle({e.id: list(e.meta.prerequisites) for e in catalog})
    if cycle:
        problems.append("exercise prerequisites form a cycle: " + " -> ".join(cycle))
    position = {ex.id: i for i, ex in enumerate(catalog)}
    for ex in catalog:
        late = [p for p in ex.meta.prerequisites if position.get(p, -1) > position[ex.id]]
        if late:
            problems.append(f"{ex.id}: comes before its prerequisites {late} in curriculum "
                            "order; raise its `order`")
        problems += validate_exercise(ex, catalog)
    return problems
