"""Table definitions (SQLAlchemy Core). Change them only with a new Alembic revision."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

# One row per check of an exercise: the append-only evidence everything else is computed from.
attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exercise_id", String(100), nullable=False, index=True),
    Column("content_version", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),  # ISO 8601, UTC
    Column("status", String(20), nullable=False, index=True),
    Column("message", Text, nullable=False, default=""),
    Column("findings", Text, nullable=False, default="[]"),  # JSON list of finding dicts
    Column("hint_level", Integer, nullable=False, default=0),  # hints seen before this attempt
    Column("duration_s", Float, nullable=False, default=0.0),
    Column("code_sha256", String(64), nullable=False, default=""),
    Column("code", Text, nullable=False, default=""),
    Column("report", Text, nullable=False, default="{}"),  # the full JSON report
    # The sandbox the code ran under: 'os' (bubblewrap) or 'guard' (in-process guard only).
    Column("isolation", Text, nullable=False, server_default="guard"),
    # Who did it: 'learner' (here), 'reference' (our code) or 'imported' (never evidence).
    Column("origin", Text, nullable=False, server_default="learner"),
    # Covering index for the per-exercise summary; time ranges for weekly figures.
    Index("ix_attempts_summary", "exercise_id", "status", "created_at"),
    Index("ix_attempts_created_at", "created_at"),
)

# Everything else a learner does that counts as evidence: hints seen, solutions viewed, starts.
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exercise_id", String(100), nullable=False, index=True),
    Column("kind", String(20), nullable=False, index=True),  # start | hint | solution | quiz
    Column("created_at", String(40), nullable=False),
    Column("data", Text, nullable=False, default="{}"),  # JSON
    Index("ix_events_created_at", "created_at"),
)

# Learner settings (goals, profile); small key -> JSON value pairs.
settings = Table(
    "settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

# Spaced-review cards (fsrs): one per passed exercise, quiz question and diagnosed
# misconception. ``id`` is stable ("exercise:softmax", "quiz:neuroscience:2",
# "drill:softmax.min-shift"); ``card`` is the fsrs Card as JSON; ``due`` is ISO UTC.
cards = Table(
    "cards",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("kind", String(20), nullable=False),  # exercise | quiz | drill
    Column("ref", String(200), nullable=False),  # the exercise, quiz or misconception id
    Column("created_at", String(40), nullable=False),
    Column("due", String(40), nullable=False, index=True),
    Column("card", Text, nullable=False),
)

# Every rating given to a card (append-only), with the fsrs ReviewLog as JSON.
reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("card_id", String(200), nullable=False, index=True),
    Column("rating", Integer, nullable=False),  # 1 Again, 2 Hard, 3 Good, 4 Easy
    Column("reviewed_at", String(40), nullable=False),
    Column("source", String(20), nullable=False),  # check | review | quiz
    Column("log", Text, nullable=False),
)

# A cache of mastery per skill, so that `next` and `progress` need not replay the log;
# the cursor (which rows it has seen) is in settings. Always recomputable from the log.
skill_state = Table(
    "skill_state",
    metadata,
    Column("skill", String(100), primary_key=True),
    Column("p", Float, nullable=False),
    Column("evidence", Integer, nullable=False),
    Column("correct", Integer, nullable=False),
)

# One row per project run (``deepcareer project run``): status, the main metric, whether it
# passed, which run it re-ran (``reproduces``) or which run reproduced it (``verified_by``),
# the learner's code and the full result (experiments, curves, checks, environment) as JSON.
runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", String(100), nullable=False, index=True),
    Column("created_at", String(40), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("status", String(20), nullable=False),  # pass | fail | leak | error | timeout
    Column("metric", Float, nullable=True),
    Column("passed", Integer, nullable=False),
    Column("reproduces", Integer, nullable=True),
    Column("verified_by", Integer, nullable=True),
    Column("duration_s", Float, nullable=False),
    Column("code_sha256", String(64), nullable=False),
    Column("code", Text, nullable=False),
    Column("result", Text, nullable=False),
    Column("isolation", Text, nullable=False, server_default="guard"),  # as for attempts
    Column("origin", Text, nullable=False, server_default="learner"),  # as for attempts
)
