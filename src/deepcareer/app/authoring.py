"""Use cases for course authors: validate the content, verify the exercises, count them,
and mutation-test the references."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from deepcareer.errors import ContentError

if TYPE_CHECKING:
    from deepcareer.curriculum.catalog import Catalog, Exercise
    from deepcareer.grading.mutate import MutationScore


def problems(catalog: Catalog) -> tuple[list[str], str]:
    """Every schema problem of the content (runs no code), and the sentence to print when
    there is none."""
    from deepcareer.curriculum.validate import validate_catalog
    from deepcareer.mentor.quiz import load_quizzes, validate_quiz
    from deepcareer.mentor.reading import load_reading, reading_problems

    found = validate_catalog(catalog)
    quizzes = load_quizzes()
    for q in quizzes.values():
        found += validate_quiz(q, set(catalog.skills))
    try:
        found += reading_problems(load_reading(catalog.root / "reading.yml"),
                                  set(catalog.skills))
    except ContentError as exc:
        found.append(str(exc))
    found += _career_and_project_problems(set(catalog.skills))
    return found, (f"All {len(catalog)} exercises, {len(quizzes)} quizzes, the reading list, "
                   "the projects, the roles and the pay facts are valid.")


def _career_and_project_problems(skills: set[str]) -> list[str]:
    from deepcareer.career.pay import load_pay
    from deepcareer.career.postings import vocabulary
    from deepcareer.career.roles import load_roles, role_problems
    from deepcareer.projects.spec import load_projects

    found: list[str] = []
    try:
        for project in load_projects().values():
            found += [f"project {project.id}: skill {s!r} is not in skills.yml"
                      for s in project.spec.skills if s not in skills]
            found += [f"project {project.id}: {f.name} is missing"
                      for f in (project.template, project.reference, project.readme)
                      if not f.is_file()]
        terms = {e.id for e in vocabulary() if e.kind != "skill"}
        found += role_problems(load_roles(), skills, terms)
        load_pay()
    except ContentError as exc:
        found.append(str(exc))
    return found


def choose(catalog: Catalog, ids: list[str] | None, track: str | None = None, *,
           installed: bool = False) -> list[Exercise]:
    """The exercises named (all when none), narrowed to a track; with ``installed``, and
    no ids, only the tracks whose framework is installed (and no concept track)."""
    from deepcareer.curriculum.tracks import TRACKS

    if ids:
        return [catalog.get(i) for i in ids]
    return [ex for ex in catalog if (track is None or ex.meta.track == track)
            and not (installed and (ex.meta.track == "concept"
                                    or not TRACKS[ex.meta.track].available()))]


def verify(chosen: list[Exercise], *, frameworks: bool = True,
           on_done: Callable[[Any], None] | None = None) -> list[str]:
    """Run every chosen exercise's checks: the reference passes, each mistake is
    diagnosed as itself; the problems found."""
    from deepcareer.grading.verify import verify_many

    if on_done is None:
        return verify_many(chosen, frameworks=frameworks)
    return verify_many(chosen, on_done=on_done, frameworks=frameworks)


def stats(catalog: Catalog) -> dict[str, Any]:
    from deepcareer.curriculum.stats import content_stats

    return content_stats(catalog)


def mutants(chosen: list[Exercise]) -> list[MutationScore]:
    from deepcareer.grading.mutate import mutation_score

    return [mutation_score(ex) for ex in chosen]
