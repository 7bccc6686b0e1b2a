"""The reading list: landmark papers and books per skill, cited, with our own notes.

``content/reading.yml`` maps each skill id to a list of works. A work that serves
several skills appears under each with the same id and the same fields. Notes are ours:
what to read the work for, in two sentences, never its abstract.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from deepcareer.errors import ContentError
from deepcareer.yamlio import YAMLError, load_yaml

ARXIV = re.compile(r"^\d{4}\.\d{4,5}$")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
ISBN = re.compile(r"^(97[89])?\d{9}[\dX]$")


class Work(BaseModel):
    """One paper or book."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    authors: str
    title: str
    year: int = Field(ge=1900, le=2100)
    venue: str
    arxiv: str | None = Field(default=None, pattern=ARXIV.pattern)
    doi: str | None = Field(default=None, pattern=DOI.pattern)
    isbn: str | None = Field(default=None, pattern=ISBN.pattern)
    url: str | None = Field(default=None, pattern=r"^https://\S+$")
    note: str = Field(min_length=20, max_length=600)

    @model_validator(mode="after")
    def _findable(self) -> Work:
        if not (self.arxiv or self.doi or self.isbn or self.url):
            raise ValueError(f"{self.id}: give an arxiv id, a DOI, an ISBN or a URL")
        return self

    def link(self) -> str:
        """Where to find it (an address to type into a browser later, offline or not)."""
        if self.arxiv:
            return f"arXiv:{self.arxiv}"
        if self.doi:
            return f"doi:{self.doi}"
        if self.isbn:
            return f"ISBN {self.isbn}"
        return self.url or ""

    def citation(self) -> str:
        authors = self.authors.rstrip(".")
        return f"{authors} ({self.year}). {self.title}. {self.venue}. {self.link()}"


def load_reading(path: Path) -> dict[str, list[Work]]:
    """Skill id -> works; raises ContentError naming the entry that is wrong."""
    try:
        raw = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, YAMLError) as exc:
        raise ContentError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ContentError(f"{path}: expected a mapping from skill id to a list of works")
    out: dict[str, list[Work]] = {}
    for skill, items in raw.items():
        try:
            out[str(skill)] = [Work.model_validate(item) for item in items or []]
        except (ValidationError, TypeError) as exc:
            raise ContentError(f"{path}: under {skill}: {exc}") from exc
    return out


def reading_problems(reading: dict[str, list[Work]], skills: set[str]) -> list[str]:
    """Static checks: known skills, every skill covered, one work means one set of fields."""
    problems = [f"reading.yml: {s} is not a skill id" for s in reading if s not in skills]
    problems += [f"reading.yml: skill {s} has no reading" for s in sorted(skills)
                 if not reading.get(s)]
    seen: dict[str, Work] = {}
    for works in reading.values():
        for work in works:
            if work.id in seen and seen[work.id] != work:
                problems.append(f"reading.yml: {work.id} appears with different fields")
            seen.setdefault(work.id, work)
    return problems
