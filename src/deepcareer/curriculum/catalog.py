"""Find, load and look up exercises and skills from the content folder."""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deepcareer.curriculum import snapshot
from deepcareer.curriculum.modules import load_module
from deepcareer.curriculum.records import RecordError, build, dump
from deepcareer.curriculum.schema import ExerciseMeta, Skill
from deepcareer.curriculum.starter import make_starter, strip_markers
from deepcareer.errors import ContentError, ExerciseNotFound

if TYPE_CHECKING:
    from deepcareer.grading.spec import Checks

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


@dataclass
class Exercise:
    """One exercise folder: metadata now, code and checks when first asked for."""

    meta: ExerciseMeta
    folder: Path

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def readme_path(self) -> Path:
        return self.folder / "README.md"

    @cached_property
    def solution_source(self) -> str:
        """The reference with its BEGIN/END markers, as authored."""
        return (self.folder / "solution.py").read_text(encoding="utf-8")

    @cached_property
    def reference_source(self) -> str:
        """The reference as a learner would write it (markers removed)."""
        return strip_markers(self.solution_source)

    @cached_property
    def starter(self) -> str:
        return make_starter(self.solution_source, self.id)

    @cached_property
    def reference(self) -> Any:
        """The imported ``solution.py`` module."""
        return load_module(self.folder / "solution.py")

    @cached_property
    def checks(self) -> Checks:
        from deepcareer.grading.spec import Checks

        module = load_module(self.folder / "checks.py")
        checks = getattr(module, "CHECKS", None)
        if not isinstance(checks, Checks):
            raise ContentError(f"{self.folder / 'checks.py'} must define CHECKS = Checks(...)")
        return checks

    def reference_function(self, name: str) -> Any:
        fn = getattr(self.reference, name, None)
        if not callable(fn):
            raise ContentError(f"{self.id}: solution.py does not define {name}()")
        return fn


def _read_meta(toml_path: Path) -> ExerciseMeta:
    import tomllib

    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        meta = build(ExerciseMeta, data)
    except (tomllib.TOMLDecodeError, RecordError) as exc:
        raise ContentError(f"{toml_path}: {exc}") from exc
    folder = toml_path.parent
    if meta.id != folder.name:
        raise ContentError(f"{toml_path}: id {meta.id!r} must match its folder {folder.name!r}")
    if meta.area != folder.parent.name:
        raise ContentError(f"{toml_path}: area {meta.area!r} must match {folder.parent.name!r}")
    return meta


class Catalog:
    """All exercises and skills under one content root, in curriculum order."""

    def __init__(self, root: Path = CONTENT_DIR) -> None:
        self.root = root
        tomls = sorted((root / "exercises").glob("*/*/exercise.toml"))
        self._files = [*tomls, root / "skills.yml"]
        self._snapshot = snapshot.load(root, self._files)
        found = self._from_snapshot(self._snapshot) if self._snapshot else None
        if found is None:
            self._snapshot = None
            found = [Exercise(_read_meta(p), p.parent) for p in tomls]
        found.sort(key=lambda e: (e.meta.order, e.meta.difficulty, e.id))
        self.exercises: dict[str, Exercise] = {}
        self.aliases: dict[str, str] = {}
        for ex in found:
            if ex.id in self.exercises:
                raise ContentError(f"two exercises share the id {ex.id!r}")
            self.exercises[ex.id] = ex
            for alias in ex.meta.aliases:
                self.aliases[alias] = ex.id

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self.exercises.values())

    def __len__(self) -> int:
        return len(self.exercises)

    def canonical_id(self, exercise_id: str) -> str:
        """Follow renames: progress recorded under an old id belongs to the new one."""
        return self.aliases.get(exercise_id, exercise_id)

    def get(self, exercise_id: str) -> Exercise:
        ex = self.exercises.get(self.canonical_id(exercise_id))
        if ex is None:
            close = difflib.get_close_matches(exercise_id, list(self.exercises), n=3)
            tip = f" Did you mean: {', '.join(close)}?" if close else ""
            raise ExerciseNotFound(
                f"There is no exercise called {exercise_id!r}.{tip} "
                "Run `deepcareer list` to see them all."
            )
        return ex

    def _from_snapshot(self, snap: dict[str, Any]) -> list[Exercise] | None:
        try:
            return [Exercise(build(ExerciseMeta, m), self.root / "exercises" / m["area"] / m["id"])
                    for m in snap["exercises"]]
        except (RecordError, KeyError, TypeError):
            return None  # a damaged snapshot is only a miss

    @cached_property
    def skills(self) -> dict[str, Skill]:
        if self._snapshot is not None:
            with contextlib.suppress(RecordError, KeyError, TypeError):
                return {s["id"]: build(Skill, s) for s in self._snapshot["skills"]}
        skills = self._parse_skills()
        snapshot.save(self.root, self._files, {"exercises": [dump(ex.meta) for ex in self],
                                               "skills": [dump(s) for s in skills.values()]})
        return skills

    def _parse_skills(self) -> dict[str, Skill]:
        from deepcareer import yamlio

        path = self.root / "skills.yml"
        try:
            raw = yamlio.load_yaml(path.read_text(encoding="utf-8")) or []
            if not isinstance(raw, list):
                raise RecordError("expected a list of skills")
            skills = [build(Skill, item, f"skills[{i}]") for i, item in enumerate(raw)]
        except (yamlio.YAMLError, RecordError, OSError) as exc:
            raise ContentError(f"{path}: {exc}") from exc
        return {s.id: s for s in skills}


_DEFAULT: Catalog | None = None


def default_catalog() -> Catalog:
    """The packaged content, loaded once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Catalog()
    return _DEFAULT
