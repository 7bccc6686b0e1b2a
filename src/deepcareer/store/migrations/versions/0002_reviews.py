"""Spaced review: cards and review logs; a cache of mastery per skill.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cards",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("due", sa.String(40), nullable=False, index=True),
        sa.Column("card", sa.Text, nullable=False),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("card_id", sa.String(200), nullable=False, index=True),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("reviewed_at", sa.String(40), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("log", sa.Text, nullable=False),
    )
    op.create_table(
        "skill_state",
        sa.Column("skill", sa.String(100), primary_key=True),
        sa.Column("p", sa.Float, nullable=False),
        sa.Column("evidence", sa.Integer, nullable=False),
        sa.Column("correct", sa.Integer, nullable=False),
    )
    op.create_index("ix_attempts_status", "attempts", ["status"])
    op.create_index("ix_events_kind", "events", ["kind"])
    # Covering index for the per-exercise summary, and time ranges for weekly figures.
    op.create_index("ix_attempts_summary", "attempts", ["exercise_id", "status", "created_at"])
    op.create_index("ix_attempts_created_at", "attempts", ["created_at"])
    op.create_index("ix_events_created_at", "events", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_events_created_at", "events")
    op.drop_index("ix_attempts_created_at", "attempts")
    op.drop_index("ix_attempts_summary", "attempts")
    op.drop_index("ix_events_kind", "events")
    op.drop_index("ix_attempts_status", "attempts")
    op.drop_table("skill_state")
    op.drop_table("reviews")
    op.drop_table("cards")
