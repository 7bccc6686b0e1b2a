"""The rows the store hands out, typed: what each column holds once read (JSON columns
parsed where the store parses them). mypy checks every key a caller reads, so a renamed
column or a misspelt key is an error before it is a wrong figure."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

AttemptStatus = Literal["pass", "fail", "error", "timeout", "not_attempted"]
RunStatus = Literal["pass", "fail", "leak", "error", "timeout"]
Isolation = Literal["os", "guard"]
Origin = Literal["learner", "reference", "imported"]
CardKind = Literal["exercise", "quiz", "drill"]
ReviewSource = Literal["check", "review", "quiz"]


class AttemptRow(TypedDict):
    id: int
    exercise_id: str
    content_version: int
    created_at: str
    status: AttemptStatus
    message: str
    findings: list[dict[str, Any]]  # parsed
    hint_level: int
    duration_s: float
    code_sha256: str
    code: str
    report: str  # the full JSON report, as stored
    isolation: Isolation
    origin: Origin


class AttemptSummary(TypedDict):
    """An attempt without its code and report (what mastery and progress need)."""

    id: int
    exercise_id: str
    created_at: str
    status: AttemptStatus
    findings: list[dict[str, Any]]
    hint_level: int
    duration_s: float
    code_sha256: str
    isolation: Isolation
    origin: Origin
    repeat: int  # 1 when an earlier attempt of the same exercise had the same code


class RecentAttempt(TypedDict):
    exercise_id: str
    status: AttemptStatus
    created_at: str


class EventRow(TypedDict):
    id: int
    exercise_id: str
    kind: str  # start | hint | solution | quiz
    created_at: str
    data: dict[str, Any]  # parsed


class CardRow(TypedDict):
    id: str
    kind: CardKind
    ref: str
    created_at: str
    due: str
    card: str  # FSRS card JSON


class ReviewRow(TypedDict):
    id: int
    card_id: str
    rating: int  # 1 Again, 2 Hard, 3 Good, 4 Easy
    reviewed_at: str
    source: ReviewSource
    log: str


class RunSummary(TypedDict):
    """A project run without its code and detail."""

    id: int
    project_id: str
    created_at: str
    seed: int
    status: RunStatus
    metric: float | None
    passed: int
    reproduces: int | None
    verified_by: int | None
    isolation: Isolation
    origin: Origin
    code_sha256: str


class RunRow(RunSummary):
    duration_s: float
    code: str
    result: dict[str, Any]  # parsed
