"""Schemas for content files: what an ``exercise.toml`` and ``skills.yml`` may say.

Plain frozen dataclasses checked by :mod:`deepcareer.curriculum.records` (cheap to
import, which matters on every command); :func:`records.build` turns a parsed file into
one of these or raises a :class:`records.RecordError` naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from deepcareer.curriculum.records import spec

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _slug(value: str) -> str:
    """Ids are stable lowercase-hyphenated slugs: progress and roles refer to them."""
    if not SLUG.match(value):
        raise ValueError(f"{value!r} is not a lowercase-hyphenated slug")
    return value


def _identifier(value: str) -> str:
    if not IDENT.match(value):
        raise ValueError(f"{value!r} is not a Python identifier")
    return value


@dataclass(frozen=True)
class Entry:
    """A function the learner writes."""

    name: str = field(metadata=spec(check=_identifier))
    returns: list[str] = field(default_factory=list)
    gradient: bool = False  # outputs are gradients: mismatches get a ratio analysis


@dataclass(frozen=True)
class ExerciseMeta:
    """The contents of ``exercise.toml`` (contract: see docs/authoring.md)."""

    id: str = field(metadata=spec(check=_slug))
    title: str
    area: str = field(metadata=spec(check=_slug))
    skills: list[str] = field(metadata=spec(min_length=1))
    difficulty: int = field(metadata=spec(ge=1, le=5))
    minutes: int = field(metadata=spec(ge=1, le=600))
    track: Literal["numpy", "pytorch", "tensorflow", "concept"]
    entries: list[Entry] = field(metadata=spec(min_length=1))
    hints: list[str] = field(metadata=spec(min_length=3))
    prerequisites: list[str] = field(default_factory=list)
    order: int = 1000
    version: int = field(default=1, metadata=spec(ge=1))
    aliases: list[str] = field(default_factory=list)  # former ids of this exercise


@dataclass(frozen=True)
class BKTParams:
    """Knowledge-tracing parameters of a skill (see ``mentor/mastery.py``).

    prior: known before any evidence; learn: chance of learning from one opportunity;
    guess: right without knowing it; slip: wrong while knowing it.
    """

    prior: float = field(default=0.1, metadata=spec(ge=0.0, le=1.0))
    learn: float = field(default=0.2, metadata=spec(ge=0.0, le=1.0))
    guess: float = field(default=0.15, metadata=spec(ge=0.0, lt=0.5))
    slip: float = field(default=0.1, metadata=spec(ge=0.0, lt=0.5))


@dataclass(frozen=True)
class Skill:
    """One entry of ``skills.yml``."""

    id: str = field(metadata=spec(check=_slug))
    title: str
    description: str
    prerequisites: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    bkt: BKTParams = field(default_factory=BKTParams)
