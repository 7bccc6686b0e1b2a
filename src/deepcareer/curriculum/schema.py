"""Pydantic schemas for content files: what an ``exercise.toml`` may say."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _slug(value: str) -> str:
    """Ids are stable lowercase-hyphenated slugs: progress and roles refer to them."""
    if not SLUG.match(value):
        raise ValueError(f"{value!r} is not a lowercase-hyphenated slug")
    return value


class Entry(BaseModel):
    """A function the learner writes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    returns: list[str] = Field(default_factory=list)
    gradient: bool = False  # outputs are gradients: mismatches get a ratio analysis

    @field_validator("name")
    @classmethod
    def _identifier(cls, v: str) -> str:
        if not IDENT.match(v):
            raise ValueError(f"{v!r} is not a Python identifier")
        return v


class ExerciseMeta(BaseModel):
    """The contents of ``exercise.toml`` (contract: see docs/authoring.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    area: str
    skills: list[str] = Field(min_length=1)
    prerequisites: list[str] = Field(default_factory=list)
    difficulty: int = Field(ge=1, le=5)
    minutes: int = Field(ge=1, le=600)
    track: Literal["numpy", "pytorch", "tensorflow", "concept"]
    order: int = 1000
    version: int = Field(default=1, ge=1)
    entries: list[Entry] = Field(min_length=1)
    hints: list[str] = Field(min_length=3)
    aliases: list[str] = Field(default_factory=list)  # former ids of this exercise

    _slugs = field_validator("id", "area")(lambda v: _slug(v))


class BKTParams(BaseModel):
    """Knowledge-tracing parameters of a skill (see ``mentor/mastery.py``).

    prior: known before any evidence; learn: chance of learning from one opportunity;
    guess: right without knowing it; slip: wrong while knowing it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    prior: float = Field(default=0.1, ge=0.0, le=1.0)
    learn: float = Field(default=0.2, ge=0.0, le=1.0)
    guess: float = Field(default=0.15, ge=0.0, lt=0.5)
    slip: float = Field(default=0.1, ge=0.0, lt=0.5)


class Skill(BaseModel):
    """One entry of ``skills.yml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    description: str
    prerequisites: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    bkt: BKTParams = BKTParams()

    _slugs = field_validator("id")(lambda v: _slug(v))
