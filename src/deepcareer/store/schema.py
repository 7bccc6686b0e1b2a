"""Table definitions (SQLAlchemy Core). Change them only with a new Alembic revision."""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()

# One row per check of an exercise: the append-only evidence everything else is computed from.
attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exercise_id", String(100), nullable=False, index=True),
    Column("content_version", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),  # ISO 8601, UTC
    Column("status", String(20), nullable=False),
    Column("message", Text, nullable=False, default=""),
    Column("findings", Text, nullable=False, default="[]"),  # JSON list of finding dicts
    Column("hint_level", Integer, nullable=False, default=0),  # hints seen before this attempt
    Column("duration_s", Float, nullable=False, default=0.0),
    Column("code_sha256", String(64), nullable=False, default=""),
    Column("code", Text, nullable=False, default=""),
    Column("report", Text, nullable=False, default="{}"),  # the full JSON report
)

# Everything else a learner does that counts as evidence: hints seen, solutions viewed, starts.
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exercise_id", String(100), nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # start | hint | solution
    Column("created_at", String(40), nullable=False),
    Column("data", Text, nullable=False, default="{}"),  # JSON
)

# Learner settings (goals, profile); small key -> JSON value pairs.
settings = Table(
    "settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)
